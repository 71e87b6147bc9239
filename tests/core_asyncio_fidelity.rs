//! Links at asyncio's corners (ties, zero sleeps, unrounded pauses, cancellations), each pinned to
//! what CPython 3.12 does on the same plan (tests/core_asyncio_matrix.rs checks thousands more,
//! event for event).

mod common;

use awaitlab::core::event::{Kind, Phase};
use awaitlab::core::run::Run;
use common::predict;

/// Each task's mark: (time, kind, whether it was a cancellation).
fn marks(run: &Run) -> Vec<(f64, Kind, bool)> {
    let mut marks: Vec<(u32, (f64, Kind, bool))> = run
        .events
        .iter()
        .filter(|e| e.phase == Phase::Task)
        .map(|e| (e.task, (e.t, e.kind, e.detail.starts_with("cancelled"))))
        .collect();
    marks.sort_by_key(|(task, _)| *task);
    marks.into_iter().map(|(_, m)| m).collect()
}

#[test]
fn a_race_tie_leaves_every_task_done_in_that_instant() {
    let run = predict("pattern=race&tasks=2&seed=1&min=100&max=100");
    assert_eq!(marks(&run), [(100.0, Kind::Done, false), (100.0, Kind::Done, false)]);
    assert_eq!((run.summary.failures, run.summary.cancelled), (0, 0));
}

#[test]
fn a_taskgroup_does_not_cancel_a_task_that_finished_in_the_instant_of_the_error() {
    let run = predict("pattern=gather&tasks=2&seed=2&min=100&max=100&fail=0.3&errors=fail_fast");
    let m = marks(&run);
    assert_eq!(m.iter().filter(|(_, k, _)| *k == Kind::Done).count(), 1, "{m:?}");
    assert!(m.iter().all(|(t, _, cancelled)| *t == 100.0 && !cancelled), "{m:?}");
    // Both fail: both errors are the group's, nobody is cancelled.
    let both = predict("pattern=gather&tasks=2&seed=2&min=100&max=100&fail=1&errors=fail_fast");
    assert_eq!(marks(&both), [(100.0, Kind::Failed, false), (100.0, Kind::Failed, false)]);
    assert_eq!((both.summary.failures, both.summary.cancelled), (2, 0));
}

#[test]
fn sleep_zero_yields_to_the_other_ready_tasks() {
    // Both tasks start before either finishes.
    assert_eq!(predict("pattern=gather&tasks=2&min=0&max=0").summary.peak_concurrency, 2);
    // All twelve racers start; the ones that finish at 0 ms are all done.
    let race = predict("pattern=race&tasks=12&seed=1&min=0&max=30");
    let begun = race.events.iter().filter(|e| e.kind == Kind::Begin && e.phase == Phase::Work).count();
    assert_eq!(begun, 12);
    // Every attempt of a TaskGroup of 0 ms tasks runs: they all finish before the first error's
    // done callback can cancel anything.
    let group = predict("pattern=gather&tasks=12&min=0&max=0&fail=0.3&errors=fail_fast");
    assert_eq!((group.summary.attempts, group.summary.cancelled), (12, 0));
}

#[test]
fn zero_ms_retries_take_turns_for_one_permit() {
    let run = predict("pattern=retry&tasks=2&min=0&max=0&fail=1&retries=3&delay=0&limit=1&hold=0");
    let grants: Vec<u32> =
        run.events.iter().filter(|e| e.kind == Kind::End && e.phase == Phase::Wait).map(|e| e.task).collect();
    assert_eq!(grants, [0, 1, 0, 1, 0, 1]);
}

#[test]
fn backoff_pauses_are_not_rounded() {
    let run = predict("pattern=retry&tasks=1&min=10&max=10&fail=1&retries=5&delay=100&backoff=exponential&factor=1.5");
    // 5 × 10 ms of work and pauses of 100, 150, 225 and 337.5 ms.
    assert_eq!(run.summary.makespan_ms, 862.5);
}

#[test]
fn cancelled_and_timed_out_tasks_are_counted_apart_from_failed_ones() {
    let race = predict("pattern=race&tasks=6&min=100&max=400&seed=4");
    assert_eq!((race.summary.failures, race.summary.cancelled, race.summary.failed_on_their_own()), (5, 5, 0));
    let timeout = predict("pattern=timeout&tasks=8&min=100&max=400&seed=1&timeout=250");
    assert_eq!((timeout.summary.timed_out, timeout.summary.failed_on_their_own()), (5, 0));
    // A task exactly as long as its timeout times out.
    let exact = predict("pattern=timeout&tasks=1&min=250&max=250&timeout=250");
    assert_eq!(exact.summary.timed_out, 1);
}

#[test]
fn plain_gather_cancels_nothing_and_a_taskgroup_cancels_the_rest() {
    let q = "pattern=gather&tasks=8&min=100&max=400&fail=0.3&seed=13";
    let collect = predict(q);
    let raise = predict(&format!("{q}&errors=raise"));
    let group = predict(&format!("{q}&errors=fail_fast"));
    assert_eq!(raise.events, collect.events, "plain gather's tasks run exactly as with return_exceptions");
    assert_eq!(raise.summary.cancelled, 0);
    assert!(group.summary.cancelled > 0 && group.summary.makespan_ms < raise.summary.makespan_ms);
}

#[test]
fn plain_gather_says_when_it_raised_and_that_the_rest_kept_running() {
    use awaitlab::core::patterns::gather::raised_note;
    use awaitlab::core::scenario::ErrorMode;
    let run = predict("pattern=gather&tasks=8&min=100&max=400&fail=0.3&seed=13&errors=raise");
    let note = raised_note(ErrorMode::Raise, &run.events).expect("a task fails");
    assert!(note.starts_with("Plain gather raised task 0's error at 214 ms"), "{note}");
    assert!(note.contains("cancelled nothing") && note.contains("kept running"), "{note}");
    assert_eq!(raised_note(ErrorMode::FailFast, &run.events), None);
    let none_fail = predict("pattern=gather&tasks=3&errors=raise");
    assert_eq!(raised_note(ErrorMode::Raise, &none_fail.events), None);
}
