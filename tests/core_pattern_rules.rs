//! Every pattern of the article on the virtual clock: what ran when, in what order, how many
//! attempts, what was cancelled. Expected values come from the rules of each pattern, and where a
//! seeded workload decides, from the workload's own plan, not from a previous run.

mod common;

use std::collections::HashMap;
use std::rc::Rc;

use awaitlab::core::clock::VirtualClock;
use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::patterns::{self, Ctx, SleepWork, Work, WorkFuture};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::Pattern;
use awaitlab::core::workload::Attempt;
use common::{predict as run, scenario};

/// A closed span: `(task, attempt, start, end, how it closed, detail)`.
#[derive(Debug, Clone, PartialEq)]
struct S {
    task: u32,
    attempt: u32,
    start: f64,
    end: f64,
    close: Kind,
    detail: String,
}

/// The spans of `phase`, in the order they closed. Panics on a span closed twice or never.
fn spans(run: &Run, phase: Phase) -> Vec<S> {
    let mut open: HashMap<(u32, u32), f64> = HashMap::new();
    let mut out = Vec::new();
    for e in run.events.iter().filter(|e| e.phase == phase) {
        match e.kind {
            Kind::Begin => assert!(open.insert((e.task, e.attempt), e.t).is_none(), "{phase:?} opened twice: {e:?}"),
            k if k.closes_span() => {
                let start = open.remove(&(e.task, e.attempt)).unwrap_or_else(|| panic!("closed unopened: {e:?}"));
                out.push(S {
                    task: e.task,
                    attempt: e.attempt,
                    start,
                    end: e.t,
                    close: k,
                    detail: e.detail.to_string(),
                });
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "{phase:?} spans never closed: {open:?}");
    out
}

fn of_task(spans: &[S], task: u32) -> Vec<S> {
    spans.iter().filter(|s| s.task == task).cloned().collect()
}

/// Task-level marks: `(task, t, kind, detail)`, in recorded order.
fn marks(run: &Run) -> Vec<(u32, f64, Kind, String)> {
    run.events.iter().filter(|e| e.phase == Phase::Task).map(|e| (e.task, e.t, e.kind, e.detail.to_string())).collect()
}

fn mark_of(run: &Run, task: u32) -> (f64, Kind, String) {
    let m: Vec<_> = marks(run).into_iter().filter(|m| m.0 == task).collect();
    assert_eq!(m.len(), 1, "task {task} should have exactly one task-level mark: {m:?}");
    let (_, t, k, d) = m[0].clone();
    (t, k, d)
}

// ---------------------------------------------------------------------------------------------
// gather: collect and fail-fast

#[test]
fn gather_collect_lets_every_task_finish_and_reports_every_error() {
    let s = scenario("pattern=gather&tasks=30&min=10&max=500&fail=0.3&seed=8");
    let w = s.workload();
    let run = run_virtual(&s);
    for task in 0..30 {
        let plan = w.attempt(task, 1);
        let (t, kind, _) = mark_of(&run, task);
        assert_eq!(t, f64::from(plan.duration_ms));
        assert_eq!(kind, if plan.fails { Kind::Failed } else { Kind::Done });
    }
    assert!(spans(&run, Phase::Work).iter().all(|s| s.close != Kind::Cancel));
}

#[test]
fn gather_fail_fast_cancels_every_task_still_running_at_the_first_error() {
    let s = scenario("pattern=gather&errors=fail_fast&tasks=60&min=10&max=500&fail=0.1&seed=8");
    let w = s.workload();
    let plans: Vec<Attempt> = (0..60).map(|t| w.attempt(t, 1)).collect();
    let first_error = plans.iter().filter(|p| p.fails).map(|p| p.duration_ms).min().expect("some task fails");
    let culprits: Vec<&Attempt> = plans.iter().filter(|p| p.fails && p.duration_ms == first_error).collect();
    assert_eq!(culprits.len(), 1, "the seed should give one first error");
    let culprit = culprits[0].task;

    let run = run_virtual(&s);
    assert_eq!(run.summary.makespan_ms, f64::from(first_error));
    let work = spans(&run, Phase::Work);
    for p in &plans {
        let span = &of_task(&work, p.task)[0];
        let (t, kind, detail) = mark_of(&run, p.task);
        if p.duration_ms < first_error {
            assert_eq!((span.close, kind), (if p.fails { Kind::Fail } else { Kind::End }, Kind::Done), "{p:?}");
        } else if p.task == culprit {
            assert_eq!((span.close, kind), (Kind::Fail, Kind::Failed));
            assert!(detail.contains("simulated error"), "{detail}");
        } else {
            // Still running when the culprit failed: cancelled at that instant, visibly.
            assert_eq!((span.end, span.close), (f64::from(first_error), Kind::Cancel), "{p:?}");
            assert_eq!((t, kind), (f64::from(first_error), Kind::Failed));
            assert_eq!(detail, format!("cancelled: task {culprit} failed first"));
        }
    }
    let cancelled = work.iter().filter(|s| s.close == Kind::Cancel).count();
    assert!(cancelled > 10, "most tasks should have been cancelled, {cancelled} were");
    assert_eq!(run.summary.failures as usize, 1 + cancelled);
}

#[test]
fn gather_fail_fast_without_errors_is_plain_gather() {
    let a = run("pattern=gather&errors=fail_fast&tasks=20&seed=4");
    let b = run("pattern=gather&errors=collect&tasks=20&seed=4");
    assert_eq!(a.events, b.events);
}

// ---------------------------------------------------------------------------------------------
// semaphore

#[test]
fn semaphore_3_over_12_tasks_of_100_ms_takes_400_ms_in_four_waves() {
    let run = run("pattern=semaphore&limit=3&tasks=12&min=100&max=100");
    assert_eq!(run.summary.makespan_ms, 400.0);
    assert_eq!(run.summary.peak_concurrency, 3);
    let work = spans(&run, Phase::Work);
    let wait = spans(&run, Phase::Wait);
    assert_eq!(wait.len(), 12, "every task records its permit wait, zero-length ones included");
    for task in 0..12 {
        let wave = f64::from(task / 3) * 100.0;
        assert_eq!(of_task(&wait, task)[0].start, 0.0);
        assert_eq!(of_task(&wait, task)[0].end, wave, "task {task} gets its permit in wave {}", task / 3);
        let w = &of_task(&work, task)[0];
        assert_eq!((w.start, w.end), (wave, wave + 100.0));
    }
}

#[test]
fn semaphore_permits_go_first_come_first_served_and_never_exceed_the_limit() {
    let s = scenario("pattern=semaphore&limit=7&tasks=200&min=10&max=500&seed=21");
    let run = run_virtual(&s);
    assert_eq!(run.summary.peak_concurrency, 7);
    // All tasks queue at t=0 in task order, so they start work in task order.
    let begins: Vec<(u32, f64)> =
        run.events.iter().filter(|e| e.kind == Kind::Begin && e.phase == Phase::Work).map(|e| (e.task, e.t)).collect();
    assert_eq!(begins.iter().map(|b| b.0).collect::<Vec<_>>(), (0..200).collect::<Vec<_>>());
    assert!(begins.windows(2).all(|w| w[0].1 <= w[1].1));
    // A task starts exactly when it gets its permit, and a permit frees exactly when a task ends.
    let work = spans(&run, Phase::Work);
    let ends: Vec<f64> = work.iter().map(|s| s.end).collect();
    for w in spans(&run, Phase::Wait) {
        assert_eq!(of_task(&work, w.task)[0].start, w.end);
        assert!(w.end == 0.0 || ends.contains(&w.end), "task {} got a permit at {} when none was freed", w.task, w.end);
    }
    // Checked independently from the events, too: never more than 7 in work at once.
    let mut level = 0i32;
    for e in run.events.iter().filter(|e| e.phase == Phase::Work) {
        level += if e.kind == Kind::Begin { 1 } else { -1 };
        assert!(level <= 7);
    }
}

#[test]
fn a_semaphore_at_least_as_large_as_the_batch_behaves_like_gather() {
    let q = "tasks=25&min=10&max=900&fail=0.2&seed=5";
    let sem = run(&format!("pattern=semaphore&limit=25&{q}"));
    let gat = run(&format!("pattern=gather&{q}"));
    assert_eq!(sem.summary.makespan_ms, gat.summary.makespan_ms);
    assert_eq!(sem.summary.peak_concurrency, 25);
    assert_eq!(spans(&sem, Phase::Work), spans(&gat, Phase::Work));
    assert!(spans(&sem, Phase::Wait).iter().all(|w| w.start == 0.0 && w.end == 0.0));
    let big = run(&format!("pattern=semaphore&limit=100000&{q}"));
    assert_eq!(spans(&big, Phase::Work), spans(&gat, Phase::Work));
}

#[test]
fn semaphore_without_a_limit_key_uses_3_and_says_so_in_its_link() {
    let s = scenario("pattern=semaphore&tasks=12&min=100&max=100");
    assert_eq!(s.limit, Some(3));
    assert!(s.to_query().contains("limit=3"));
    assert_eq!(run_virtual(&s).summary.makespan_ms, 400.0);
}

// ---------------------------------------------------------------------------------------------
// retry

#[test]
fn retry_3_attempts_that_all_fail_50_ms_work_40_ms_delay_takes_230_ms() {
    let run = run("pattern=retry&retries=3&delay=40&backoff=constant&tasks=4&min=50&max=50&fail=1");
    assert_eq!(run.summary.makespan_ms, 230.0);
    assert_eq!(run.summary.attempts, 12);
    assert_eq!(run.summary.failed_attempts, 12);
    assert_eq!(run.summary.failures, 4);
    let work = spans(&run, Phase::Work);
    let backoff = spans(&run, Phase::Backoff);
    for task in 0..4 {
        let w: Vec<(u32, f64, f64, Kind)> =
            of_task(&work, task).iter().map(|s| (s.attempt, s.start, s.end, s.close)).collect();
        assert_eq!(w, [(1, 0.0, 50.0, Kind::Fail), (2, 90.0, 140.0, Kind::Fail), (3, 180.0, 230.0, Kind::Fail)]);
        let b: Vec<(u32, f64, f64)> = of_task(&backoff, task).iter().map(|s| (s.attempt, s.start, s.end)).collect();
        assert_eq!(b, [(1, 50.0, 90.0), (2, 140.0, 180.0)], "a backoff follows each failed attempt but the last");
        let (t, kind, detail) = mark_of(&run, task);
        assert_eq!((t, kind), (230.0, Kind::Failed));
        assert_eq!(detail, of_task(&work, task)[2].detail, "the task fails with its last attempt's error");
    }
}

#[test]
fn retry_stops_at_the_first_success_as_the_seeded_plan_says() {
    let s = scenario("pattern=retry&retries=4&delay=25&tasks=60&min=10&max=90&fail=0.5&seed=77");
    let w = s.workload();
    let run = run_virtual(&s);
    let work = spans(&run, Phase::Work);
    let mut total = 0;
    let mut seen = [false; 5];
    for task in 0..60 {
        let attempts = (1..=4).find(|&a| !w.attempt(task, a).fails).unwrap_or(4);
        seen[attempts as usize] = true;
        total += attempts;
        let mine = of_task(&work, task);
        assert_eq!(mine.len() as u32, attempts, "task {task}");
        // Each attempt starts 25 ms after the previous one ended and lasts as planned.
        let mut t = 0.0;
        for (i, span) in mine.iter().enumerate() {
            let plan = w.attempt(task, i as u32 + 1);
            assert_eq!((span.start, span.end), (t, t + f64::from(plan.duration_ms)));
            assert_eq!(span.close, if plan.fails { Kind::Fail } else { Kind::End });
            t = span.end + 25.0;
        }
        let ok = !w.attempt(task, attempts).fails;
        assert_eq!(mark_of(&run, task).1, if ok { Kind::Done } else { Kind::Failed });
    }
    assert_eq!(run.summary.attempts, total);
    assert!(seen[1] && seen[2] && seen[3] && seen[4], "the seed should exercise 1 to 4 attempts: {seen:?}");
}

#[test]
fn exponential_backoff_multiplies_the_delay_by_the_factor_each_time() {
    let q = "pattern=retry&retries=4&delay=40&tasks=1&min=50&max=50&fail=1&backoff=exponential";
    let pauses = |run: &Run| spans(run, Phase::Backoff).iter().map(|s| s.end - s.start).collect::<Vec<_>>();
    let two = run(&format!("{q}&factor=2"));
    assert_eq!(pauses(&two), [40.0, 80.0, 160.0]);
    assert_eq!(two.summary.makespan_ms, 4.0 * 50.0 + 280.0);
    assert_eq!(pauses(&run(&format!("{q}&factor=1.5"))), [40.0, 60.0, 90.0]);
    let constant = run("pattern=retry&retries=4&delay=40&tasks=1&min=50&max=50&fail=1&backoff=constant&factor=3");
    assert_eq!(pauses(&constant), [40.0, 40.0, 40.0], "factor only matters for exponential");
}

#[test]
fn jitter_shortens_pauses_by_a_seeded_fraction() {
    let q = "pattern=retry&retries=5&delay=200&tasks=20&min=10&max=10&fail=1&seed=3";
    let pauses = |run: &Run| spans(run, Phase::Backoff).iter().map(|s| s.end - s.start).collect::<Vec<_>>();
    let full = pauses(&run(&format!("{q}&jitter=1")));
    assert_eq!(full.len(), 80);
    assert!(full.iter().all(|p| (0.0..=200.0).contains(p)), "{full:?}");
    // Not rounded to whole milliseconds: asyncio sleeps the exact pause.
    assert!(full.iter().any(|p| p.fract() != 0.0), "{full:?}");
    assert!(full.iter().any(|p| *p < 100.0) && full.iter().any(|p| *p > 100.0), "{full:?}");
    let half = pauses(&run(&format!("{q}&jitter=0.5")));
    assert!(half.iter().all(|p| (100.0..=200.0).contains(p)), "{half:?}");
    assert_eq!(full, pauses(&run(&format!("{q}&jitter=1"))), "same seed, same jitter");
    assert_ne!(full, pauses(&run(&format!("{q}&jitter=1").replace("seed=3", "seed=4"))));
    assert!(pauses(&run(&format!("{q}&jitter=0"))).iter().all(|p| *p == 200.0));
}

#[test]
fn retry_under_a_semaphore_holding_the_permit_through_backoff_blocks_the_others() {
    let q = "pattern=retry&retries=2&delay=40&tasks=4&min=50&max=50&fail=1&limit=2";
    let held = run(&format!("{q}&hold=1"));
    let freed = run(&format!("{q}&hold=0"));
    let starts = |run: &Run, task| of_task(&spans(run, Phase::Work), task).iter().map(|s| s.start).collect::<Vec<_>>();

    // hold=1: tasks 0 and 1 keep both permits for 50 + 40 + 50 ms; tasks 2 and 3 wait all along.
    assert_eq!(held.summary.makespan_ms, 280.0);
    assert_eq!((starts(&held, 0), starts(&held, 2)), (vec![0.0, 90.0], vec![140.0, 230.0]));
    assert_eq!(spans(&held, Phase::Wait).len(), 4, "one permit wait per task");
    assert_eq!(of_task(&spans(&held, Phase::Wait), 2)[0].end, 140.0);

    // hold=0: a task gives its permit back for the pause and queues again, so 2 and 3 run in
    // tasks 0 and 1's backoff, and 0 and 1 then wait for them.
    assert_eq!(freed.summary.makespan_ms, 200.0);
    assert_eq!((starts(&freed, 0), starts(&freed, 2)), (vec![0.0, 100.0], vec![50.0, 150.0]));
    let waits = spans(&freed, Phase::Wait);
    assert_eq!(waits.len(), 8, "one permit wait per attempt");
    let w0: Vec<(u32, f64, f64)> = of_task(&waits, 0).iter().map(|s| (s.attempt, s.start, s.end)).collect();
    assert_eq!(w0, [(1, 0.0, 0.0), (2, 90.0, 100.0)]);

    for r in [&held, &freed] {
        assert_eq!(r.summary.peak_concurrency, 2);
        assert_eq!(r.summary.attempts, 8);
    }
    assert_ne!(held.events, freed.events);
}

// ---------------------------------------------------------------------------------------------
// fallback

#[test]
fn fallback_turns_each_error_into_the_default_and_counts_no_failure() {
    let s = scenario("pattern=fallback&tasks=40&min=10&max=300&fail=0.4&seed=6");
    let w = s.workload();
    let run = run_virtual(&s);
    let mut fell_back = 0;
    for task in 0..40 {
        let plan = w.attempt(task, 1);
        let (t, kind, detail) = mark_of(&run, task);
        assert_eq!(t, f64::from(plan.duration_ms));
        if plan.fails {
            fell_back += 1;
            assert_eq!(kind, Kind::Fallback);
            assert_eq!(detail, format!("None (error: simulated error after {} ms)", plan.duration_ms));
            assert_eq!(of_task(&spans(&run, Phase::Work), task)[0].close, Kind::Fail, "the error still shows");
        } else {
            assert_eq!(kind, Kind::Done);
        }
    }
    assert!(fell_back > 5);
    assert_eq!(run.summary.failures, 0);
    assert_eq!(run.summary.failed_attempts, fell_back);
}

// ---------------------------------------------------------------------------------------------
// resource

#[test]
fn resource_acquires_works_and_releases_even_after_an_error() {
    let run = run("pattern=resource&acquire=30&release=20&tasks=3&min=100&max=100&fail=1");
    assert_eq!(run.summary.makespan_ms, 150.0);
    for task in 0..3 {
        let a = &of_task(&spans(&run, Phase::Acquire), task)[0];
        let w = &of_task(&spans(&run, Phase::Work), task)[0];
        let r = &of_task(&spans(&run, Phase::Release), task)[0];
        assert_eq!((a.start, a.end, a.close), (0.0, 30.0, Kind::End));
        assert_eq!((w.start, w.end, w.close), (30.0, 130.0, Kind::Fail));
        assert_eq!((r.start, r.end, r.close), (130.0, 150.0, Kind::End), "release runs after the error");
        let (t, kind, detail) = mark_of(&run, task);
        assert_eq!((t, kind), (150.0, Kind::Failed), "the error surfaces after the release");
        assert_eq!(detail, w.detail);
    }
    // The order on each lane: acquire, work fails, release begins, release ends, task fails.
    let lane: Vec<(Kind, Phase)> = run.events.iter().filter(|e| e.task == 1).map(|e| (e.kind, e.phase)).collect();
    assert_eq!(
        lane,
        [
            (Kind::Begin, Phase::Acquire),
            (Kind::End, Phase::Acquire),
            (Kind::Begin, Phase::Work),
            (Kind::Fail, Phase::Work),
            (Kind::Begin, Phase::Release),
            (Kind::End, Phase::Release),
            (Kind::Failed, Phase::Task)
        ]
    );
}

#[test]
fn resource_under_a_limit_holds_the_permit_from_acquire_to_release() {
    let run = run("pattern=resource&acquire=30&release=20&tasks=4&min=100&max=100&limit=2");
    assert_eq!(run.summary.makespan_ms, 300.0);
    assert_eq!(run.summary.peak_concurrency, 2);
    assert_eq!(of_task(&spans(&run, Phase::Acquire), 2)[0].start, 150.0);
    assert!(marks(&run).iter().all(|m| m.2 == Kind::Done));
}

// ---------------------------------------------------------------------------------------------
// pipeline

#[test]
fn pipeline_runs_fetch_process_save_per_item_and_a_failed_fetch_skips_the_rest() {
    let s = scenario("pattern=pipeline&process=20&save=10&tasks=30&min=50&max=250&fail=0.3&seed=9");
    let w = s.workload();
    let run = run_virtual(&s);
    let (fetch, process, save) = (spans(&run, Phase::Fetch), spans(&run, Phase::Process), spans(&run, Phase::Save));
    let mut skipped = 0;
    for item in 0..30 {
        let plan = w.attempt(item, 1);
        let d = f64::from(plan.duration_ms);
        let f = &of_task(&fetch, item)[0];
        assert_eq!((f.start, f.end), (0.0, d));
        let (t, kind, _) = mark_of(&run, item);
        if plan.fails {
            skipped += 1;
            assert_eq!(f.close, Kind::Fail);
            assert!(of_task(&process, item).is_empty() && of_task(&save, item).is_empty(), "item {item}");
            assert_eq!((t, kind), (d, Kind::Failed));
        } else {
            let p = &of_task(&process, item)[0];
            let sv = &of_task(&save, item)[0];
            assert_eq!((p.start, p.end, sv.start, sv.end), (d, d + 20.0, d + 20.0, d + 30.0));
            assert_eq!((t, kind), (d + 30.0, Kind::Done));
        }
    }
    assert!(skipped > 3, "{skipped}");
}

#[test]
fn pipeline_under_a_limit_runs_that_many_items_through_their_stages_at_once() {
    let run = run("pattern=pipeline&process=20&save=10&tasks=4&min=100&max=100&limit=2");
    assert_eq!(run.summary.makespan_ms, 260.0);
    assert_eq!(run.summary.peak_concurrency, 2);
    assert_eq!(of_task(&spans(&run, Phase::Fetch), 3)[0].start, 130.0);
}

/// A runtime's Work that overrides one stage (as the browser will do for real fetch and save).
struct FlakySave(SleepWork<VirtualClock>);

impl Work for FlakySave {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        self.0.run(plan)
    }
    fn stage(&self, phase: Phase, plan: &Attempt, simulated: WorkFuture) -> WorkFuture {
        if phase == Phase::Save && plan.task == 1 {
            Box::pin(async { Err("disk full".into()) })
        } else {
            simulated
        }
    }
}

#[test]
fn a_runtime_can_replace_a_stage_through_work_stage() {
    let clock = VirtualClock::new();
    let s = scenario("pattern=pipeline&process=20&save=10&tasks=2&min=100&max=100");
    let ctx = Ctx::with_work(clock.clone(), s, Rc::new(FlakySave(SleepWork::new(clock.clone()))));
    let outcomes = clock.block_on(patterns::run(&ctx)).expect("no deadlock");
    assert_eq!(outcomes, [Ok("100 ms".into()), Err("disk full".into())]);
    let events: Vec<Event> = ctx.rec.snapshot();
    let save1: Vec<(f64, Kind, &str)> = events
        .iter()
        .filter(|e| e.task == 1 && e.phase == Phase::Save)
        .map(|e| (e.t, e.kind, e.detail.as_str()))
        .collect();
    assert_eq!(save1, [(120.0, Kind::Begin, ""), (120.0, Kind::Fail, "disk full")]);
}

// ---------------------------------------------------------------------------------------------
// timeout, race, as_completed

#[test]
fn timeout_cancels_each_task_that_overruns_and_closes_its_work_with_timeout() {
    let s = scenario("pattern=timeout&timeout=250&tasks=40&min=100&max=400&seed=12");
    let w = s.workload();
    let run = run_virtual(&s);
    let work = spans(&run, Phase::Work);
    let mut timed_out = 0;
    for task in 0..40 {
        let d = f64::from(w.attempt(task, 1).duration_ms);
        let span = &of_task(&work, task)[0];
        let (t, kind, detail) = mark_of(&run, task);
        if d < 250.0 {
            assert_eq!((span.end, span.close, t, kind), (d, Kind::End, d, Kind::Done));
        } else {
            timed_out += 1;
            assert_eq!((span.end, span.close), (250.0, Kind::Timeout), "task {task} planned {d} ms");
            assert_eq!((t, kind), (250.0, Kind::Failed));
            assert!(detail.contains("TimeoutError"), "{detail}");
        }
    }
    assert!(timed_out > 5 && timed_out < 35, "{timed_out}");
    assert_eq!(run.summary.makespan_ms, 250.0);
}

#[test]
fn a_task_exactly_as_long_as_its_timeout_times_out_as_in_asyncio() {
    let run = run("pattern=timeout&timeout=100&tasks=3&min=100&max=100");
    assert!(spans(&run, Phase::Work).iter().all(|s| s.close == Kind::Timeout && s.end == 100.0));
    let run = run_virtual(&scenario("pattern=timeout&timeout=101&tasks=3&min=100&max=100"));
    assert!(spans(&run, Phase::Work).iter().all(|s| s.close == Kind::End && s.end == 100.0));
}

#[test]
fn race_the_first_to_finish_wins_and_every_other_task_is_cancelled_then() {
    let s = scenario("pattern=race&tasks=30&min=100&max=900&seed=15");
    let w = s.workload();
    let durations: Vec<u32> = (0..30).map(|t| w.attempt(t, 1).duration_ms).collect();
    let fastest = *durations.iter().min().expect("tasks");
    let winner = durations.iter().position(|&d| d == fastest).expect("a winner") as u32;
    let run = run_virtual(&s);
    assert_eq!(run.summary.makespan_ms, f64::from(fastest));
    let work = spans(&run, Phase::Work);
    for task in 0..30 {
        let span = &of_task(&work, task)[0];
        assert_eq!(span.end, f64::from(fastest));
        let (t, kind, detail) = mark_of(&run, task);
        assert_eq!(t, f64::from(fastest));
        if task == winner {
            assert_eq!((span.close, kind), (Kind::End, Kind::Done));
        } else {
            assert_eq!((span.close, kind), (Kind::Cancel, Kind::Failed));
            assert_eq!(detail, format!("cancelled: task {winner} finished first"));
        }
    }
}

#[test]
fn race_tasks_that_finish_in_the_winners_instant_are_done_too() {
    // asyncio.wait(FIRST_COMPLETED) returns every task done at that instant; only the still
    // pending ones are cancelled.
    let tie = run("pattern=race&tasks=5&min=100&max=100");
    assert!((0..5).all(|t| mark_of(&tie, t).1 == Kind::Done));
    assert_eq!(tie.summary.failures, 0);
    let many = run("pattern=race&tasks=50&seed=18&min=100&max=400");
    let first = (0..50).map(|t| mark_of(&many, t).0).fold(f64::INFINITY, f64::min);
    let done: Vec<u32> = (0..50).filter(|&t| mark_of(&many, t).1 == Kind::Done).collect();
    assert!(done.len() >= 2 && done.contains(&31), "{done:?}");
    assert!(done.iter().all(|&t| mark_of(&many, t).0 == first));
    assert!((0..50).filter(|t| !done.contains(t)).all(|t| mark_of(&many, t).2.starts_with("cancelled")));
}

/// Many tasks tying for first are named up to three, then counted: the cancel's reason listed all
/// of them ("tasks 0, 1, …, 16 finished first", wider than the replay's sentence at 1280 px).
#[test]
fn a_race_with_many_winners_names_three_and_counts_the_rest() {
    let run = run("pattern=race&tasks=20&min=100&max=101&seed=3");
    let winners: Vec<u32> = (0..20).filter(|&t| mark_of(&run, t).1 == Kind::Done).collect();
    assert!(winners.len() > 3 && winners.len() < 20, "{winners:?}");
    let why = format!(
        "cancelled: tasks {}, {}, {} and {} more finished first",
        winners[0],
        winners[1],
        winners[2],
        winners.len() - 3
    );
    let cancelled: Vec<String> =
        (0..20).filter(|t| !winners.contains(t)).map(|t| mark_of(&run, t).2.to_string()).collect();
    assert!(!cancelled.is_empty() && cancelled.iter().all(|d| *d == why), "{cancelled:?}");
}

#[test]
fn as_completed_processes_results_one_by_one_in_completion_order() {
    let s = scenario("pattern=as_completed&process=30&tasks=25&min=10&max=400&fail=0.2&seed=31");
    let w = s.workload();
    let run = run_virtual(&s);
    // Expected: results in the order the tasks finished (their marks; ties as asyncio's timer heap
    // orders them), which is sorted by finish time; a single consumer processes each successful
    // result for 30 ms, starting when both it and the result are ready.
    let finishing: Vec<(u32, u32, bool)> = run
        .events
        .iter()
        .filter(|e| matches!(e.kind, Kind::Done | Kind::Failed))
        .map(|e| (w.attempt(e.task, 1).duration_ms, e.task, w.attempt(e.task, 1).fails))
        .collect();
    assert_eq!(finishing.len(), 25);
    assert!(finishing.windows(2).all(|p| p[0].0 <= p[1].0), "completion order follows the plan's durations");
    let mut free = 0.0f64;
    let mut expected = Vec::new();
    for (rank, (d, task, fails)) in finishing.iter().enumerate() {
        if !fails {
            let start = free.max(f64::from(*d));
            free = start + 30.0;
            expected.push((*task, start, free, format!("#{} to complete", rank + 1)));
        }
    }
    let got: Vec<(u32, f64, f64, String)> =
        spans(&run, Phase::Process).into_iter().map(|s| (s.task, s.start, s.end, s.detail)).collect();
    assert_eq!(got, expected);
    assert_eq!(run.summary.makespan_ms, free);
    // Work itself is not held up by the consumer: every task ends when its plan says.
    for s in spans(&run, Phase::Work) {
        assert_eq!(s.end, f64::from(w.attempt(s.task, 1).duration_ms));
    }
    // Results queue up: some were processed well after they arrived.
    assert!(expected.iter().any(|(t, start, _, _)| *start > f64::from(w.attempt(*t, 1).duration_ms)));
}

// ---------------------------------------------------------------------------------------------
// every pattern

#[test]
fn every_pattern_closes_every_span_once_marks_every_task_once_and_replays_exactly() {
    for p in Pattern::BUILT_IN {
        let q = format!("pattern={}&tasks=40&min=10&max=300&fail=0.3&seed=2&limit=4&timeout=150", p.key());
        let a = run(&q);
        for phase in [
            Phase::Work,
            Phase::Wait,
            Phase::Backoff,
            Phase::Acquire,
            Phase::Release,
            Phase::Fetch,
            Phase::Process,
            Phase::Save,
        ] {
            spans(&a, phase); // panics on a span opened twice or never closed
        }
        for task in 0..40 {
            mark_of(&a, task);
        }
        assert!(a.events.windows(2).all(|w| w[0].t <= w[1].t), "{p:?}: events out of time order");
        assert_eq!(a.events, run(&q).events, "{p:?} is not deterministic");
        let back = Run::from_json(&a.to_json()).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(back, a);
        assert_eq!(back.parsed_scenario().unwrap(), scenario(&q));
    }
}

#[test]
fn a_large_semaphore_run_and_a_large_retry_run_finish_quickly_on_the_virtual_clock() {
    let started = std::time::Instant::now();
    let sem = run("pattern=semaphore&limit=100&tasks=100000&min=1&max=100&clock=virtual");
    assert_eq!(sem.summary.attempts, 100_000);
    assert_eq!(sem.summary.peak_concurrency, 100);
    let retry = run("pattern=retry&limit=50&hold=0&tasks=20000&min=1&max=100&fail=0.5&clock=virtual");
    assert!(retry.summary.attempts > 20_000);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
