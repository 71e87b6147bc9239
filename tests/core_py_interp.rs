//! The interpreter of the reader's asyncio code (issue 15): programs run on the virtual clock and
//! their recorded lanes, spans, prints and tracebacks are checked against what CPython 3.12 does.

use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::py::interp::{run_virtual, Finished};
use awaitlab::core::scenario::Scenario;

fn scenario() -> Scenario {
    Scenario::from_query("pattern=gather&tasks=5&min=100&max=100&seed=7").expect("a valid scenario")
}

/// Runs `src` (dedented) on the virtual clock.
fn run(src: &str) -> (Vec<Event>, Finished) {
    run_virtual(&scenario(), &dedent(src))
}

fn dedent(src: &str) -> String {
    let lines: Vec<&str> = src.lines().skip_while(|l| l.trim().is_empty()).collect();
    let indent = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    lines.iter().map(|l| if l.len() >= indent { &l[indent..] } else { l.trim_start() }).collect::<Vec<_>>().join("\n") + "\n"
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
        let close = events[i + 1..].iter().find(|e| e.kind.closes_span() && e.task == b.task && e.attempt == b.attempt && e.phase == phase);
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

fn outcome_texts(f: &Finished) -> Vec<String> {
    f.outcomes.iter().map(|o| match o {
        Ok(v) => format!("ok {v}"),
        Err(e) => format!("err {e}"),
    }).collect()
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
