//! A code run's task that raised shows it on its lane, as a pattern's failed attempt does: the
//! bar its failure ended closes with `fail` (failure colour, ×, "failed: ValueError: boom"), and a
//! task whose failure ends no bar (`main()` raising its TaskGroup's `ExceptionGroup`) gets a × mark
//! of its own. Pattern runs' failures, drawn by their spans already, are not drawn twice.

use awaitlab::core::event::Kind;
use awaitlab::core::py::interp::run_virtual;
use awaitlab::core::run::{run_virtual as run_pattern, Run};
use awaitlab::core::scenario::{ClockKind, Scenario};
use awaitlab::core::timeline::{bar_words, mark_words, Timeline};

const PROGRAM: &str = r#"import asyncio

async def ok(n):
    try:
        await asyncio.sleep(n)
        print(f"ok {n} done")
    except asyncio.CancelledError:
        print(f"ok {n} cancelled")
        raise

async def bad():
    await asyncio.sleep(0.05)
    raise ValueError("boom")

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(ok(0.01))
            tg.create_task(ok(0.2))
            tg.create_task(bad())
    except ExceptionGroup as eg:
        print("caught", type(eg).__name__, eg)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(bad())
        tg.create_task(ok(1))

asyncio.run(main())
"#;

fn code_run() -> Run {
    let s = Scenario::parse([("pattern", "code"), ("code", PROGRAM)]).expect("a code scenario");
    let (events, _) = run_virtual(&s, PROGRAM);
    Run::new(&s, ClockKind::Virtual, events)
}

#[test]
fn a_code_task_that_raised_shows_its_failure_on_its_lane() {
    let run = code_run();
    assert_eq!(run.labels, ["main()", "ok(0.01)", "ok(0.2)", "bad()", "bad()", "ok(1)"]);
    let tl = Timeline::build(run.summary.tasks, &run.events, f64::INFINITY);
    let last_bar = |task: u32| tl.bars.iter().rfind(|b| b.task == task).expect("a bar");
    for bad in [3, 4] {
        let bar = last_bar(bad);
        assert_eq!(bar.close, Some(Kind::Fail), "bad() (task {bad}) is drawn failed: {bar:?}");
        let words = bar_words("bad()", bar);
        assert!(words.ends_with("failed: ValueError: boom"), "{words}");
        let failed = run.events[bar.closed.expect("closed")].clone();
        assert_eq!((failed.kind, failed.t), (Kind::Failed, bar.end), "the replay shows it with the `failed` event");
        assert!(tl.marks.iter().all(|m| m.task != bad || !m.raised), "not drawn twice");
    }
    // The ones that were cancelled keep their cancelled bar; the one that returned, its plain one.
    assert_eq!(last_bar(2).close, Some(Kind::Cancel));
    assert_eq!(last_bar(5).close, Some(Kind::Cancel));
    assert_eq!(last_bar(1).close, Some(Kind::End));
    // main() has no span: its failure is a × of its own.
    let raised: Vec<_> = tl.marks.iter().filter(|m| m.raised).collect();
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!((raised[0].task, raised[0].t), (0, 100.0));
    assert_eq!(
        mark_words("main()", raised[0]),
        "main(): failed at 100 ms: ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)"
    );
    // The summary counts the three that raised as failed, the two cancelled apart.
    assert_eq!((run.summary.failures, run.summary.cancelled), (5, 2));
}

#[test]
fn a_pattern_runs_failures_are_drawn_by_its_spans_alone() {
    for q in [
        "pattern=sequential&tasks=4&fail=0.5&min=10&max=50&seed=3",
        "pattern=gather&errors=raise&tasks=6&fail=0.4&min=10&max=50",
        "pattern=gather&errors=fail_fast&tasks=6&fail=0.4&min=10&max=50",
        "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=10&max=50",
        "pattern=retry&retries=2&delay=20&tasks=4&fail=1&limit=2&hold=1",
        "pattern=retry&retries=4&delay=20&backoff=exponential&jitter=0.5&tasks=5&fail=0.7&limit=2&hold=0",
        "pattern=fallback&tasks=6&fail=0.5&min=10&max=50",
        "pattern=resource&acquire=10&release=5&tasks=5&fail=0.4&limit=2",
        "pattern=pipeline&process=10&save=5&tasks=5&fail=0.4&limit=2",
        "pattern=timeout&timeout=30&tasks=6&fail=0.3&min=10&max=50",
        "pattern=race&tasks=5&fail=0.3&min=10&max=50",
        "pattern=as_completed&process=10&tasks=6&fail=0.3&min=10&max=50",
        "pattern=gather&errors=fail_fast&tasks=6&fail=0.3&min=20&max=120&seed=8&what_if=2:cancel@30",
        "pattern=retry&retries=3&delay=30&jitter=0.5&tasks=5&fail=0.5&min=20&max=80&seed=4&what_if=0:cancel@70",
    ] {
        let s = Scenario::from_query(q).expect("valid");
        let run = run_pattern(&s);
        assert!(run.events.iter().any(|e| matches!(e.kind, Kind::Fail | Kind::Failed)), "{q}: something fails");
        let tl = Timeline::build(run.summary.tasks, &run.events, f64::INFINITY);
        for bar in &tl.bars {
            let closed = bar.closed.map(|i| run.events[i].kind);
            assert_eq!(bar.close, closed, "{q}: {bar:?} closes as its event does");
        }
        assert!(tl.marks.iter().all(|m| !m.raised), "{q}: no failure drawn apart from its span");
    }
}
