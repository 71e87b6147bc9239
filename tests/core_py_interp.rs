//! The interpreter of the reader's asyncio code (issue 15): programs run on the virtual clock and
//! their recorded lanes, spans, prints and tracebacks are checked against what CPython 3.12 does.

use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::py::interp::run_virtual;
use awaitlab::core::py::CodeError;
use awaitlab::core::scenario::Scenario;

fn scenario() -> Scenario {
    Scenario::from_query("pattern=gather&tasks=5&min=100&max=100&seed=7").expect("a valid scenario")
}

/// Runs `src` (dedented) on the virtual clock, on a big stack (debug builds use far more stack
/// per nested call than release builds do).
fn run(src: &str) -> (Vec<Event>, Done) {
    let src = dedent(src);
    let (json, done) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let (events, fin) = run_virtual(&scenario(), &src);
            let outcomes = fin.outcomes.into_iter().map(|o| o.map(String::from).map_err(String::from)).collect();
            (serde_json::to_string(&events).expect("events as JSON"), Done { outcomes, stopped: fin.stopped })
        })
        .expect("a thread")
        .join()
        .expect("the run does not panic");
    (serde_json::from_str(&json).expect("events from JSON"), done)
}

/// How a run ended (a `Finished` that can cross threads).
struct Done {
    outcomes: Vec<Result<String, String>>,
    stopped: Option<CodeError>,
}

fn dedent(src: &str) -> String {
    let lines: Vec<&str> = src.lines().skip_while(|l| l.trim().is_empty()).collect();
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    lines.iter().map(|l| if l.len() >= indent { &l[indent..] } else { l.trim_start() }).collect::<Vec<_>>().join("\n")
        + "\n"
}

/// The printed lines, in order.
fn prints(events: &[Event]) -> Vec<String> {
    events.iter().filter(|e| e.kind == Kind::Print).map(|e| e.detail.to_string()).collect()
}

/// (time, text) of each printed line.
fn timed_prints(events: &[Event]) -> Vec<(f64, String)> {
    events.iter().filter(|e| e.kind == Kind::Print).map(|e| (e.t, e.detail.to_string())).collect()
}

/// The run's last event time.
fn makespan(events: &[Event]) -> f64 {
    events.iter().map(|e| e.t).fold(0.0, f64::max)
}

/// Lane labels, by task index.
fn lanes(events: &[Event]) -> Vec<String> {
    events.iter().filter(|e| e.kind == Kind::Spawn).map(|e| e.detail.to_string()).collect()
}

/// Spans of `phase`: (task, begin, end, closing kind, close detail).
fn spans(events: &[Event], phase: Phase) -> Vec<(u32, f64, f64, Kind, String)> {
    let mut out = Vec::new();
    for (i, b) in events.iter().enumerate() {
        if b.kind != Kind::Begin || b.phase != phase {
            continue;
        }
        let close = events[i + 1..]
            .iter()
            .find(|e| e.kind.closes_span() && e.task == b.task && e.attempt == b.attempt && e.phase == phase);
        let close = close.unwrap_or_else(|| panic!("span {b:?} never closes"));
        out.push((b.task, b.t, close.t, close.kind, close.detail.to_string()));
    }
    out
}

/// Most spans of `phase` open at once.
fn peak(events: &[Event], phase: Phase) -> u32 {
    let (mut now, mut peak) = (0i32, 0i32);
    for e in events.iter().filter(|e| e.phase == phase) {
        if e.kind == Kind::Begin {
            now += 1;
            peak = peak.max(now);
        } else if e.kind.closes_span() {
            now -= 1;
        }
    }
    peak as u32
}

fn outcome_texts(f: &Done) -> Vec<String> {
    f.outcomes
        .iter()
        .map(|o| match o {
            Ok(v) => format!("ok {v}"),
            Err(e) => format!("err {e}"),
        })
        .collect()
}

const BREAKFAST_GATHER: &str = r#"
    import asyncio
    import time

    async def brew_coffee():
        print("Start brewing coffee")
        await asyncio.sleep(3)
        print("Coffee ready")
        return "coffee"

    async def toast_bread():
        print("Start toasting bread")
        await asyncio.sleep(2)
        print("Toast ready")
        return "toast"

    async def main():
        start = time.time()
        coffee, toast = await asyncio.gather(brew_coffee(), toast_bread())
        print(f"Breakfast ready: {coffee} and {toast} in {time.time() - start:.2f} s")

    asyncio.run(main())
"#;

#[test]
fn breakfast_with_gather_takes_3_s_and_without_it_5_s() {
    let (events, fin) = run(BREAKFAST_GATHER);
    assert!(fin.stopped.is_none(), "{:?}", fin.stopped);
    assert_eq!(makespan(&events), 3000.0);
    assert_eq!(lanes(&events), ["main()", "brew_coffee()", "toast_bread()"]);
    assert_eq!(
        timed_prints(&events),
        [
            (0.0, "Start brewing coffee".to_string()),
            (0.0, "Start toasting bread".into()),
            (2000.0, "Toast ready".into()),
            (3000.0, "Coffee ready".into()),
            (3000.0, "Breakfast ready: coffee and toast in 3.00 s".into()),
        ]
    );
    let work = spans(&events, Phase::Work);
    assert_eq!(work, [(1, 0.0, 3000.0, Kind::End, "sleep(3)".into()), (2, 0.0, 2000.0, Kind::End, "sleep(2)".into())]);
    assert_eq!(outcome_texts(&fin), ["ok None", "ok 'coffee'", "ok 'toast'"]);

    let sequential = BREAKFAST_GATHER.replace(
        "coffee, toast = await asyncio.gather(brew_coffee(), toast_bread())",
        "coffee = await brew_coffee()\n        toast = await toast_bread()",
    );
    let (events, _) = run(&sequential);
    assert_eq!(makespan(&events), 5000.0);
    assert_eq!(lanes(&events), ["main()"], "awaiting a coroutine runs it in the same task");
    assert_eq!(prints(&events).last().map(String::as_str), Some("Breakfast ready: coffee and toast in 5.00 s"));
}

#[test]
fn a_semaphore_of_2_over_5_tasks_of_1_s_takes_3_s_with_2_in_flight() {
    let (events, fin) = run(r#"
        import asyncio

        async def work(sem, i):
            async with sem:
                await asyncio.sleep(1)
            return i

        async def main():
            sem = asyncio.Semaphore(2)
            results = await asyncio.gather(*(work(sem, i) for i in range(5)))
            print(results)

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none());
    assert_eq!(makespan(&events), 3000.0);
    assert_eq!(peak(&events, Phase::Work), 2);
    assert_eq!(prints(&events), ["[0, 1, 2, 3, 4]"]);
    assert_eq!(
        lanes(&events)[1..],
        [
            "work(<Semaphore object>, 0)",
            "work(<Semaphore object>, 1)",
            "work(<Semaphore object>, 2)",
            "work(<Semaphore object>, 3)",
            "work(<Semaphore object>, 4)"
        ]
    );
    // Only real waits are recorded: tasks 3 and 4 wait 1 s, task 5 waits 2 s.
    let waits = spans(&events, Phase::Wait);
    assert_eq!(
        waits,
        [
            (3, 0.0, 1000.0, Kind::End, "Semaphore".into()),
            (4, 0.0, 1000.0, Kind::End, "Semaphore".into()),
            (5, 0.0, 2000.0, Kind::End, "Semaphore".into()),
        ]
    );
}

#[test]
fn wait_for_times_out_at_the_deadline_and_closes_the_span_with_timeout() {
    let (events, fin) = run(r#"
        import asyncio

        async def slow():
            await asyncio.sleep(2)
            return "late"

        async def exact():
            await asyncio.sleep(1)
            return "exact"

        async def main():
            try:
                await asyncio.wait_for(slow(), timeout=0.5)
            except asyncio.TimeoutError:
                print("timed out")
            try:
                await asyncio.wait_for(exact(), 1)
            except TimeoutError:
                print("exactly as long as the timeout: timed out too")
            print(await asyncio.wait_for(slow(), 3))

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none());
    assert_eq!(
        timed_prints(&events),
        [
            (500.0, "timed out".into()),
            (1500.0, "exactly as long as the timeout: timed out too".into()),
            (3500.0, "late".into())
        ]
    );
    let work = spans(&events, Phase::Work);
    assert_eq!(work[0], (0, 0.0, 500.0, Kind::Timeout, "sleep(2)".into()));
    assert_eq!(work[1], (0, 500.0, 1500.0, Kind::Timeout, "sleep(1)".into()));
    assert_eq!(work[2], (0, 1500.0, 3500.0, Kind::End, "sleep(2)".into()));
}

#[test]
fn asyncio_timeout_raises_timeout_error_after_the_block_and_cancel_reaches_except_and_finally() {
    let (events, fin) = run(r#"
        import asyncio

        async def worker():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                print("worker cancelled")
                raise
            finally:
                print("worker cleanup")

        async def main():
            try:
                async with asyncio.timeout(1):
                    await asyncio.sleep(5)
            except TimeoutError:
                print("block timed out")
            t = asyncio.create_task(worker())
            await asyncio.sleep(0.5)
            t.cancel()
            try:
                await t
            except asyncio.CancelledError:
                print("main saw the cancellation", t.cancelled())

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none(), "{:?}", fin.stopped);
    assert_eq!(
        timed_prints(&events),
        [
            (1000.0, "block timed out".into()),
            (1500.0, "worker cancelled".into()),
            (1500.0, "worker cleanup".into()),
            (1500.0, "main saw the cancellation True".into()),
        ]
    );
    let work = spans(&events, Phase::Work);
    assert_eq!(work[0].3, Kind::Timeout);
    assert_eq!(work[2], (1, 1000.0, 1500.0, Kind::Cancel, String::new()));
    let failed: Vec<_> =
        events.iter().filter(|e| e.kind == Kind::Failed).map(|e| (e.task, e.detail.to_string())).collect();
    assert_eq!(failed, [(1, "cancelled".to_string())]);
}

#[test]
fn a_task_group_s_first_error_cancels_its_siblings_and_raises_an_exception_group() {
    let (events, fin) = run(r#"
        import asyncio

        async def ok(n):
            await asyncio.sleep(n)
            return n

        async def boom():
            await asyncio.sleep(1)
            raise ValueError("boom")

        async def main():
            try:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(ok(3))
                    tg.create_task(boom())
                    tg.create_task(ok(5))
            except ExceptionGroup as eg:
                print("caught", eg, [type(e).__name__ for e in eg.exceptions], eg.exceptions[0])

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none(), "{:?}", fin.stopped);
    assert_eq!(
        timed_prints(&events),
        [(1000.0, "caught unhandled errors in a TaskGroup (1 sub-exception) ['ValueError'] boom".into())]
    );
    assert_eq!(outcome_texts(&fin), ["ok None", "err cancelled", "err ValueError: boom", "err cancelled"]);
    let work = spans(&events, Phase::Work);
    assert_eq!(
        work.iter().map(|w| (w.0, w.2, w.3)).collect::<Vec<_>>(),
        [(1, 1000.0, Kind::Cancel), (2, 1000.0, Kind::End), (3, 1000.0, Kind::Cancel)]
    );
}

#[test]
fn a_queue_worker_pool_of_3_processes_9_items_of_1_s_in_3_s() {
    let (events, fin) = run(r#"
        import asyncio

        async def worker(name, queue, done):
            while True:
                item = await queue.get()
                await asyncio.sleep(1)
                done.append((name, item))
                queue.task_done()

        async def main():
            queue = asyncio.Queue()
            done = []
            for i in range(9):
                queue.put_nowait(i)
            workers = [asyncio.create_task(worker(f"w{n}", queue, done)) for n in range(3)]
            await queue.join()
            for w in workers:
                w.cancel()
            res = await asyncio.gather(*workers, return_exceptions=True)
            print(len(done), sorted(i for _, i in done))
            print([type(r).__name__ for r in res])

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none(), "{:?}", fin.stopped);
    assert_eq!(
        timed_prints(&events),
        [
            (3000.0, "9 [0, 1, 2, 3, 4, 5, 6, 7, 8]".into()),
            (3000.0, "['CancelledError', 'CancelledError', 'CancelledError']".into())
        ]
    );
    assert_eq!(peak(&events, Phase::Work), 3);
    assert_eq!(
        lanes(&events),
        [
            "main()",
            "worker('w0', <Queue object>, [])",
            "worker('w1', <Queue object>, [])",
            "worker('w2', <Queue object>, [])"
        ]
    );
    // Each worker's last get waits until it is cancelled; main waits on join.
    let waits = spans(&events, Phase::Wait);
    assert!(waits.iter().any(|w| w.0 == 0 && w.4 == "Queue.join" && w.2 == 3000.0), "{waits:?}");
    assert_eq!(waits.iter().filter(|w| w.0 > 0 && w.3 == Kind::Cancel).count(), 3);
}

#[test]
fn an_uncaught_exception_prints_a_traceback_with_the_reader_s_lines() {
    let (events, fin) = run(r#"
        import asyncio

        async def fetch(n):
            await asyncio.sleep(0.1)
            if n == 2:
                raise ValueError("boom")
            return n

        async def main():
            results = []
            for n in range(3):
                results.append(await fetch(n))

        asyncio.run(main())
    "#);
    assert!(fin.stopped.is_none());
    assert_eq!(
        prints(&events),
        [
            "Traceback (most recent call last):",
            "  line 14, in <module>",
            "  line 12, in main",
            "  line 6, in fetch",
            "ValueError: boom",
        ]
    );
    let failed: Vec<_> =
        events.iter().filter(|e| e.kind == Kind::Failed).map(|e| (e.task, e.detail.to_string(), e.line, e.t)).collect();
    assert_eq!(failed, [(0, "ValueError: boom".to_string(), 6, 300.0)]);
}

#[test]
fn an_await_free_infinite_loop_stops_at_the_step_budget_naming_its_line() {
    let (events, fin) = run(r#"
        import asyncio

        async def main():
            n = 0
            while True:
                n += 1

        asyncio.run(main())
    "#);
    let stop = fin.stopped.expect("stopped");
    assert_eq!(stop.line, 6);
    assert!(stop.message.starts_with("the program ran 5,000,000 steps without awaiting"), "{}", stop.message);
    assert!(stop.message.contains("(line 6)"), "{}", stop.message);
    assert!(events.iter().any(|e| e.kind == Kind::Failed && e.detail.starts_with("stopped: ")));
}

#[test]
fn deep_recursion_raises_recursion_error_and_an_unknown_name_raises_name_error_with_its_line() {
    let (events, _) = run(r#"
        def down(n):
            return down(n + 1)

        try:
            down(0)
        except RecursionError as e:
            print("RecursionError:", e)
        print(undefined_thing(3))
    "#);
    let p = prints(&events);
    assert!(p[0].starts_with("RecursionError: maximum recursion depth exceeded"), "{p:?}");
    assert_eq!(
        p[1..],
        [
            "Traceback (most recent call last):",
            "  line 8, in <module>",
            "NameError: name 'undefined_thing' is not defined"
        ]
    );
}

/// The lines a program printed, as one text (a line per print).
fn printed(src: &str) -> String {
    let (events, done) = run(src);
    assert!(done.stopped.is_none(), "{:?}", done.stopped);
    prints(&events).join("\n") + "\n"
}

#[test]
fn the_language_subset_prints_what_cpython_prints() {
    let ours = printed(include_str!("py/semantics.py"));
    let cpython = include_str!("py/semantics.out");
    for (i, (a, b)) in ours.lines().zip(cpython.lines()).enumerate() {
        assert_eq!(a, b, "line {} of the output", i + 1);
    }
    assert_eq!(ours.lines().count(), cpython.lines().count());
}

#[test]
fn asyncio_s_order_of_events_is_cpython_s() {
    let ours = printed(include_str!("py/asyncio_order.py"));
    let cpython = include_str!("py/asyncio_order.out");
    for (i, (a, b)) in ours.lines().zip(cpython.lines()).enumerate() {
        assert_eq!(a, b, "line {} of the output", i + 1);
    }
    assert_eq!(ours.lines().count(), cpython.lines().count());
}

/// Every pattern's generated Python (the code panel's starting point), run by the interpreter,
/// takes exactly the pattern's predicted makespan: the same sleeps, permits, deadlines,
/// cancellations and backoffs, in the same order.
#[test]
fn every_pattern_s_generated_python_runs_in_the_pattern_s_predicted_makespan() {
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
        "pattern=gather&tasks=200&min=20&max=600&seed=13",
    ];
    for q in SCENARIOS {
        let s = Scenario::from_query(q).expect("a valid scenario");
        let src = awaitlab::core::code::python(&s);
        let predicted = awaitlab::core::run::run_virtual(&s).summary.makespan_ms;
        let (events, fin) = run_virtual(&s, &src);
        assert!(fin.stopped.is_none(), "{q}: {:?}", fin.stopped);
        let last = prints(&events).last().cloned().unwrap_or_default();
        assert_eq!(last, format!("makespan_ms={predicted:.1}"), "{q}");
    }
}
