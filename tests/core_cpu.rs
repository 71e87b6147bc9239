//! CPU-bound work (`source=cpu`) on the virtual clock: inline work holds the loop, a pool of
//! workers runs at most `workers` jobs at once, and a timer due during a block fires late.

use std::rc::Rc;

use awaitlab::core::clock::{Clock, VirtualClock};
use awaitlab::core::cpu::{self, CpuWork, Exec};
use awaitlab::core::event::{Kind, Phase};
use awaitlab::core::patterns::{self, Ctx, SleepWork, Work, WorkFuture};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::{Offload, Scenario, Source};
use awaitlab::core::workload::Attempt;

mod common;

use common::scenario;

/// `(task, phase, start, end, detail)` of every closed span, in closing order.
fn spans(run: &Run) -> Vec<(u32, Phase, f64, f64, String)> {
    let mut begins = std::collections::HashMap::new();
    let mut out = Vec::new();
    for e in &run.events {
        match e.kind {
            Kind::Begin => {
                begins.insert((e.task, e.attempt, e.phase), e.t);
            }
            k if k.closes_span() => {
                out.push((e.task, e.phase, begins[&(e.task, e.attempt, e.phase)], e.t, e.detail.to_string()))
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_keys_parse_round_trip_and_are_named_in_errors() {
    let s = scenario("pattern=gather&source=cpu&offload=workers&workers=3");
    assert_eq!((s.source, s.offload, s.workers), (Source::Cpu, Offload::Workers, 3));
    let back = Scenario::parse(s.to_pairs().iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
    assert_eq!(back, s);
    assert!(s.to_query().contains("source=cpu&") && s.to_query().contains("offload=workers&workers=3"));
    // workers is only written when it matters; offload only for cpu.
    assert!(!scenario("source=cpu").to_query().contains("workers="));
    assert!(!scenario("source=sleep").to_query().contains("offload="));
    let errs = Scenario::parse([("source", "cpu"), ("offload", "gpu"), ("workers", "17")]).unwrap_err();
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["offload", "workers"], "{errs:?}");
    assert!(errs[1].message.contains("16"), "{}", errs[1].message);
}

#[test]
fn inline_cpu_gather_of_4_x_200_takes_800_ms_one_task_at_a_time() {
    let run = run_virtual(&scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200"));
    assert_eq!(run.summary.makespan_ms, 800.0);
    let work: Vec<_> = spans(&run).into_iter().filter(|s| s.1 == Phase::Work).collect();
    let times: Vec<(u32, f64, f64)> = work.iter().map(|s| (s.0, s.2, s.3)).collect();
    assert_eq!(times, [(0, 0.0, 200.0), (1, 200.0, 400.0), (2, 400.0, 600.0), (3, 600.0, 800.0)]);
    // Gathered, yet never two at once: the loop ran one coroutine at a time.
    assert_eq!(run.summary.peak_concurrency, 1);
    let s = scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200");
    let busy = cpu::busy_intervals(&s, &run.events);
    assert_eq!(busy, [(0, 0.0, 200.0), (1, 200.0, 400.0), (2, 400.0, 600.0), (3, 600.0, 800.0)]);
}

#[test]
fn two_workers_run_4_x_200_in_400_ms_first_come_first_served() {
    let run = run_virtual(&scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200&offload=workers&workers=2"));
    assert_eq!(run.summary.makespan_ms, 400.0);
    assert_eq!(run.summary.peak_concurrency, 2);
    let all = spans(&run);
    let waits: Vec<(u32, f64, f64, &str)> =
        all.iter().filter(|s| s.1 == Phase::Wait).map(|s| (s.0, s.2, s.3, s.4.as_str())).collect();
    assert_eq!(
        waits,
        [
            (0, 0.0, 0.0, "worker 1"),
            (1, 0.0, 0.0, "worker 2"),
            (2, 0.0, 200.0, "worker 1"),
            (3, 0.0, 200.0, "worker 2")
        ]
    );
    let work: Vec<(u32, f64, f64, &str)> =
        all.iter().filter(|s| s.1 == Phase::Work).map(|s| (s.0, s.2, s.3, s.4.as_str())).collect();
    assert!(work.contains(&(3, 200.0, 400.0, "200 ms on worker 2")), "{work:?}");
    assert!(cpu::busy_intervals(&scenario("source=cpu&offload=workers"), &run.events).is_empty());
    // 16 workers: all four at once.
    let wide = run_virtual(&scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200&offload=workers&workers=16"));
    assert_eq!(wide.summary.makespan_ms, 200.0);
}

/// `asyncio.wait_for(loop.run_in_executor(pool, …), timeout)`: the deadline covers the wait for a
/// worker, and that wait is a `wait` span as in a gather, so the figures count 2 tasks computing
/// on 2 workers. (The wait was inside the `work` span: "peak 4" beside the lesson's "up to 2
/// tasks compute at once".) A job still queued at its deadline never runs.
#[test]
fn a_timeout_on_workers_waits_for_a_worker_in_a_wait_span_under_its_deadline() {
    let q = "pattern=timeout&source=cpu&offload=workers&workers=2&tasks=4&min=200&max=200";
    let task_spans = |run: &Run, task: u32| -> Vec<(Phase, f64, f64, String)> {
        spans(run).into_iter().filter(|s| s.0 == task).map(|s| (s.1, s.2, s.3, s.4)).collect()
    };
    let span = |phase, from, to, detail: &str| (phase, from, to, detail.to_string());
    let run = run_virtual(&scenario(&format!("{q}&timeout=300")));
    assert_eq!(run.summary.peak_concurrency, 2);
    assert_eq!((run.summary.makespan_ms, run.summary.timed_out), (300.0, 2));
    assert_eq!(
        task_spans(&run, 0),
        [span(Phase::Wait, 0.0, 0.0, "worker 1"), span(Phase::Work, 0.0, 200.0, "200 ms on worker 1")]
    );
    assert_eq!(
        task_spans(&run, 3),
        [span(Phase::Wait, 0.0, 200.0, "worker 2"), span(Phase::Work, 200.0, 300.0, "timed out after 300 ms")]
    );

    // The deadline passes while tasks 2 and 3 still wait: their jobs never start.
    let run = run_virtual(&scenario(&format!("{q}&timeout=150")));
    assert_eq!((run.summary.peak_concurrency, run.summary.timed_out, run.summary.attempts), (2, 4, 2));
    assert_eq!(task_spans(&run, 2), [span(Phase::Wait, 0.0, 150.0, "timed out after 150 ms")]);
}

/// A pipeline's fetch stage on workers waits for its worker in a `wait` span, before its `fetch`.
#[test]
fn a_pipelines_fetch_on_workers_waits_for_a_worker_before_its_fetch_span() {
    let run = run_virtual(&scenario(
        "pattern=pipeline&source=cpu&offload=workers&workers=2&tasks=4&min=200&max=200&process=10&save=10",
    ));
    let task3: Vec<_> = spans(&run).into_iter().filter(|s| s.0 == 3).map(|s| (s.1, s.2, s.3)).collect();
    assert_eq!(
        task3,
        [
            (Phase::Wait, 0.0, 200.0),
            (Phase::Fetch, 200.0, 400.0),
            (Phase::Process, 400.0, 410.0),
            (Phase::Save, 410.0, 420.0)
        ]
    );
    assert_eq!(run.summary.makespan_ms, 420.0);
}

#[test]
fn every_pattern_runs_cpu_work_inline_and_on_workers_without_stalling() {
    for p in awaitlab::core::scenario::Pattern::BUILT_IN {
        for off in ["inline", "workers"] {
            let s = scenario(&format!("pattern={}&source=cpu&offload={off}&tasks=6&fail=0.3&seed=3", p.key()));
            let run = run_virtual(&s);
            let finished = run.events.iter().filter(|e| e.phase == Phase::Task).count();
            assert!(finished >= 6, "{} {off}: {finished} tasks finished", p.key());
        }
    }
}

/// Task 0 sleeps; every other task computes inline.
struct Mixed {
    sleep: SleepWork<VirtualClock>,
    cpu: CpuWork,
}

impl Work for Mixed {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        if plan.task == 0 {
            self.sleep.run(plan)
        } else {
            self.cpu.run(plan)
        }
    }
}

#[test]
fn a_sleep_gathered_beside_cpu_tasks_fires_late_by_the_blocked_time() {
    let s = scenario("pattern=gather&tasks=3&min=100&max=100");
    let clock = VirtualClock::new();
    let c = clock.clone();
    let cpu = CpuWork::new(Exec::Inline(Rc::new(move |units| c.block(f64::from(units) * 2.0))));
    let work = Rc::new(Mixed { sleep: SleepWork::new(clock.clone()), cpu });
    let ctx = Ctx::with_work(clock.clone(), s.clone(), work);
    clock.block_on(patterns::run(&ctx)).expect("no stall");
    let run = Run::new(&s, awaitlab::core::scenario::ClockKind::Virtual, ctx.rec.take());
    let work: Vec<(u32, f64, f64)> =
        spans(&run).into_iter().filter(|s| s.1 == Phase::Work).map(|s| (s.0, s.2, s.3)).collect();
    // The 100 ms sleep is armed first; tasks 1 and 2 then hold the loop 200 ms each; the timer,
    // due at 100, fires at 400: 300 ms late.
    assert_eq!(work, [(1, 0.0, 200.0), (2, 200.0, 400.0), (0, 0.0, 400.0)]);
    assert_eq!(clock.now(), 400.0);
}

#[test]
fn the_notes_name_the_blocking_task_the_late_timers_and_too_few_cores() {
    let s = scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200");
    let mut run = run_virtual(&s);
    // As measured: task 2's job took 240 ms.
    for e in &mut run.events {
        if e.task == 2 && e.phase == Phase::Work && e.kind.closes_span() {
            e.t += 40.0;
        }
    }
    let notes = cpu::notes(&s, &run.events, None, None);
    assert_eq!(notes[0], "Task 2 held the event loop for 240 ms.");
    assert!(notes[1]
        .starts_with("The loop was busy computing 840 ms of the run's 800 ms: the 4 jobs ran one after another"));

    // Pipeline: the process and save stages are timers; the CPU fetches hold them up.
    let p = scenario("pattern=pipeline&source=cpu&tasks=3&min=200&max=200&process=10&save=10");
    let run = run_virtual(&p);
    let (late, worst) = cpu::late_timers(&p, &run.events);
    assert!(late >= 1 && worst >= 150.0, "{late} {worst}");
    assert!(
        cpu::notes(&p, &run.events, None, None)[0].contains("timers fired late by up to")
            || cpu::notes(&p, &run.events, None, None)[0].contains("timer fired late by")
    );

    let w = scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200&offload=workers&workers=4");
    let mut measured = run_virtual(&w);
    measured.events.iter_mut().for_each(|e| e.t *= 2.0);
    let note = cpu::notes(&w, &measured.events, Some(200.0), Some(2)).join(" ");
    assert!(note.starts_with("4 workers on 2 cores (navigator.hardwareConcurrency) do not run 4× faster"), "{note}");
    assert!(note.contains("took 400 ms against the 200 ms predicted"), "{note}");
    assert!(cpu::notes(&scenario("source=sleep"), &measured.events, None, None).is_empty());
}

/// What the inline notes say where the pattern's own lesson does not hold: a sequence is not
/// "gathered", a deadline cannot fire during a computation, a race has nothing left to cancel.
/// (CPython 3.12 agrees: `wait_for` of a coroutine that computes without an await returns its
/// result however long it took, and every task of such a race is done when `asyncio.wait` returns.)
#[test]
fn inline_notes_name_what_the_blocked_loop_did_to_the_pattern() {
    let seq = scenario("pattern=sequential&source=cpu&tasks=3&min=50&max=50");
    let notes = cpu::notes(&seq, &run_virtual(&seq).events, None, None).join(" ");
    assert!(notes.contains("the 3 jobs ran one after another as a sequence does"), "{notes}");
    assert!(!notes.contains("gathered") && !notes.contains("started together"), "{notes}");

    let t = scenario("pattern=timeout&source=cpu&tasks=3&min=150&max=150&timeout=100");
    let run = run_virtual(&t);
    assert_eq!(run.summary.timed_out, 0);
    let notes = cpu::notes(&t, &run.events, None, None).join(" ");
    assert!(notes.contains("one after another although started together"), "{notes}");
    assert!(notes.contains("No deadline fired, although 3 jobs computed for at least the 100 ms timeout"), "{notes}");
    let short = scenario("pattern=timeout&source=cpu&tasks=3&min=50&max=50&timeout=100");
    assert!(!cpu::notes(&short, &run_virtual(&short).events, None, None).join(" ").contains("No deadline"));

    let r = scenario("pattern=race&source=cpu&tasks=3&min=50&max=150");
    let run = run_virtual(&r);
    assert_eq!(run.summary.cancelled, 0);
    assert!(cpu::notes(&r, &run.events, None, None).join(" ").contains("No task was cancelled"));
    let workers = scenario("pattern=race&source=cpu&tasks=3&min=50&max=150&offload=workers");
    assert!(!cpu::notes(&workers, &run_virtual(&workers).events, None, None)
        .join(" ")
        .contains("No task was cancelled"));
}

#[test]
fn the_python_calls_work_inline_or_in_a_process_pool() {
    let inline = awaitlab::core::code::python(&scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200"));
    assert!(inline.contains("def compute(ms: int)") && inline.contains("    compute(ms)  # called inline"), "{inline}");
    assert!(!inline.contains("ProcessPoolExecutor"));
    let pool = awaitlab::core::code::python(&scenario("pattern=gather&source=cpu&offload=workers&workers=2"));
    assert!(pool.contains("from concurrent.futures import ProcessPoolExecutor"), "{pool}");
    assert!(pool.contains("pool = ProcessPoolExecutor(max_workers=2)"), "{pool}");
    assert!(pool.contains("await loop.run_in_executor(pool, compute, ms)"), "{pool}");
}

#[test]
fn cpu_runs_export_and_import_with_their_calibration() {
    for q in [
        "pattern=gather&source=cpu&tasks=4&min=200&max=200",
        "pattern=semaphore&limit=2&source=cpu&offload=workers&workers=3&tasks=6&fail=0.3",
        "pattern=race&source=cpu&offload=workers&workers=2&tasks=3",
    ] {
        let mut run = run_virtual(&scenario(q));
        run.calibration = Some(cpu::Calibration { rounds_per_ms: 648_000.0, cores: 2 });
        let back = Run::from_json(&run.to_json()).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(back, run, "{q}");
    }
    // Files without it (all older ones) still read.
    let plain = run_virtual(&scenario("pattern=gather&tasks=2"));
    assert!(!plain.to_json().contains("calibration"));
    assert_eq!(Run::from_json(&plain.to_json()).unwrap().calibration, None);
}

/// Runs `main` as asyncio.run would, on `clock`.
fn on_loop<'a, F: std::future::Future<Output = ()> + 'a>(
    clock: &VirtualClock,
    main: impl FnOnce(awaitlab::core::aio::Loop<'a>) -> F,
) {
    let c = clock.clone();
    let lp = awaitlab::core::aio::Loop::new(move || c.start_iteration());
    let fut = main(lp.clone());
    clock.block_on(lp.run(fut)).expect("no stall");
}

type Boxed = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

fn boxed(f: impl std::future::Future<Output = ()> + 'static) -> Boxed {
    Box::pin(f)
}

use awaitlab::core::aio::gather;

type Log = Rc<std::cell::RefCell<Vec<(String, f64)>>>;

fn note(log: &Log, clock: &VirtualClock, what: &str) {
    log.borrow_mut().push((what.to_string(), clock.now()));
}

fn expect(log: &Log, want: &[(&str, f64)]) {
    let got: Vec<(String, f64)> = log.borrow().clone();
    let want: Vec<(String, f64)> = want.iter().map(|(s, t)| (s.to_string(), *t)).collect();
    assert_eq!(got, want);
}

// The three scenarios of scripts/cpu_block_reference.py, whose logs (CPython's loop) are the
// expected values here.

#[test]
fn cpython_sleep_beside_cpu() {
    let (clock, log) = (VirtualClock::new(), Log::default());
    let (c, l) = (clock.clone(), log.clone());
    on_loop(&clock, move |lp| async move {
        let sleeper = {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.sleep(100.0).await;
                note(&l, &c, "sleeper");
            }
        };
        let cpu = |i: u32| {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.block(200.0);
                note(&l, &c, &format!("cpu{i}"));
            }
        };
        gather(&lp, vec![boxed(sleeper), boxed(cpu(1)), boxed(cpu(2))]).await;
    });
    expect(&log, &[("cpu1", 200.0), ("cpu2", 400.0), ("sleeper", 400.0)]);
}

#[test]
fn cpython_timer_after_block_vs_ready_steps() {
    let (clock, log) = (VirtualClock::new(), Log::default());
    let (c, l) = (clock.clone(), log.clone());
    on_loop(&clock, move |lp| async move {
        let sleeper = {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.sleep(10.0).await;
                note(&l, &c, "sleeper");
            }
        };
        let blocker = {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.block(50.0);
                for step in 1..4 {
                    c.sleep(0.0).await;
                    note(&l, &c, &format!("step{step}"));
                }
            }
        };
        gather(&lp, vec![boxed(sleeper), boxed(blocker)]).await;
    });
    expect(&log, &[("step1", 50.0), ("step2", 50.0), ("sleeper", 50.0), ("step3", 50.0)]);
}

#[test]
fn cpython_block_as_the_last_ready_task() {
    let (clock, log) = (VirtualClock::new(), Log::default());
    let (c, l) = (clock.clone(), log.clone());
    on_loop(&clock, move |lp| async move {
        let sleeper = |ms: f64| {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.sleep(ms).await;
                note(&l, &c, &format!("sleeper{ms}"));
            }
        };
        let blocker = {
            let (c, l) = (c.clone(), l.clone());
            async move {
                c.sleep(5.0).await;
                c.block(100.0);
                note(&l, &c, "blocked");
            }
        };
        gather(&lp, vec![boxed(sleeper(20.0)), boxed(sleeper(300.0)), boxed(blocker)]).await;
    });
    expect(&log, &[("blocked", 105.0), ("sleeper20", 105.0), ("sleeper300", 300.0)]);
}

#[test]
fn the_page_view_draws_inline_busy_strips_and_names_replaced_workers() {
    use awaitlab::core::view::cpu_view;
    let s = scenario("pattern=gather&source=cpu&tasks=4&min=200&max=200");
    let p = run_virtual(&s);
    let v = cpu_view(&s, Some(&p), Some(&p), 2, &[]);
    assert_eq!(v.predicted.as_deref().map(Vec::len), Some(4));
    assert_eq!(v.measured, v.predicted);
    assert!(v.notes[0].starts_with("CPU work runs inline"), "{:?}", v.notes);
    assert!(v.notes.iter().any(|n| n.contains("held the event loop for 200 ms")), "{:?}", v.notes);
    let w = scenario("pattern=race&source=cpu&offload=workers&workers=2&tasks=3");
    let pw = run_virtual(&w);
    let v = cpu_view(&w, Some(&pw), Some(&pw), 2, &[1]);
    assert_eq!((v.predicted, v.measured), (None, None));
    assert!(v.notes.iter().any(|n| n.contains("replaced by a fresh one (worker 2)")), "{:?}", v.notes);
    assert_eq!(cpu_view(&scenario("source=sleep"), Some(&p), Some(&p), 2, &[]), Default::default());
}

#[test]
fn inline_cpu_work_that_would_freeze_the_page_past_8_s_is_predicted_only_and_never_started() {
    use awaitlab::core::budget::{check_browser_run, inline_cpu_ms};
    // `tasks=1&min=30000&max=30000` froze the tab for 30 s on Run; 10 × 600 s would have for 100
    // minutes. The link still opens (a Run JSON measured before still imports): Run is off and says why.
    let long = scenario("pattern=gather&source=cpu&tasks=1&min=30000&max=30000");
    assert_eq!(inline_cpu_ms(&long), Some(30_000.0));
    let why = long.unmeasurable().expect("predicted only");
    assert!(why.starts_with("These values are predicted only: inline CPU work holds the page's thread"), "{why}");
    assert!(why.contains("30.0 s in all") && why.contains("at most 8 s"), "{why}");
    assert!(check_browser_run(&long).is_err(), "awaitlab.run, a posted run and autoplay refuse it");
    // The same plan predicted only, or on workers (the page's thread stays free), is fine to ask for.
    assert!(check_browser_run(&scenario("pattern=gather&source=cpu&tasks=1&min=30000&max=30000&clock=virtual")).is_ok());
    let workers = scenario("pattern=gather&source=cpu&offload=workers&tasks=1&min=30000&max=30000");
    assert_eq!((inline_cpu_ms(&workers), workers.unmeasurable()), (None, None));
    // The lesson's own link, and 8 s exactly, run.
    assert!(scenario("pattern=gather&source=cpu").measurable());
    assert!(scenario("pattern=gather&source=cpu&tasks=4&min=2000&max=2000").measurable());
    assert!(!scenario("pattern=gather&source=cpu&tasks=4&min=2001&max=2001").measurable());
    // A retry's failed attempts compute too, up to the one that succeeds.
    let retry = scenario("pattern=retry&source=cpu&tasks=20&min=100&max=100&fail=0.5&retries=3");
    let attempts: u32 =
        (0..20).map(|t| (1..=3).position(|a| !retry.workload().attempt(t, a).fails).map_or(3, |i| i as u32 + 1)).sum();
    assert!(attempts > 20);
    assert_eq!(inline_cpu_ms(&retry), Some(f64::from(attempts) * 100.0));
}

#[test]
fn one_worker_or_one_core_is_said_in_the_singular() {
    // "up to 1 tasks compute at once", "a pool of 1 Web Workers", "1 free cores".
    let one = scenario("pattern=gather&source=cpu&offload=workers&workers=1&tasks=4");
    assert_eq!(awaitlab::core::view::lesson(&one).1, "The event loop stays free, and one task computes at a time.");
    let run = run_virtual(&one);
    let slow = cpu::notes(&one, &run.events, Some(run.summary.makespan_ms / 2.0), Some(4)).join(" ");
    assert!(slow.contains("the prediction assumes 1 free core,"), "{slow}");
    let two = scenario("pattern=gather&source=cpu&offload=workers&workers=2&tasks=4");
    let notes = cpu::notes(&two, &run_virtual(&two).events, None, Some(1)).join(" ");
    assert!(
        notes.contains(
            "2 workers on 1 core (navigator.hardwareConcurrency) do not run 2× faster: at most 1 job computes at once"
        ),
        "{notes}"
    );
}
