//! The reader's code at the run's 1,000,000-event budget. A test binary of its own: its four
//! programs take about two minutes in a debug build, and beside them the timing-ratio tests of
//! `core_py_interp` (run on the other test thread) lost their core to a build and failed.

use awaitlab::core::budget::MAX_EVENTS;
use awaitlab::core::event::{Event, Kind};
use awaitlab::core::run::{run_virtual as predict, Run};
use awaitlab::core::scenario::Scenario;

fn prints(events: &[Event]) -> Vec<String> {
    events.iter().filter(|e| e.kind == Kind::Print).map(|e| e.detail.to_string()).collect()
}

/// `src`'s prediction written as a Run JSON and read back, within the event budget. On a thread
/// of its own with a big stack: a debug build's interpreter recurses deeply.
fn predicted_and_read_back(src: String) -> Run {
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
    run
}

/// A program that reaches the run's 1,000,000-event budget stops there itself, like at its
/// other budgets, with a message, and keeps its events and Output up to then: its prediction
/// reads back as a Run JSON. Before, the events that close the run (the stop message, the
/// failed tasks, the spans cut short) went past the budget, the page's reader refused the whole
/// run, and the reader saw none of the output.
#[test]
fn a_program_at_the_event_budget_stops_with_a_message_and_keeps_its_output() {
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
        let run = predicted_and_read_back(src.to_owned());
        let said = prints(&run.events);
        assert!(said.len() > 300_000, "{} lines of Output kept", said.len());
        let stop = said.iter().rev().find(|l| l.starts_with("awaitlab stopped")).expect("a stop message");
        assert!(stop.contains("1,000,000-event budget"), "{stop}");
    }
}

/// A traceback logged while the run goes on (`Task exception was never retrieved`, `Exception
/// in callback`) is checked against the budget line by line: with the room left just above what
/// the run's end keeps back, a 1,100-line traceback logged and then the main task's own stay
/// within the budget, and the run still reads back. Before, room was checked once per logged
/// traceback, which took most of what was kept back, and the main task's traceback went past
/// the budget: the Run JSON no longer read back.
#[test]
fn tracebacks_logged_during_a_run_stay_within_the_event_budget() {
    let filler = MAX_EVENTS - awaitlab::core::py::interp::limits::EVENTS_RESERVED as u64 - 20;
    for (logs, logged) in [
        ("asyncio.create_task(fail())", "Task exception was never retrieved"),
        ("asyncio.get_running_loop().call_soon(boom)", "Exception in callback boom() at line 30"),
    ] {
        let src = format!(
            "import asyncio\n\ndef p(k):\n    if k == 0:\n        raise ValueError('x')\n    q(k - 1)\n\ndef q(k):\n    p(k - 1)\n\ndef down(n):\n    if n == 0:\n        p(20)\n    try:\n        down(n - 1)\n    except ValueError as e:\n        p(20)\n\ndef a(k):\n    if k == 0:\n        down(40)\n    b(k - 1)\n\ndef b(k):\n    a(k - 1)\n\nasync def fail():\n    a(30)\n\ndef boom():\n    a(30)\n\nasync def main():\n    for i in range({filler}):\n        print(i)\n    {logs}\n    await asyncio.sleep(0)\n    a(30)\n\nasyncio.run(main())\n"
        );
        let run = predicted_and_read_back(src);
        let said = prints(&run.events);
        assert!(said.iter().any(|l| l == logged), "{:#?}", &said[said.len() - 20..]);
        let stop = said.last().expect("Output");
        assert!(stop.starts_with("awaitlab stopped") && stop.contains("1,000,000-event budget"), "{stop}");
    }
}
