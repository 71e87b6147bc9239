//! The code panel's Python is a real program: run with CPython, it plays the scenario's seeded
//! plan on real timers and prints its makespan, which must be awaitlab's prediction plus the real
//! timers' lateness (never less: every sleep is at least as long as planned).
//!
//! Short scenarios (tasks of 20–120 ms), run one after another, so the test takes a few seconds. The
//! interpreter is the asyncio matrix's (`AWAITLAB_PYTHON`, else CPython 3.12); the code needs 3.11+.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use awaitlab::core::code::python;
use awaitlab::core::event::{Kind, Phase};
use awaitlab::core::patterns::WHAT_IF_CANCELLED;
use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::Scenario;

mod common;

/// How much later than predicted a run may end: timer and scheduling lateness on a busy machine.
const LATE_MS: f64 = 60.0;

fn scenario(q: &str) -> Scenario {
    Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))).expect("valid")
}

/// Runs one generated program; its makespan, from its last line.
fn makespan(python_bin: &str, file: &Path, q: &str) -> f64 {
    run_program(python_bin, file, q).0
}

/// Held while a program runs: this binary's tests run in parallel threads, and a program timed
/// beside another (a CPU-bound one above all) would measure the other's load, not itself.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs one generated program: its makespan, from its last line, and what it printed before.
fn run_program(python_bin: &str, file: &Path, q: &str) -> (f64, String) {
    let output = {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Command::new(python_bin).arg(file).output().expect("python ran")
    };
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stderr.is_empty(), "{q}: {} failed:\n{stderr}", file.display());
    let ms = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("makespan_ms="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{q}: no makespan_ms= last line in:\n{stdout}"));
    (ms, stdout.into_owned())
}

/// `code` (a program with `what_if` cancels) noting which tasks its cancels reach: a task its
/// timer cancels (`task.cancel()` says it was not done yet) or one that never starts. It prints
/// them, `what_if_cancelled=[...]`, just before its makespan.
fn noting_what_if_cancels(code: &str, q: &str) -> String {
    let mut code = code.to_string();
    for (from, to) in [
        ("import asyncio\n", "import asyncio\nWHAT_IF_CANCELLED = set()\n"),
        (
            "asyncio.current_task().cancel)",
            "lambda t=asyncio.current_task(), i=i: t.cancel() and WHAT_IF_CANCELLED.add(i))",
        ),
        ("coro.close()  # never started\n", "coro.close()  # never started\n        WHAT_IF_CANCELLED.add(i)\n"),
        ("print(f\"makespan_ms=", "print(f\"what_if_cancelled={sorted(WHAT_IF_CANCELLED)}\"); print(f\"makespan_ms="),
    ] {
        assert_eq!(code.matches(from).count(), 1, "{q}: {from:?} once in\n{code}");
        code = code.replace(from, to);
    }
    code
}

/// The tasks a `what_if` cancel ends in awaitlab's prediction.
fn cancelled_by_what_if(events: &[awaitlab::core::event::Event]) -> Vec<u32> {
    let mut tasks: Vec<u32> = events
        .iter()
        .filter(|e| e.phase == Phase::Task && e.kind == Kind::Failed && e.detail.starts_with(WHAT_IF_CANCELLED))
        .map(|e| e.task)
        .collect();
    tasks.sort_unstable();
    tasks
}

#[test]
fn the_generated_python_runs_the_plan_in_the_predicted_time() {
    let python_bin = common::python::interpreter();
    let version = Command::new(&python_bin)
        .args(["-c", "import sys; print(sys.version_info >= (3, 11), sys.version.split()[0])"])
        .output()
        .unwrap_or_else(|e| panic!("could not start {python_bin} (set AWAITLAB_PYTHON): {e}"));
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    assert!(version.starts_with("True"), "the generated code needs Python 3.11+; {python_bin} is {version}");

    let dir = std::env::temp_dir().join(format!("awaitlab-code-python-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let mut report = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let scenarios = common::PYTHON_SCENARIOS.iter().chain(common::PYTHON_WHAT_IF_SCENARIOS);
    for (i, q) in scenarios.enumerate() {
        let s = scenario(q);
        let file = dir.join(format!("scenario_{i}.py"));
        let with_cancels = q.contains(":cancel@");
        let code = python(&s);
        std::fs::write(&file, if with_cancels { noting_what_if_cancels(&code, q) } else { code }).expect("written");
        let run = run_virtual(&s);
        let predicted = run.summary.makespan_ms;
        seen.extend(run.events.iter().map(|e| (e.phase, e.kind)));
        // One at a time (a busy machine only makes a run late, never early); a late run is tried
        // again, up to three times, and the earliest kept.
        let mut measured = Vec::new();
        let mut cancels = String::new();
        while measured.len() < 3 {
            let (ms, printed) = run_program(&python_bin, &file, q);
            measured.push(ms);
            // The same tasks end cancelled by what_if as in the prediction, every run.
            if with_cancels {
                let expected = format!("what_if_cancelled={:?}", cancelled_by_what_if(&run.events));
                cancels = format!(", {expected}");
                if !printed.contains(&expected) {
                    problems.push(format!("{q}: predicted {expected}, CPython printed\n{printed}"));
                }
            }
            if ms < predicted - 1.0 || ms <= predicted + LATE_MS {
                break;
            }
        }
        let best = measured.iter().copied().fold(f64::INFINITY, f64::min);
        report.push(format!("{predicted:6.1} ms predicted, measured {measured:?}{cancels}  {q}"));
        if measured.iter().any(|&ms| ms < predicted - 1.0) || best > predicted + LATE_MS {
            problems.push(format!("{q}: predicted {predicted} ms, measured {measured:?} ms"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The scenarios fail, back off, wait for permits, time out and cancel.
    for needed in [
        (Phase::Work, Kind::Fail),
        (Phase::Backoff, Kind::End),
        (Phase::Wait, Kind::End),
        (Phase::Work, Kind::Timeout),
        (Phase::Work, Kind::Cancel),
        (Phase::Task, Kind::Fallback),
        (Phase::Process, Kind::End),
    ] {
        assert!(seen.contains(&needed), "no scenario records {needed:?}");
    }
    eprintln!("CPython ({python_bin}, {version}):\n{}", report.join("\n"));
    assert!(problems.is_empty(), "outside [-1, +{LATE_MS}] ms of the prediction:\n{}", problems.join("\n"));
}

/// The data part of a generated program (imports, plan), run to print its lists as JSON.
fn plan_as_json(python_bin: &str, code: &str, q: &str) -> serde_json::Value {
    let data = &code[..code.find("\n\nasync def work(").expect("a work function")];
    let program = format!(
        "{data}\nimport json\nprint(json.dumps({{k: sorted(v) if isinstance(v, set) else v for k, v in globals().items() \
         if k in ('N', 'DURATIONS_MS', 'FAILING', 'PLAN', 'JITTER')}}))\n"
    );
    let output = Command::new(python_bin).args(["-c", &program]).output().expect("python ran");
    assert!(output.status.success(), "{q}: {}\n{program}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn the_written_plan_is_awaitlabs_bit_for_bit_up_to_the_cap() {
    use awaitlab::core::code_plan::PLAN_CAP;
    use awaitlab::core::patterns::retry::JITTER_PURPOSE;
    use serde_json::json;

    let python_bin = common::python::interpreter();
    for q in [
        "pattern=gather&tasks=30&fail=0.3&min=0&max=400&seed=3",
        "pattern=semaphore&tasks=200&fail=0.5&min=10&max=90&seed=4",
        "pattern=gather&tasks=12&fail=1&min=100&max=100",
        "pattern=retry&retries=4&jitter=0.7&tasks=8&fail=0.6&min=10&max=50&seed=5",
        "pattern=retry&retries=3&jitter=1&tasks=200&fail=0.4&seed=6",
        "pattern=retry&retries=3&tasks=5000&fail=1&min=100&max=100",
    ] {
        let s = scenario(q);
        let w = s.workload();
        let got = plan_as_json(&python_bin, &python(&s), q);
        assert_eq!(got["N"], json!(w.len()), "{q}");
        if s.pattern.key() == "retry" {
            let mut plan = Vec::new();
            let mut jitter = Vec::new();
            for t in 0..w.len() {
                let (mut attempts, mut draws) = (Vec::new(), Vec::new());
                for a in 1..=s.retries {
                    let p = w.attempt(t, a);
                    attempts.push(json!([p.duration_ms, p.fails]));
                    if !p.fails {
                        break;
                    }
                    if a < s.retries {
                        draws.push(json!(w.unit(t, a, JITTER_PURPOSE)));
                    }
                }
                plan.push(attempts);
                jitter.push(draws);
            }
            assert_eq!(got["PLAN"], json!(plan), "{q}");
            if s.jitter > 0.0 {
                assert_eq!(got["JITTER"], json!(jitter), "{q}: the jitter draws, exactly");
            }
        } else {
            let durations: Vec<u32> = (0..w.len()).map(|t| w.attempt(t, 1).duration_ms).collect();
            let failing: Vec<u32> = (0..w.len()).filter(|&t| w.attempt(t, 1).fails).collect();
            assert_eq!(got["DURATIONS_MS"], json!(durations), "{q}");
            assert_eq!(got.get("FAILING").cloned().unwrap_or(json!([])), json!(failing), "{q}");
        }
    }
    // Past the cap, a plan whose values differ is elided for a seeded stand-in, and says so.
    let s = scenario(&format!("pattern=gather&tasks={}&fail=0.3&min=1&max=5&seed=9", PLAN_CAP + 1));
    let code = python(&s);
    assert!(code.contains("is elided") && code.contains("random.seed(9)") && code.contains("import random"), "{code}");
    let got = plan_as_json(&python_bin, &code, "stand-in");
    assert_eq!(got["DURATIONS_MS"].as_array().map(Vec::len), Some(PLAN_CAP as usize + 1));
}

#[test]
fn every_variant_of_every_pattern_compiles_as_python() {
    use awaitlab::core::scenario::Pattern;
    use std::io::Write;

    let mut programs = Vec::new();
    for p in Pattern::BUILT_IN {
        for extra in [
            "",
            "&preset=breakfast",
            "&tasks=1&fail=1",
            "&tasks=300&fail=0.3",
            "&limit=2&hold=0&jitter=0.5&backoff=exponential&factor=1.5",
            "&limit=2&hold=1&jitter=0.5&tasks=300&fail=0.3",
            "&errors=raise&fail=0.5",
            "&errors=fail_fast&fail=0.5",
            "&source=cpu&fail=0.3",
            "&source=cpu&offload=workers&workers=3&fail=0.3",
        ] {
            let q = format!("pattern={}{extra}", p.key());
            if let Ok(s) = Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))) {
                programs.push((q, python(&s)));
            }
        }
    }
    let python_bin = common::python::interpreter();
    let check = "import json, sys\nfor q, code in json.load(sys.stdin):\n    compile(code, q, 'exec')\nprint('ok')\n";
    let mut child = Command::new(&python_bin)
        .args(["-c", check])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python started");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&programs).expect("json").as_bytes())
        .expect("fed");
    let output = child.wait_with_output().expect("python ran");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(programs.len() >= 60, "{} programs", programs.len());
}

/// `source=cpu`: the program calibrates its hashing loop at start (about 80 ms, before the clock
/// starts) so a unit is about a millisecond on the machine running it, as the page does; its
/// makespan is then near the prediction. The bounds are loose: other processes on the machine make
/// the computation slower (never much faster: the fastest calibration window counts).
#[test]
fn cpu_programs_calibrate_a_unit_to_about_a_millisecond() {
    let python_bin = common::python::interpreter();
    let dir = std::env::temp_dir().join(format!("awaitlab-code-python-cpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let mut report = Vec::new();
    let mut problems = Vec::new();
    for (i, q) in [
        "pattern=gather&source=cpu&tasks=4&min=40&max=80&seed=3",
        "pattern=sequential&source=cpu&tasks=3&fail=0.5&min=40&max=80&seed=3",
        // Task 1's time passes while task 0 holds the loop: it never starts, in both.
        "pattern=gather&source=cpu&tasks=3&min=40&max=60&seed=3&what_if=1:cancel@20",
        "pattern=gather&source=cpu&offload=workers&workers=2&tasks=4&min=40&max=80&seed=3",
    ]
    .iter()
    .enumerate()
    {
        let s = scenario(q);
        let code = python(&s);
        assert!(code.contains("ROUNDS_PER_MS = rounds_per_ms()"), "{q}: calibrates\n{code}");
        let file = dir.join(format!("cpu_{i}.py"));
        std::fs::write(&file, &code).expect("written");
        let predicted = run_virtual(&s).summary.makespan_ms;
        // Load that changes between the calibration and the run skews either way (a busy
        // calibration makes the run short, a busy run makes it long): up to five takes, and the
        // check passes when one of them is within the bounds.
        let within = |ms: f64| ms >= predicted * 0.75 && ms <= predicted * 1.5 + LATE_MS;
        let mut measured = Vec::new();
        while measured.len() < 5 {
            let ms = makespan(&python_bin, &file, q);
            measured.push(ms);
            if within(ms) {
                break;
            }
        }
        report.push(format!("{predicted:6.1} ms predicted, measured {measured:?}  {q}"));
        if !measured.iter().any(|&ms| within(ms)) {
            problems.push(format!("{q}: predicted {predicted} ms, measured {measured:?} ms"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("CPython ({python_bin}), source=cpu:\n{}", report.join("\n"));
    assert!(problems.is_empty(), "outside [0.75, 1.5] × the prediction (+{LATE_MS} ms):\n{}", problems.join("\n"));
}

/// What the code's `work` returns is what the log says each task returned ("At 5 s, fry eggs
/// returned its result: 2000 ms" beside the highlighted `return` line): CPython runs each task's
/// `work` (its sleeps skipped) and prints the results.
#[test]
fn the_code_returns_the_results_the_log_records() {
    let python_bin = common::python::interpreter();
    for q in ["pattern=sequential&preset=breakfast", "pattern=gather&preset=breakfast", "pattern=sequential&tasks=4"] {
        let s = scenario(q);
        let mut done: Vec<(u32, String)> = run_virtual(&s)
            .events
            .iter()
            .filter(|e| e.kind == Kind::Done)
            .map(|e| (e.task, e.detail.to_string()))
            .collect();
        done.sort();
        let recorded: Vec<String> = done.into_iter().map(|(_, d)| d).collect();
        let code = python(&s);
        let defs = &code[..code.find("\nstart = time.perf_counter()").expect("the program's start")];
        let program = format!(
            "{defs}\nimport json\nasync def skipped(seconds):\n    pass\nasyncio.sleep = skipped\n\
             print(json.dumps([asyncio.run(work(i)) for i in range(N)]))\n"
        );
        let output = Command::new(&python_bin).args(["-c", &program]).output().expect("python ran");
        assert!(output.status.success(), "{q}: {}\n{program}", String::from_utf8_lossy(&output.stderr));
        let returned: Vec<String> = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(returned, recorded, "{q}: the code's results, then the log's");
    }
}
