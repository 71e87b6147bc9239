//! Ways into the code pattern without a program: "Your own code" picked in the Pattern menu (the
//! code panel's Edit: `code::as_program`), a link naming `pattern=code` and no program, and a
//! link whose program the parser refuses (nothing ran: nothing failed, and no earlier program is
//! said to be on screen).

mod common;

use awaitlab::core::code::{as_program, python};
use awaitlab::core::code_editor::{Check, STILL_SHOWN};
use awaitlab::core::event::Kind;
use awaitlab::core::message::parse_scenario;
use awaitlab::core::page::{link_scenario, Action, State};
use awaitlab::core::scenario::{Pattern, Scenario};
use std::rc::Rc;

fn link(query: &str) -> Vec<(String, String)> {
    common::pairs(query).into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn a_link_naming_no_program_opens_the_editor_on_the_default_patterns_python() {
    let page = State::from_url(&link("pattern=code"));
    assert_eq!(page.scenario(), &as_program(&Scenario::default()));
    assert_eq!(page.scenario().code, python(&Scenario::default()));
    assert!(page.form.iter().any(|(k, v)| k == "pattern" && v == "code"), "{:?}", page.form);
    assert!(page.link_replaced, "the address bar gets the program, so a reload or a share keeps it");
    // The page is what the Pattern menu's "Your own code" gives: nothing was replaced by a
    // default, so no notice (it said "their defaults are shown instead: pattern=code needs a
    // program: the code key holds its Python source", and went on saying it after Edit).
    assert_eq!(page.notice, None);
    // Its prediction is the program's, which runs: nothing failed.
    let predicted = page.predicted.as_ref().expect("predicted");
    assert_eq!(predicted.summary.tasks as usize, Scenario::default().tasks as usize + 1, "{:?}", predicted.labels);
    assert_eq!(predicted.summary.failures, 0);
    // The embed's autoplay opens the same scenario.
    assert_eq!(&link_scenario(&link("pattern=code")).0, page.scenario());
}

#[test]
fn the_links_other_values_stay_and_its_bad_ones_are_still_named() {
    let page = State::from_url(&link("pattern=code&tasks=abc&seed=7&min=20&max=20&utm_source=x"));
    assert_eq!((page.scenario().pattern, page.scenario().seed, page.scenario().min), (Pattern::Code, 7, 20));
    assert!(page.scenario().code.contains("asyncio.gather"), "{}", page.scenario().code);
    let notice = page.notice.expect("a notice");
    assert!(notice
        .starts_with("This link had values awaitlab cannot use, so their defaults are shown instead: tasks must be"));
    assert!(!notice.contains("needs a program") && !notice.contains("code key"), "{notice}");
    // A program given is run as before; one that cannot be read is named as before.
    let given = State::from_url(&link("pattern=code&code=print(1)"));
    assert_eq!((given.scenario().code.as_str(), &given.notice), ("print(1)", &None));
    let damaged = Rc::new(State::from_url(&link("pattern=code&code=!!!")));
    assert_eq!(damaged.scenario().pattern, Pattern::Gather);
    assert!(damaged.notice.as_ref().is_some_and(|n| n.contains("defaults are shown instead: code")));
    // Once the code panel's Edit (or an example) has replaced the link's values, the notice about
    // them goes: it claimed the defaults were shown until Run.
    let edited = damaged.clone().step(Action::Load(as_program(damaged.scenario())));
    assert_eq!((edited.scenario().pattern, &edited.notice), (Pattern::Code, &None));
    // So does editing a field: the form is the reader's from then on (core_page's
    // `a_link_s_notice_goes_with_the_first_edit`).
    let typed = damaged.step(Action::Edit("tasks".into(), "4".into()));
    assert_eq!(typed.notice, None);
}

#[test]
fn a_script_still_needs_a_program() {
    let message = "pattern=code needs a program: the code key holds its Python source";
    let refused = Scenario::parse([("pattern", "code")]).expect_err("no program");
    assert_eq!((refused[0].key.as_str(), refused[0].message.as_str()), ("code", message));
    let refused = parse_scenario(&link("pattern=code")).expect_err("no program");
    assert!(refused.contains(message), "{refused}");
}

#[test]
fn the_menus_code_is_the_edit_buttons_load_and_a_kept_program_comes_back() {
    let gather = Scenario::parse([("pattern", "gather"), ("tasks", "3")]).unwrap();
    let page = Rc::new(State::from_url(&link("pattern=gather&tasks=3")));
    // The code panel's Edit.
    let edited = page.clone().step(Action::Load(as_program(&gather)));
    assert_eq!((edited.scenario().pattern, edited.scenario().tasks), (Pattern::Code, 3));
    assert_eq!(edited.scenario().code, python(&gather));
    // "Your own code" in the Pattern menu, with no program in the form: the same (it was refused,
    // "pattern=code needs a program", Run off and the gather prediction kept).
    let picked = page.clone().step(Action::Edit("pattern".into(), "code".into()));
    assert!(picked.errors.is_empty(), "{:?}", picked.errors);
    assert_eq!((&picked.scenario(), &picked.form), (&edited.scenario(), &edited.form));
    assert_eq!(picked.values_changed, edited.values_changed);
    // A program kept beside another pattern comes back with the menu's edit.
    let kept = Action::Edit("code".into(), "print(1)\n".into());
    let away = edited.step(Action::Edit("pattern".into(), "sequential".into())).step(kept);
    assert_eq!(away.scenario().code, "print(1)\n", "kept beside the other pattern");
    let back = away.step(Action::Edit("pattern".into(), "code".into()));
    assert_eq!((back.scenario().pattern, back.scenario().code.as_str()), (Pattern::Code, "print(1)\n"));
    // A host's `set` of a pattern and a program, one edit after the other, ends on its program.
    let set =
        page.step(Action::Edit("pattern".into(), "code".into())).step(Action::Edit("code".into(), "print(2)\n".into()));
    assert_eq!((set.scenario().pattern, set.scenario().code.as_str()), (Pattern::Code, "print(2)\n"));
}

#[test]
fn a_program_the_parser_refuses_ran_nothing_and_failed_nothing() {
    let page = State::from_url(&link("pattern=code&code=import threading"));
    assert_eq!((page.scenario().pattern, page.notice.as_deref()), (Pattern::Code, None));
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
