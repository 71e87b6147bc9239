//! The reader's code at the run's 1,000,000-event budget. A test binary of its own: its four
//! programs take about two minutes in a debug build, and beside them the timing-ratio tests of
//! `core_py_interp` (run on the other test thread) lost their core to a build and failed.

use awaitlab::core::event::{Event, Kind};
use awaitlab::core::scenario::Scenario;

fn prints(events: &[Event]) -> Vec<String> {
    events.iter().filter(|e| e.kind == Kind::Print).map(|e| e.detail.to_string()).collect()
}

/// A program that reaches the run's 1,000,000-event budget stops there itself, like at its
/// other budgets, with a message, and keeps its events and Output up to then: its prediction
/// reads back as a Run JSON. Before, the events that close the run (the stop message, the
/// failed tasks, the spans cut short) went past the budget, the page's reader refused the whole
/// run, and the reader saw none of the output.
#[test]
fn a_program_at_the_event_budget_stops_with_a_message_and_keeps_its_output() {
    use awaitlab::core::budget::MAX_EVENTS;
    use awaitlab::core::run::{run_virtual as predict, Run};
    let programs = [
        // A heartbeat that never ends (a sleep span per tick).
        "import asyncio\nasync def heartbeat():\n    n = 0\n    while True:\n        n += 1\n        print('tick', n)\n        await asyncio.sleep(1)\nasync def main():\n    await heartbeat()\nasyncio.run(main())\n",
        // A million prints without an await.
        "import asyncio\nasync def main():\n    for i in range(1000000):\n        print(i)\nasyncio.run(main())\n",
        // One print of many lines.
        "import asyncio\nasync def main():\n    print('x\\n' * 2000000)\nasyncio.run(main())\n",
        // Ten thousand tasks waiting (a span open in each) while the main task prints.
        "import asyncio\nasync def wait(ev):\n    await ev.wait()\nasync def main():\n    ev = asyncio.Event()\n    ts = [asyncio.create_task(wait(ev)) for _ in range(10000)]\n    await asyncio.sleep(0)\n    while True:\n        print('waiting')\n        print('still')\n        print('waiting')\n        await asyncio.sleep(0.5)\nasyncio.run(main())\n",
    ];
    for src in programs {
        let src = src.to_owned();
        let json = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let s = Scenario::parse([("pattern", "code"), ("code", src.as_str())]).expect("a code scenario");
                predict(&s).to_json()
            })
            .expect("a thread")
            .join()
            .expect("no panic");
        let run = Run::from_json(&json).unwrap_or_else(|e| panic!("the prediction reads back: {e}"));
        assert!(run.events.len() as u64 <= MAX_EVENTS);
        let said = prints(&run.events);
        assert!(said.len() > 300_000, "{} lines of Output kept", said.len());
        let stop = said.iter().rev().find(|l| l.starts_with("awaitlab stopped")).expect("a stop message");
        assert!(stop.contains("1,000,000-event budget"), "{stop}");
    }
}
