//! Share links stay stable: `v` stays 1, and links written today keep opening the same scenario
//! (and so the same seeded virtual run) in later versions. If a test here fails, a change broke
//! links people have already shared: add a migration for the old form instead of editing the test.

mod common;

use awaitlab::core::message::{ControlsView, Theme, ViewOptions};
use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::Scenario;
use common::scenario as parse;

#[test]
fn links_are_version_1() {
    let q = parse("pattern=gather&tasks=5").to_query();
    assert!(q.starts_with("v=1&"), "{q}");
}

/// Links copied from awaitlab in its first months: they must keep reproducing the same run.
const LINKS_FROM_TODAY: &[&str] = &[
    "v=1&pattern=sequential&tasks=5&seed=1&min=100&max=100",
    "v=1&pattern=gather&tasks=8&min=40&max=160&seed=7",
    "v=1&pattern=semaphore&tasks=12&limit=3&min=40&max=160&seed=3",
    "v=1&pattern=retry&tasks=6&fail=0.5&retries=3&backoff=exponential&delay=50&seed=5",
    "v=1&pattern=gather&tasks=6&seed=3&min=20&max=60&embed=1&autoplay=1&theme=dark&controls=0",
    "pattern=gather&tasks=3",
];

#[test]
fn a_link_from_today_reopens_the_same_scenario_and_the_same_virtual_run() {
    for link in LINKS_FROM_TODAY {
        let s = parse(link);
        // Writing it out again and reading it back changes nothing.
        let again = parse(&s.to_query());
        assert_eq!(again, s, "{link}");
        let (mut a, mut b) = (s.clone(), again);
        a.clock = awaitlab::core::scenario::ClockKind::Virtual;
        b.clock = a.clock;
        assert_eq!(run_virtual(&a).events, run_virtual(&b).events, "{link}");
    }
    let s = parse(LINKS_FROM_TODAY[2]);
    assert_eq!((s.tasks, s.seed, s.min, s.max, s.effective_limit()), (12, 3, 40, 160, Some(3)));
}

#[test]
fn view_keys_do_not_change_the_scenario() {
    let plain = parse("v=1&pattern=gather&tasks=6&seed=3&min=20&max=60");
    let embedded = parse(LINKS_FROM_TODAY[4]);
    assert_eq!(plain, embedded);
    let pairs: Vec<(&str, &str)> = LINKS_FROM_TODAY[4].split('&').filter_map(|p| p.split_once('=')).collect();
    let o = ViewOptions::from_pairs(pairs);
    assert!(o.embed && o.autoplay && o.controls == ControlsView::Hidden && o.theme == Theme::Dark);
    // A compact embed's view keys leave the scenario alone too.
    let compact =
        parse("v=1&pattern=gather&tasks=6&seed=3&min=20&max=60&embed=1&controls=tasks,min&code=1&predicted=1");
    assert_eq!(plain, compact);
}

#[test]
fn a_future_version_is_refused_with_a_message() {
    let err = Scenario::parse([("v", "2"), ("pattern", "gather")]).expect_err("v=2 is not a version this build knows");
    // It says what happened: a newer awaitlab wrote it ("from 1 to 1" read as a typo).
    assert_eq!(err[0].message, "v=2: this link was written by a newer awaitlab; this one reads links up to v=1");
    // An older or no version says which one this page reads, not a range of one value.
    let err = Scenario::parse([("v", "0")]).expect_err("v=0 is no version");
    assert_eq!(err[0].message, "v=0 is not a version this page reads: it reads version 1");
    let err = Scenario::parse([("v", "one")]).expect_err("not a version");
    assert_eq!(err[0].message, "v must be a version number: this page reads version 1 (got \"one\")");
    assert!(Scenario::parse([("v", " 1")]).is_ok(), "white space is read past, as in every value");
}
