//! Python code that runs without awaiting holds the event loop (the interpreter's `held` module).
//! On a clock whose time moves as code runs, each stretch of a task's code between suspensions
//! that ran 2 ms or more is a `work` span on its lane over exactly that time, closing `ran 60 ms
//! without awaiting`, at the task's own statement, and the page's busy strip counts it; on the
//! virtual clock (every prediction) time does not move while code runs, and there is none.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use awaitlab::core::aio::Loop;
use awaitlab::core::clock::{Clock, VirtualClock};
use awaitlab::core::cpu::{busy_intervals, WITHOUT_AWAITING};
use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::patterns::Ctx;
use awaitlab::core::py::interp::run_detailed;
use awaitlab::core::scenario::Scenario;

/// A virtual clock whose time moves on `.0` ms each time it is read, as a real clock's does while
/// code runs: a program that reads it in a loop (`time.perf_counter()`) computes for as long as
/// it reads. Its timers come due meanwhile and fire late, when the loop is free, as on a real loop.
#[derive(Clone)]
struct Ticking(f64, VirtualClock);

impl Clock for Ticking {
    type Sleep = <VirtualClock as Clock>::Sleep;
    fn now(&self) -> f64 {
        self.1.block(self.0);
        self.1.now()
    }
    fn sleep(&self, ms: f64) -> Self::Sleep {
        self.1.sleep(ms)
    }
    fn start_iteration(&self) {
        self.1.start_iteration()
    }
    fn block(&self, ms: f64) {
        self.1.block(ms)
    }
}

/// A virtual clock whose sleeps take `.0` ms of the loop's time to arm, when first polled: the
/// runtime's own work to suspend a task, as the page's first `setTimeout` of a run took 2–6 ms
/// in Chromium.
#[derive(Clone)]
struct CostlyTimers(f64, VirtualClock);

struct ArmedSlowly {
    cost: Option<(f64, VirtualClock)>,
    sleep: Pin<Box<<VirtualClock as Clock>::Sleep>>,
}

impl Future for ArmedSlowly {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some((ms, clock)) = self.cost.take() {
            clock.block(ms);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl Clock for CostlyTimers {
    type Sleep = ArmedSlowly;
    fn now(&self) -> f64 {
        self.1.now()
    }
    fn sleep(&self, ms: f64) -> Self::Sleep {
        ArmedSlowly { cost: Some((self.0, self.1.clone())), sleep: Box::pin(self.1.sleep(ms)) }
    }
    fn start_iteration(&self) {
        self.1.start_iteration()
    }
    fn block(&self, ms: f64) {
        self.1.block(ms)
    }
}

/// The events of `src` (dedented) run on a [`Ticking`] clock of 0.1 ms a read (on a big stack,
/// as debug builds need), and why it stopped, if it did.
fn run_ticking(src: &str) -> (Vec<Event>, Option<String>) {
    run_on(src, |clock| Ctx::new(Ticking(0.1, clock), code_scenario()))
}

/// The events of `src` (dedented) run on the clock of the context `ctx` makes of a virtual clock.
fn run_on(src: &str, ctx: fn(VirtualClock) -> Ctx) -> (Vec<Event>, Option<String>) {
    let src = dedent(src);
    let (json, stopped) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let clock = VirtualClock::new();
            let ctx = ctx(clock.clone());
            let c = clock.clone();
            let lp = Loop::new(move || c.start_iteration());
            let fin = clock.block_on(lp.run(run_detailed(&ctx, &lp, &src))).expect("no deadlock");
            drop(lp);
            let events = ctx.rec.take();
            (serde_json::to_string(&events).expect("JSON"), fin.stopped.map(|e| e.message))
        })
        .expect("a thread")
        .join()
        .expect("the run does not panic");
    (serde_json::from_str(&json).expect("events"), stopped)
}

fn code_scenario() -> Scenario {
    Scenario::from_query("pattern=code&code=pass").expect("a code scenario")
}

fn dedent(src: &str) -> String {
    let lines: Vec<&str> = src.lines().skip_while(|l| l.trim().is_empty()).collect();
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    lines.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect::<Vec<_>>().join("\n") + "\n"
}

/// The 1-based line of `src` (dedented) that contains `text`.
fn line_of(src: &str, text: &str) -> u32 {
    dedent(src).lines().position(|l| l.contains(text)).expect("the line") as u32 + 1
}

/// Every closed span: (task, begin, end, close detail, line).
fn spans(events: &[Event]) -> Vec<(u32, f64, f64, String, u32)> {
    let mut out = Vec::new();
    for (i, b) in events.iter().enumerate().filter(|(_, e)| e.kind == Kind::Begin) {
        let close = events[i + 1..]
            .iter()
            .find(|e| e.kind.closes_span() && (e.task, e.attempt, e.phase) == (b.task, b.attempt, b.phase));
        let close = close.unwrap_or_else(|| panic!("span {b:?} never closes"));
        assert_eq!(close.line, b.line, "{b:?}");
        out.push((b.task, b.t, close.t, close.detail.to_string(), b.line));
    }
    out
}

/// The spans of code that ran without awaiting.
fn held(events: &[Event]) -> Vec<(u32, f64, f64, String, u32)> {
    spans(events).into_iter().filter(|s| s.3.ends_with(WITHOUT_AWAITING)).collect()
}

/// No two spans of one lane overlap, and the events are in time order.
fn assert_lanes_do_not_overlap(events: &[Event]) {
    assert!(events.windows(2).all(|w| w[0].t <= w[1].t), "events in time order");
    let mut all = spans(events);
    all.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).expect("times"));
    for w in all.windows(2).filter(|w| w[0].0 == w[1].0) {
        assert!(w[1].1 >= w[0].2, "overlapping spans on lane {}: {:?} and {:?}", w[0].0, w[0], w[1]);
    }
}

const CRUNCH: &str = r#"
    import asyncio
    import time


    def crunch(n):
        total = 0
        for i in range(n):
            total += i * i
            time.perf_counter()  # each read moves the test's clock on 0.1 ms: it computes
        return total


    async def job(name):
        print(name, crunch(600))


    async def ticker():
        await asyncio.sleep(0.1)
        print("tick")


    async def main():
        await asyncio.gather(ticker(), job("a"), job("b"))


    asyncio.run(main())
"#;

/// The brief's program: two jobs that compute 60 ms each without awaiting, gathered with a ticker
/// whose 100 ms timer comes due while they do. Each job's lane has one span over its computation,
/// at its own line (`print(name, crunch(600))`, not a line inside `crunch`), one after the other;
/// the ticker's sleep ends after both (its timer fired late); the busy strip counts them.
/// Before, the jobs' lanes were empty.
#[test]
fn code_that_runs_without_awaiting_is_a_work_span_on_its_lane() {
    let (events, stopped) = run_ticking(CRUNCH);
    assert_eq!(stopped, None);
    let said: Vec<String> = events.iter().filter(|e| e.kind == Kind::Print).map(|e| e.detail.to_string()).collect();
    assert_eq!(said, ["a 71820100", "b 71820100", "tick"]);
    let line = line_of(CRUNCH, "print(name, crunch(600))");
    let held = held(&events);
    let (a, b) = match &held[..] {
        [a, b] => (a, b),
        other => panic!("one span per job: {other:#?}"),
    };
    assert_eq!((a.0, &a.3[..], a.4), (2, "ran 60 ms without awaiting", line), "{a:?}");
    assert_eq!((b.0, &b.3[..], b.4), (3, "ran 60 ms without awaiting", line), "{b:?}");
    assert!(b.1 >= a.2, "one after the other: {a:?} {b:?}");
    let tick = spans(&events).into_iter().find(|s| s.3 == "sleep(0.1)").expect("the ticker's sleep");
    assert!(tick.1 < a.1 && tick.2 >= b.2, "the ticker's timer fires once the loop is free: {tick:?}");
    assert_lanes_do_not_overlap(&events);
    assert_eq!(busy_intervals(&code_scenario(), &events), [(2, a.1, a.2), (3, b.1, b.2)]);
}

/// A stretch that calls `time.sleep` is split around it: the sleep keeps its own span, and the
/// code before and after it are spans of their own, contiguous with it and never overlapping.
/// A stretch resumed after an `await` starts after that await's span closes, and its span is at
/// the task's own statement that ran the most (`crunch(300)`, not the `await` it resumed at or
/// the `print` it ended on).
#[test]
fn time_sleep_in_a_stretch_keeps_its_own_span_and_splits_the_code_around_it() {
    let src = r#"
        import asyncio
        import time


        def crunch(n):
            for i in range(n):
                time.perf_counter()


        async def job():
            await asyncio.sleep(0.01)
            crunch(300)
            time.sleep(0.05)
            crunch(200)
            print("done")
            await asyncio.sleep(0.02)


        asyncio.run(job())
    "#;
    let (events, stopped) = run_ticking(src);
    assert_eq!(stopped, None);
    let work: Vec<_> = spans(&events).into_iter().filter(|s| s.0 == 0).collect();
    let shown: Vec<(&str, u32)> = work.iter().map(|s| (s.3.as_str(), s.4)).collect();
    let line = |text| line_of(src, text);
    assert_eq!(
        shown,
        [
            ("sleep(0.01)", line("await asyncio.sleep(0.01)")),
            ("ran 30 ms without awaiting", line("crunch(300)")),
            ("time.sleep(0.05)", line("time.sleep(0.05)")),
            ("ran 20 ms without awaiting", line("crunch(200)")),
            ("sleep(0.02)", line("await asyncio.sleep(0.02)")),
        ]
    );
    // Contiguous, to within a few of the clock's reads.
    for w in work.windows(2) {
        assert!(w[1].1 >= w[0].2 && w[1].1 - w[0].2 < 1.0, "{:?} then {:?}", w[0], w[1]);
    }
    assert!((work[2].2 - work[2].1 - 50.0).abs() < 1.0, "time.sleep's own 50 ms: {:?}", work[2]);
    assert_lanes_do_not_overlap(&events);
    let busy: Vec<_> = busy_intervals(&code_scenario(), &events).into_iter().map(|b| (b.1, b.2)).collect();
    assert_eq!(busy, [(work[1].1, work[1].2), (work[2].1, work[2].2), (work[3].1, work[3].2)]);
}

/// The runtime's work to suspend a task is not the task's code: on a clock whose timers take 5 ms
/// of the loop's time to arm, three tasks that only sleep draw no span of code, and their sleeps
/// start where their code reached the `await`. Before, each task's first step was drawn as `ran
/// 5 ms without awaiting` at its `await asyncio.sleep(…)`: the first measured run of a page,
/// whose first `setTimeout` took 2–6 ms, showed a trivial program holding the loop.
#[test]
fn arming_a_timer_is_not_the_task_s_code() {
    let src = r#"
        import asyncio


        async def fetch(n):
            await asyncio.sleep(0.05 * n)
            return n


        async def main():
            print(await asyncio.gather(fetch(1), fetch(2), fetch(3)))


        asyncio.run(main())
    "#;
    let (events, stopped) = run_on(src, |clock| Ctx::new(CostlyTimers(5.0, clock), code_scenario()));
    assert_eq!(stopped, None);
    let said: Vec<&str> = events.iter().filter(|e| e.kind == Kind::Print).map(|e| &*e.detail).collect();
    assert_eq!(said, ["[1, 2, 3]"]);
    assert_eq!(held(&events), [], "no task's code held the loop");
    let sleeps: Vec<_> = spans(&events).into_iter().filter(|s| s.3.starts_with("sleep(")).map(|s| (s.0, s.1)).collect();
    // Each sleep begins when its task reached it: after the arming of the timers before it.
    assert_eq!(sleeps, [(1, 0.0), (2, 5.0), (3, 10.0)]);
    assert_lanes_do_not_overlap(&events);
}

/// A stretch of a few steps is not the program holding the loop, however long it took: on a page's
/// first run the browser compiles the interpreter's code as it first runs, and the page's own
/// default program drew "main() ran 3 ms without awaiting" at its first stretch (40 steps), with
/// advice to split work it did not have. Here every clock read takes 3 ms, so every stretch takes
/// 3 ms or more: only the task whose loop ran thousands of steps is drawn as holding the loop.
#[test]
fn a_stretch_of_a_few_steps_did_not_hold_the_loop_however_long_it_took() {
    let src = r#"
        import asyncio


        async def fetch(n):
            await asyncio.sleep(0.05 * n)
            return n


        async def crunch():
            total = 0
            for i in range(1000):
                total += i * i
            await asyncio.sleep(0.01)
            return total


        async def main():
            print(await asyncio.gather(fetch(1), fetch(2), crunch()))


        asyncio.run(main())
    "#;
    let (events, stopped) = run_on(src, |clock| Ctx::new(Ticking(3.0, clock), code_scenario()));
    assert_eq!(stopped, None);
    let said: Vec<&str> = events.iter().filter(|e| e.kind == Kind::Print).map(|e| &*e.detail).collect();
    assert_eq!(said, ["[1, 2, 332833500]"]);
    let held: Vec<(u32, u32)> = held(&events).iter().map(|s| (s.0, s.4)).collect();
    assert_eq!(held, [(3, line_of(src, "total += i * i"))], "only crunch()'s loop held the loop");
    assert_lanes_do_not_overlap(&events);
}

/// An `await`-free `while True:` in one task, gathered with a task sleeping 0.1 s: the spinning
/// task's lane shows it computing from its start to the stop (5,000,000 steps), then the stop;
/// the sleeping task's timer never fired (the loop never got free), so its sleep is cut short and
/// it ends `stopped: …`, naming the loop's line. Before, the spinning lane was blank up to the ×.
#[test]
fn an_await_free_loop_holds_the_loop_until_the_run_stops_it() {
    let src = r#"
        import asyncio
        import time


        async def spin():
            while True:
                time.perf_counter()


        async def sleeper():
            await asyncio.sleep(0.1)
            print("woke")


        async def main():
            await asyncio.gather(sleeper(), spin())


        asyncio.run(main())
    "#;
    let (events, stopped) = run_ticking(src);
    let loop_line = line_of(src, "while True:");
    let stopped = stopped.expect("stopped");
    assert!(stopped.contains(&format!("without awaiting anything that waits (line {}", loop_line + 1)), "{stopped}");
    let held = held(&events);
    assert_eq!(held.len(), 1, "{held:#?}");
    let (task, t0, t1, _, line) = &held[0];
    assert_eq!((*task, *line), (2, line_of(src, "time.perf_counter()")));
    // It computed from its first step to the stop, and nothing came after it on its lane.
    let failed = events.iter().find(|e| e.task == 2 && e.kind == Kind::Failed).expect("the spinning task failed");
    assert!(*t0 < 5.0 && *t1 > 100.0 && failed.t >= *t1, "{:?} then {failed:?}", held[0]);
    // The sleeper's 100 ms timer never got its turn: its sleep is cut short at the stop.
    let sleep = events.iter().rfind(|e| e.task == 1 && e.phase == Phase::Work).expect("the sleep");
    assert_eq!(sleep.kind, Kind::Cancel);
    let sleeper = events.iter().find(|e| e.task == 1 && e.kind == Kind::Failed).expect("the sleeper stopped");
    assert!(sleeper.detail.starts_with("stopped: the program ran 5,000,000 steps without awaiting"), "{sleeper:?}");
    assert_lanes_do_not_overlap(&events);
}

/// On the virtual clock (every prediction) time does not move while code runs: a CPU-heavy
/// program's prediction has no span of code, its jobs' lanes hold only their `done`, nothing is
/// busy, and its events are what they were before spans of code existed.
#[test]
fn a_prediction_counts_code_between_awaits_as_instant() {
    let src =
        dedent(&CRUNCH.replace("crunch(600)", "crunch(100_000)").replace(
            "            time.perf_counter()  # each read moves the test's clock on 0.1 ms: it computes\n",
            "",
        ));
    let scenario = Scenario::parse([("pattern", "code"), ("code", src.as_str())]).expect("a code scenario");
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || awaitlab::core::run::run_virtual(&scenario).to_json())
        .expect("a thread")
        .join()
        .expect("no panic");
    let run = awaitlab::core::run::Run::from_json(&run).expect("reads back");
    assert!(held(&run.events).is_empty());
    assert!(busy_intervals(&code_scenario(), &run.events).is_empty());
    let shown: Vec<String> = run
        .events
        .iter()
        .map(|e| format!("{} {} {} {:?} {:?} {} {}", e.t, e.task, e.attempt, e.kind, e.phase, e.detail, e.line))
        .collect();
    assert_eq!(
        shown,
        [
            "0 0 0 Spawn Task main() 25",
            "0 1 0 Spawn Task ticker() 22",
            "0 2 0 Spawn Task job('a') 22",
            "0 3 0 Spawn Task job('b') 22",
            "0 1 1 Begin Work  17",
            "0 2 0 Print Task a 333328333350000 13",
            "0 2 0 Done Task None 13",
            "0 3 0 Print Task b 333328333350000 13",
            "0 3 0 Done Task None 13",
            "100 1 1 End Work sleep(0.1) 17",
            "100 1 0 Print Task tick 18",
            "100 1 0 Done Task None 18",
            "100 0 0 Done Task None 22",
        ]
    );
}

/// The page draws a measured run's spans of code as the event loop busy (the prediction, which
/// has none, draws no strip) and says how long Python code held the loop, where (the longest
/// stretch's task and line), that only a measured run shows it, and what to do: await between
/// chunks (the interpreter has no thread or process to hand work to). With `time.sleep` in the
/// program too, it says how long that blocked. Before, a code run's busy strip and note came from
/// `time.sleep` alone.
#[test]
fn the_page_notes_how_long_code_held_the_loop_and_that_only_a_measured_run_shows_it() {
    use awaitlab::core::run::{run_virtual, Run};
    use awaitlab::core::scenario::ClockKind;
    use awaitlab::core::view::cpu_view;
    let views = |src: &str| {
        let scenario = Scenario::parse([("pattern", "code"), ("code", dedent(src).as_str())]).expect("a code scenario");
        let measured = Run::new(&scenario, ClockKind::Browser, run_ticking(src).0);
        let shown = scenario.clone();
        let predicted = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || run_virtual(&scenario).to_json())
            .expect("a thread")
            .join()
            .expect("no panic");
        let predicted = Run::from_json(&predicted).expect("reads back");
        cpu_view(&shown, Some(&predicted), Some(&measured), 2, &[])
    };
    let view = views(CRUNCH);
    assert_eq!(view.predicted, None);
    assert_eq!(view.measured.as_ref().map(|b| b.len()), Some(2));
    assert_eq!(
        view.notes,
        [format!(
            "Python code held the event loop 120 ms without awaiting (longest: job('a'), line {}, 60 ms): meanwhile no other task ran, no timer fired (they fired late) and the page could not draw. The prediction counts code as instant: only a measured run shows it. Await asyncio.sleep(0) between chunks of the work to let other tasks run (no thread or process here to offload it to).",
            line_of(CRUNCH, "print(name, crunch(600))")
        )]
    );
    let slept =
        views(&CRUNCH.replace("print(name, crunch(600))", "print(name, crunch(600))\n        time.sleep(0.05)"));
    assert_eq!(slept.predicted.as_ref().map(|b| b.len()), Some(2), "the prediction's strip: time.sleep's");
    assert_eq!(slept.measured.as_ref().map(|b| b.len()), Some(4));
    assert_eq!(slept.notes.len(), 2, "{:#?}", slept.notes);
    assert!(
        slept.notes[0].starts_with("Python code held the event loop 120 ms without awaiting"),
        "{}",
        slept.notes[0]
    );
    assert!(slept.notes[1].starts_with("time.sleep blocked the event loop for 100 ms in all"), "{}", slept.notes[1]);
}
