//! The code panel's Python is a real program: run with CPython, it plays the scenario's seeded
//! plan on real timers and prints its makespan, which must be awaitlab's prediction plus the real
//! timers' lateness (never less: every sleep is at least as long as planned).
//!
//! Short scenarios (tasks of 20–120 ms), run one after another, so the test takes a few seconds. The
//! interpreter is the asyncio matrix's (`AWAITLAB_PYTHON`, else CPython 3.12); the code needs 3.11+.

use std::path::Path;
use std::process::Command;

use awaitlab::core::code::python;
use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::Scenario;

mod common;

/// Patterns and error modes with failures, backoffs, permits, deadlines and cancellations.
const SCENARIOS: &[&str] = &[
    "pattern=retry&retries=3&delay=30&backoff=exponential&factor=2&jitter=0.5&tasks=5&fail=0.5&min=20&max=80&seed=4",
    "pattern=retry&retries=3&delay=25&tasks=5&fail=0.5&min=20&max=60&limit=2&hold=0&seed=2",
    "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=20&max=80&seed=3",
    "pattern=timeout&timeout=60&tasks=6&fail=0.2&min=20&max=120&seed=5",
    "pattern=race&tasks=5&min=20&max=120&seed=6",
    "pattern=as_completed&process=20&tasks=5&fail=0.3&min=20&max=120&seed=7",
    "pattern=gather&errors=fail_fast&tasks=6&fail=0.3&min=20&max=120&seed=8",
    "pattern=gather&errors=raise&tasks=5&fail=0.3&min=20&max=120&seed=8",
    "pattern=sequential&tasks=4&fail=0.3&min=20&max=60&seed=9",
    "pattern=fallback&tasks=5&fail=0.5&min=20&max=120&seed=10",
    "pattern=resource&acquire=20&release=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=11",
    "pattern=pipeline&process=20&save=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=12",
];

/// How much later than predicted a run may end: timer and scheduling lateness on a busy machine.
const LATE_MS: f64 = 60.0;

fn scenario(q: &str) -> Scenario {
    Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))).expect("valid")
}

/// Runs one generated program; its makespan, from its last line.
fn makespan(python_bin: &str, file: &Path, q: &str) -> f64 {
    let output = Command::new(python_bin).arg(file).output().expect("python ran");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && stderr.is_empty(), "{q}: {} failed:\n{stderr}", file.display());
    stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("makespan_ms="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{q}: no makespan_ms= last line in:\n{stdout}"))
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
    for (i, q) in SCENARIOS.iter().enumerate() {
        let s = scenario(q);
        let file = dir.join(format!("scenario_{i}.py"));
        std::fs::write(&file, python(&s)).expect("written");
        let predicted = run_virtual(&s).summary.makespan_ms;
        // One at a time (a busy machine only makes a run late, never early); a late run is tried
        // again, up to three times, and the earliest kept.
        let mut measured = Vec::new();
        while measured.len() < 3 {
            let ms = makespan(&python_bin, &file, q);
            measured.push(ms);
            if ms < predicted - 1.0 || ms <= predicted + LATE_MS {
                break;
            }
        }
        let best = measured.iter().copied().fold(f64::INFINITY, f64::min);
        report.push(format!("{predicted:6.1} ms predicted, measured {measured:?}  {q}"));
        if measured.iter().any(|&ms| ms < predicted - 1.0) || best > predicted + LATE_MS {
            problems.push(format!("{q}: predicted {predicted} ms, measured {measured:?} ms"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("CPython ({python_bin}, {version}):\n{}", report.join("\n"));
    assert!(problems.is_empty(), "outside [-1, +{LATE_MS}] ms of the prediction:\n{}", problems.join("\n"));
}
