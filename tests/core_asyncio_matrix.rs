//! awaitlab's prediction against CPython's asyncio, event for event, on a generated matrix of
//! scenarios: every pattern × task counts × failure rates × duration ranges (ties and zero
//! durations included) × each pattern's interesting key values × seeds.
//!
//! For each scenario this test writes awaitlab's seeded plan (every task's attempts, the jitter
//! draws) and `scripts/asyncio_reference.py --virtual` runs the pattern as asyncio code on
//! CPython's own event loop with a virtual clock. The two event lists must agree:
//!
//! - instant by instant, at exactly the same times;
//! - within an instant, every event in the same order, except the cancellations: asyncio cancels
//!   the pending tasks of `wait` and of a TaskGroup by iterating a set, whose order is not defined,
//!   so the `cancel` closes and `cancelled` marks of one instant are compared as a multiset;
//! - and so every summary figure (makespan, peak concurrency, attempts, failures, ...).
//!
//! Scenarios with `what_if` overrides are in it too: the reference gets the plan as drawn and the
//! overrides, and applies them itself (a task's cancel is `asyncio.timeout_at` around its body), so
//! awaitlab's override logic is checked, not copied.
//!
//! The default run is a subset (about 1,200 scenarios); `AWAITLAB_ASYNCIO_MATRIX=full` runs
//! the whole matrix (about 10,000). `AWAITLAB_PYTHON` names the interpreter (scripts/test.sh picks CPython 3.12
//! when the machine has it); otherwise `python3.12`, then `python3`. A difference fails the test
//! with the scenario's link and the first differing event.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::patterns::retry::JITTER_PURPOSE;
use awaitlab::core::run::{run_virtual, Run, Summary};
use awaitlab::core::scenario::{Pattern, Scenario};
use awaitlab::core::what_if::{Change, Outcome, Speed, WhatIf};
use common::scenario;
use serde_json::{json, Value};

/// The scenarios: `(pattern and its keys, the shared keys)` crossed.
fn matrix(full: bool) -> Vec<String> {
    let mut variants: Vec<&str> = vec![
        "pattern=sequential",
        "pattern=gather",
        "pattern=gather&errors=raise",
        "pattern=gather&errors=fail_fast",
        "pattern=semaphore&limit=1",
        "pattern=semaphore&limit=3",
        "pattern=retry&retries=3&delay=40",
        "pattern=retry&retries=3&delay=0",
        "pattern=retry&retries=4&delay=100&backoff=exponential&factor=1.5",
        "pattern=retry&retries=3&delay=30&jitter=0.5",
        "pattern=retry&retries=3&delay=40&limit=2&hold=1",
        "pattern=retry&retries=3&delay=40&limit=2&hold=0",
        "pattern=retry&retries=3&delay=0&limit=1&hold=0",
        "pattern=fallback",
        "pattern=resource&acquire=30&release=20",
        "pattern=resource&acquire=0&release=0&limit=2",
        "pattern=pipeline&process=20&save=10",
        "pattern=pipeline&process=0&save=0&limit=2",
        "pattern=timeout&timeout=100",
        "pattern=timeout&timeout=250",
        "pattern=race",
        "pattern=as_completed&process=20",
        "pattern=as_completed&process=0",
    ];
    if full {
        variants.extend([
            "pattern=semaphore&limit=5",
            "pattern=retry&retries=5&delay=100&backoff=exponential&factor=2.5&jitter=1",
            "pattern=retry&retries=2&delay=10&limit=3&hold=0",
            "pattern=resource&acquire=100&release=50&limit=1",
            "pattern=pipeline&process=30&save=30&limit=1",
            "pattern=timeout&timeout=1",
            "pattern=timeout&timeout=30",
            "pattern=as_completed&process=100",
        ]);
    }
    let tasks: &[u32] = if full { &[1, 2, 5, 12, 50] } else { &[1, 2, 5, 12] };
    let fails = ["0", "0.3", "1"];
    let ranges: &[(u32, u32)] = if full {
        &[(100, 100), (0, 0), (0, 30), (10, 10), (100, 400)]
    } else {
        &[(100, 100), (0, 0), (0, 30), (100, 400)]
    };
    let seeds: &[u32] = if full { &[1, 2, 7] } else { &[2] };
    let mut out = Vec::new();
    for v in &variants {
        for &n in tasks {
            for fail in fails {
                for &(min, max) in ranges {
                    for &seed in seeds {
                        out.push(format!("{v}&tasks={n}&fail={fail}&min={min}&max={max}&seed={seed}"));
                    }
                }
            }
        }
    }
    out.push("pattern=gather&preset=breakfast".into());
    out.push("pattern=sequential&preset=breakfast".into());
    out.extend(what_if_matrix(&variants, full));
    out
}

/// Scenarios with `what_if` overrides: every variant with outcomes forced, durations scaled and
/// tasks cancelled (before they start, mid-work, in a permit queue or a backoff, and at the very
/// instant work ends: `cancel@100` with 100 ms tasks).
fn what_if_matrix(variants: &[&str], full: bool) -> Vec<String> {
    let mut overrides =
        vec!["1.1:fail,3.1:ok+x2,4.1:half", "0:cancel@0,2:cancel@150,2.1:x2", "1.1:fail,1.2:fail,3:cancel@100"];
    if full {
        overrides.extend([
            "1:cancel@100,1.1:half",
            "0.1:ok,0.2:fail+x2,0.3:half,1:cancel@250",
            "0:cancel@1,1:cancel@399",
        ]);
    }
    let tasks: &[u32] = if full { &[5, 12] } else { &[5] };
    let fails = if full { &["0", "0.3", "1"][..] } else { &["0.3"][..] };
    let ranges: &[(u32, u32)] = if full { &[(100, 100), (0, 30), (100, 400)] } else { &[(100, 400)] };
    let mut out = Vec::new();
    for v in variants {
        for w in &overrides {
            for &n in tasks {
                for fail in fails {
                    for &(min, max) in ranges {
                        out.push(format!("{v}&tasks={n}&fail={fail}&min={min}&max={max}&seed=1&what_if={w}"));
                    }
                }
            }
        }
    }
    out
}

/// Scenarios known to differ from asyncio, and why. Each must still differ: when a fix makes one
/// agree, the test says to take it off this list.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "pattern=retry&retries=3&delay=0&limit=1&hold=0&tasks=5&fail=1&min=100&max=100&seed=1&what_if=1:cancel@100,1.1:half",
        "task 1 is cancelled in the instant the permit is handed to it: asyncio passes the permit on to \
         task 2 in that step (Semaphore.acquire's CancelledError handler); awaitlab's aio::Task::cancel \
         drops the waiter at its next step, after task 0's zero backoff (see aio.rs, Task::cancel)",
    ),
    (
        "pattern=retry&retries=3&delay=0&limit=1&hold=0&tasks=12&fail=1&min=100&max=100&seed=1&what_if=1:cancel@100,1.1:half",
        "as with 5 tasks",
    ),
];

/// The plan line the reference reads: parameters, the seeded attempts and jitter draws as drawn
/// (without `what_if`), and the overrides, which the reference applies itself: so a mistake in
/// awaitlab's override logic shows as a difference.
fn plan_line(query: &str, s: &Scenario) -> String {
    let w = Scenario { what_if: WhatIf::default(), ..s.clone() }.workload();
    let attempts = if s.pattern == Pattern::Retry { s.retries.max(1) } else { 1 };
    let plan: Vec<Vec<Value>> = (0..w.len())
        .map(|t| {
            (1..=attempts)
                .map(|a| {
                    let p = w.attempt(t, a);
                    json!([p.duration_ms, p.fails])
                })
                .collect()
        })
        .collect();
    let units: Vec<Vec<f64>> =
        (0..w.len()).map(|t| (1..=attempts).map(|a| w.unit(t, a, JITTER_PURPOSE)).collect()).collect();
    let params = json!({
        "pattern": s.pattern.key(),
        "limit": s.effective_limit(),
        "hold": s.hold,
        "retries": s.retries,
        "delay": s.delay,
        "backoff": s.backoff.key(),
        "factor": s.factor,
        "jitter": s.jitter,
        "timeout": s.timeout,
        "acquire": s.acquire,
        "release": s.release,
        "process": s.process,
        "save": s.save,
        "errors": s.errors.key(),
    });
    json!({ "query": query, "params": params, "plan": plan, "jitter_units": units, "what_if": overrides(&s.what_if) })
        .to_string()
}

/// The overrides as `[task, attempt, outcome, speed, cancel_ms]` (absent parts null).
fn overrides(what_if: &WhatIf) -> Vec<Value> {
    what_if
        .entries()
        .iter()
        .map(|o| match o.change {
            Change::Plan { outcome, speed } => json!([
                o.task,
                o.attempt,
                outcome.map(|o| if o == Outcome::Fail { "fail" } else { "ok" }),
                speed.map(|s| if s == Speed::Slower { "x2" } else { "half" }),
                null
            ]),
            Change::CancelAt(ms) => json!([o.task, 0, null, null, ms]),
        })
        .collect()
}

/// Runs the reference on every plan; returns the Python it used and each scenario's events.
fn reference(lines: &[String]) -> (String, Vec<Value>) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/asyncio_reference.py");
    let python = common::python::interpreter();
    let mut child = Command::new(&python)
        .arg(script)
        .arg("--virtual")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {python} (set AWAITLAB_PYTHON): {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = lines.join("\n");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("the reference ran");
    writer.join().expect("writer").expect("plans written");
    assert!(output.status.success(), "{python} scripts/asyncio_reference.py --virtual failed");
    let mut out = std::str::from_utf8(&output.stdout).expect("utf-8").lines();
    let header: Value = serde_json::from_str(out.next().expect("a header line")).expect("json");
    let version = format!(
        "{} {} ({python})",
        header["implementation"].as_str().unwrap_or("?"),
        header["python"].as_str().unwrap_or("?")
    );
    let release = header["python"].as_str().unwrap_or("0.0");
    let minor: u32 = release.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(
        release.starts_with("3.") && minor >= 12,
        "the reference is CPython 3.12 or later (3.11's wait_for and Semaphore schedule differently); \
         {python} is {release}: set AWAITLAB_PYTHON to a Python 3.12"
    );
    (version, out.map(|l| serde_json::from_str(l).expect("json line")).collect())
}

/// One event reduced to what is compared: time, task, attempt, kind, phase, and whether it is a
/// cancellation (whose order within an instant asyncio leaves undefined).
#[derive(Debug, Clone, PartialEq)]
struct Mark {
    t: f64,
    task: u32,
    attempt: u32,
    kind: Kind,
    phase: Phase,
    cancellation: bool,
}

fn marks_of_run(run: &Run) -> Vec<Mark> {
    run.events
        .iter()
        .map(|e| Mark {
            t: e.t,
            task: e.task,
            attempt: e.attempt,
            kind: e.kind,
            phase: e.phase,
            cancellation: e.kind == Kind::Cancel || (e.kind == Kind::Failed && e.detail.starts_with("cancelled")),
        })
        .collect()
}

fn marks_of_reference(events: &Value) -> Vec<Mark> {
    let kind = |k: &str| serde_json::from_value::<Kind>(json!(k)).expect("a kind");
    let phase = |p: &str| serde_json::from_value::<Phase>(json!(p)).expect("a phase");
    events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let kind = kind(e[3].as_str().expect("kind"));
            Mark {
                t: e[0].as_f64().expect("t"),
                task: e[1].as_u64().expect("task") as u32,
                attempt: e[2].as_u64().expect("attempt") as u32,
                kind,
                phase: phase(e[4].as_str().expect("phase")),
                cancellation: kind == Kind::Cancel || e[5].as_bool().unwrap_or(false),
            }
        })
        .collect()
}

/// The events of one instant: in order, and the cancellations as a sorted multiset.
fn instants(marks: &[Mark]) -> Vec<(f64, Vec<Mark>, Vec<String>)> {
    let mut out: Vec<(f64, Vec<Mark>, Vec<String>)> = Vec::new();
    for m in marks {
        if out.last().is_none_or(|(t, _, _)| *t != m.t) {
            out.push((m.t, Vec::new(), Vec::new()));
        }
        let (_, ordered, cancels) = out.last_mut().expect("an instant");
        if m.cancellation {
            cancels.push(format!("{:?}", (m.task, m.attempt, m.kind, m.phase)));
        } else {
            ordered.push(m.clone());
        }
    }
    for (_, _, cancels) in &mut out {
        cancels.sort();
    }
    out
}

/// The first difference between awaitlab's and asyncio's events, if any, in words.
fn first_difference(ours: &[Mark], theirs: &[Mark]) -> Option<String> {
    let (a, b) = (instants(ours), instants(theirs));
    for (i, pair) in a.iter().zip(b.iter()).enumerate() {
        let ((ta, oa, ca), (tb, ob, cb)) = pair;
        if ta != tb {
            return Some(format!("instant {i}: awaitlab at {ta} ms, asyncio at {tb} ms"));
        }
        if let Some(j) = (0..oa.len().max(ob.len())).find(|&j| oa.get(j) != ob.get(j)) {
            return Some(format!(
                "at {ta} ms, event {j} of the instant: awaitlab {:?}, asyncio {:?}",
                oa.get(j),
                ob.get(j)
            ));
        }
        if ca != cb {
            return Some(format!("at {ta} ms, cancellations: awaitlab {ca:?}, asyncio {cb:?}"));
        }
    }
    (a.len() != b.len()).then(|| format!("awaitlab has {} instants, asyncio {}", a.len(), b.len()))
}

fn to_events(marks: &[Mark]) -> Vec<Event> {
    marks
        .iter()
        .map(|m| Event {
            t: m.t,
            task: m.task,
            attempt: m.attempt,
            kind: m.kind,
            phase: m.phase,
            // The summary tells a cancelled task by its mark's detail, as awaitlab writes it.
            detail: if m.cancellation && m.kind == Kind::Failed { "cancelled".into() } else { Default::default() },
            line: 0,
        })
        .collect()
}

#[test]
fn every_scenario_of_the_matrix_runs_as_cpythons_asyncio_does() {
    let full = std::env::var("AWAITLAB_ASYNCIO_MATRIX").is_ok_and(|v| v == "full");
    let queries = matrix(full);
    let scenarios: Vec<Scenario> = queries.iter().map(|q| scenario(q)).collect();
    let lines: Vec<String> = queries.iter().zip(&scenarios).map(|(q, s)| plan_line(q, s)).collect();
    let (python, results) = reference(&lines);
    eprintln!("asyncio reference: {python}, {} scenarios", queries.len());
    assert_eq!(results.len(), queries.len(), "one result per scenario");
    let by_query: HashMap<&str, &Value> = results.iter().map(|r| (r["query"].as_str().expect("query"), r)).collect();
    let mut differences = Vec::new();
    for (query, s) in queries.iter().zip(&scenarios) {
        let result = by_query[query.as_str()];
        assert!(result["error"].is_null(), "?{query}: the reference failed: {}", result["error"]);
        let run = run_virtual(s);
        let (ours, theirs) = (marks_of_run(&run), marks_of_reference(&result["events"]));
        let known = KNOWN_DIFFERENCES.iter().any(|(q, _)| q == query);
        match (first_difference(&ours, &theirs), known) {
            (Some(_), true) => continue,
            (Some(diff), false) => {
                differences.push(format!("?{query}&clock=virtual\n    {diff}"));
                continue;
            }
            (None, true) => differences.push(format!("?{query}: now agrees; take it off KNOWN_DIFFERENCES")),
            (None, false) => {}
        }
        let summary = Summary::of(s.workload().len(), &to_events(&theirs));
        if summary != run.summary {
            differences.push(format!(
                "?{query}&clock=virtual\n    summary: awaitlab {:?}\n    asyncio {summary:?}",
                run.summary
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} scenarios differ from {python}; the first ones:\n{}",
        differences.len(),
        queries.len(),
        differences.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
}
