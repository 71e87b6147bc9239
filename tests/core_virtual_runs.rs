//! Virtual runs of sequential and gather: exact makespans, lanes in flight, seeds that reproduce
//! a run, the Run JSON round trip, and a 100,000-task run.

mod common;

use awaitlab::core::event::{Kind, Phase};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::Pattern;
use common::scenario;

fn work_spans(run: &Run) -> Vec<(u32, f64, f64)> {
    let mut begins = std::collections::HashMap::new();
    let mut spans = Vec::new();
    for e in &run.events {
        match (e.kind, e.phase) {
            (Kind::Begin, Phase::Work) => {
                begins.insert(e.task, e.t);
            }
            (Kind::End | Kind::Fail, Phase::Work) => spans.push((e.task, begins[&e.task], e.t)),
            _ => {}
        }
    }
    spans
}

#[test]
fn gather_of_1000_tasks_of_100_ms_takes_exactly_100_ms_with_all_1000_in_flight() {
    let run = run_virtual(&scenario("pattern=gather&tasks=1000&min=100&max=100&clock=virtual"));
    assert_eq!(run.summary.makespan_ms, 100.0);
    assert_eq!(run.summary.peak_concurrency, 1000);
    assert_eq!(run.summary.attempts, 1000);
    assert_eq!(run.summary.failures, 0);
    assert!(work_spans(&run).iter().all(|&(_, start, end)| start == 0.0 && end == 100.0));
}

#[test]
fn sequential_5_tasks_of_100_ms_takes_exactly_500_ms_one_at_a_time() {
    let run = run_virtual(&scenario("pattern=sequential&tasks=5&min=100&max=100"));
    assert_eq!(run.summary.makespan_ms, 500.0);
    assert_eq!(run.summary.peak_concurrency, 1);
    assert_eq!(
        work_spans(&run),
        vec![(0, 0.0, 100.0), (1, 100.0, 200.0), (2, 200.0, 300.0), (3, 300.0, 400.0), (4, 400.0, 500.0)]
    );
    assert_eq!(run.summary.busy_ms, 500.0);
    assert_eq!(run.summary.speedup(), 1.0);
}

#[test]
fn breakfast_takes_5_s_in_sequence_and_3_s_gathered() {
    let seq = run_virtual(&scenario("pattern=sequential&preset=breakfast"));
    let gat = run_virtual(&scenario("pattern=gather&preset=breakfast"));
    assert_eq!(seq.labels, ["brew coffee", "fry eggs"]);
    assert_eq!((seq.summary.makespan_ms, gat.summary.makespan_ms), (5000.0, 3000.0));
    // The eggs are ready first when both cook at once.
    let done: Vec<u32> = gat.events.iter().filter(|e| e.kind == Kind::Done).map(|e| e.task).collect();
    assert_eq!(done, [1, 0]);
}

#[test]
fn gather_makespan_is_the_longest_task_and_sequential_the_sum() {
    let g = run_virtual(&scenario("pattern=gather&tasks=40&min=10&max=900&seed=3"));
    let s = run_virtual(&scenario("pattern=sequential&tasks=40&min=10&max=900&seed=3"));
    let longest = work_spans(&g).iter().map(|&(_, a, b)| b - a).fold(0.0, f64::max);
    assert_eq!(g.summary.makespan_ms, longest);
    assert_eq!(s.summary.makespan_ms, g.summary.busy_ms);
    assert!(g.summary.speedup() > 5.0, "{}", g.summary.speedup());
}

#[test]
fn the_same_seed_gives_identical_events_and_another_seed_differs() {
    let q = "pattern=gather&tasks=30&min=10&max=500&fail=0.3&seed=";
    let a = run_virtual(&scenario(&format!("{q}11")));
    let b = run_virtual(&scenario(&format!("{q}11")));
    let c = run_virtual(&scenario(&format!("{q}12")));
    assert_eq!(a.events, b.events);
    assert_ne!(a.events, c.events);
    assert!(a.summary.failures > 0, "fail=0.3 over 30 tasks should fail some");
    assert_eq!(a.summary.failures, a.summary.failed_attempts);
}

#[test]
fn a_failed_task_does_not_stop_the_sequence() {
    let run = run_virtual(&scenario("pattern=sequential&tasks=4&min=50&max=50&fail=1"));
    assert_eq!(run.summary.makespan_ms, 200.0);
    assert_eq!(run.summary.failures, 4);
    assert!(run.events.iter().any(|e| e.kind == Kind::Failed && e.detail.contains("simulated error")));
}

#[test]
fn run_json_round_trips_and_rejects_what_it_did_not_write() {
    let run = run_virtual(&scenario("pattern=gather&tasks=5&seed=4&fail=0.5"));
    let back = Run::from_json(&run.to_json()).expect("import what we export");
    assert_eq!(back, run);
    assert_eq!(back.parsed_scenario().unwrap().pattern, Pattern::Gather);

    for (text, needle) in [
        ("{", "not valid JSON"),
        ("{\"format\":\"other\"}", "expected \"awaitlab-run\""),
        (&run.to_json().replace("\"version\":1", "\"version\":99"), "newer"),
        (&run.to_json().replace("\"tasks\":5", "\"tasks\":0"), "tasks must be"),
    ] {
        let e = Run::from_json(text).expect_err(text);
        assert!(e.contains(needle), "{e} should mention {needle}");
    }
}

#[test]
fn a_virtual_run_of_100000_tasks_finishes() {
    let run = run_virtual(&scenario("pattern=gather&tasks=100000&min=1&max=1000&clock=virtual"));
    assert_eq!(run.summary.attempts, 100_000);
    assert!(run.summary.makespan_ms <= 1000.0);
}
