//! Ways into the code pattern without a program that ran: a link whose program the parser
//! refuses (nothing ran: nothing failed, and no earlier program is said to be on screen).

mod common;

use awaitlab::core::code_editor::{Check, STILL_SHOWN};
use awaitlab::core::event::Kind;
use awaitlab::core::page::State;
use awaitlab::core::scenario::Pattern;

fn link(query: &str) -> Vec<(String, String)> {
    common::pairs(query).into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn a_program_the_parser_refuses_ran_nothing_and_failed_nothing() {
    let page = State::from_url(&link("pattern=code&code=import threading"));
    assert_eq!((page.scenario.pattern, page.notice.as_deref()), (Pattern::Code, None));
    let predicted = page.predicted.as_ref().expect("predicted");
    let s = &predicted.summary;
    assert_eq!((s.failures, s.makespan_ms, s.peak_concurrency, s.attempts), (0, 0.0, 0, 0));
    assert!(!predicted.events.iter().any(|e| e.kind == Kind::Failed), "{:?}", predicted.events);
    // Output says why, at its line.
    let said = predicted.events.iter().find(|e| e.kind == Kind::Print).expect("a printed line");
    assert_eq!(said.line, 1);
    assert!(said.detail.contains("`threading` is not available here"), "{}", said.detail);
}

#[test]
fn the_editor_says_the_runs_are_an_earlier_programs_only_when_one_parsed() {
    let src = "import threading\n";
    let refused = Check::of(src, Some(Ok(Err(awaitlab::core::py::parse(src).unwrap_err()))));
    let first = refused.message(false);
    assert_eq!(first, "Line 1, column 8: `threading` is not available here: awaitlab runs one event loop.");
    assert!(!first.contains(STILL_SHOWN));
    assert_eq!(refused.message(true), format!("{first} {STILL_SHOWN}"));
    // A parser message without a full stop gets one either way.
    let src = "print((1, 2)\n";
    let open = Check::of(src, Some(Ok(Err(awaitlab::core::py::parse(src).unwrap_err()))));
    assert!(open.message(false).ends_with("never closed."), "{}", open.message(false));
}
