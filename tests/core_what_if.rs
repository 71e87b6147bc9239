//! `what_if`: the grammar through links, each override's effect on a virtual run, and that the
//! browser's path (any [`Work`] on the same `Ctx`) is handed the overridden plan.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use awaitlab::core::clock::VirtualClock;
use awaitlab::core::event::{Kind, Phase};
use awaitlab::core::patterns::{self, Ctx, SleepWork, Work, WorkFuture};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::{query_pairs, Scenario};
use awaitlab::core::workload::Attempt;
use common::scenario;

const BASE: &str = "pattern=gather&tasks=4&min=50&max=50&clock=virtual";

fn run(what_if: &str) -> Run {
    run_virtual(&scenario(&format!("{BASE}&what_if={what_if}")))
}

fn closes(run: &Run, task: u32) -> Vec<(Kind, f64)> {
    run.events
        .iter()
        .filter(|e| e.task == task && e.phase == Phase::Work && e.kind.closes_span())
        .map(|e| (e.kind, e.t))
        .collect()
}

fn finish(run: &Run, task: u32) -> (Kind, f64, String) {
    let e = run.events.iter().find(|e| e.task == task && e.phase == Phase::Task).expect("a finish mark");
    (e.kind, e.t, e.detail.to_string())
}

#[test]
fn the_grammar_round_trips_through_links() {
    let s = scenario(&format!("{BASE}&what_if=1:cancel@30,1.1:fail,2.1:ok+x2,3.1:half"));
    assert_eq!(s.what_if.to_string(), "1:cancel@30,1.1:fail,2.1:ok+x2,3.1:half");
    assert!(s.to_query().ends_with("&what_if=1:cancel@30,1.1:fail,2.1:ok+x2,3.1:half"), "{}", s.to_query());
    assert_eq!(Scenario::from_query(&s.to_query()).unwrap(), s);
}

#[test]
fn links_without_the_key_are_unchanged() {
    let s = scenario(BASE);
    assert!(s.what_if.is_empty());
    assert!(!s.to_query().contains("what_if"));
    // An empty value is the default and is left out too.
    assert_eq!(scenario(&format!("{BASE}&what_if=")), s);
    let json = run_virtual(&s).to_json();
    assert!(!json.contains("what_if"), "an empty what_if stays out of the Run JSON");
}

#[test]
fn bad_values_are_named_through_the_one_param_path() {
    for (bad, says) in [
        ("1.1:boom", "a change is fail, ok, x2 or half"),
        ("2.1:fail,1.1:fail", "in order of task"),
        ("9.1:fail", "names task 9"),
        ("1.1:fail,1.1:x2", "in order of task"),
    ] {
        let errors = Scenario::from_query(&format!("{BASE}&what_if={bad}")).unwrap_err();
        assert_eq!(errors[0].key, "what_if", "{bad}");
        assert!(errors[0].message.contains(says), "{bad}: {}", errors[0].message);
    }
    let long = (0..33).map(|t| format!("{t}.1:fail")).collect::<Vec<_>>().join(",");
    let errors = Scenario::from_query(&format!("pattern=gather&tasks=40&what_if={long}")).unwrap_err();
    assert!(errors[0].message.contains("at most 32"), "{}", errors[0].message);
}

#[test]
fn fail_makes_the_attempt_fail_and_ok_makes_it_succeed() {
    let plain = run("");
    assert_eq!(plain.summary.failures, 0);
    let failed = run("2.1:fail");
    assert_eq!(failed.summary.failures, 1);
    assert_eq!(closes(&failed, 2), [(Kind::Fail, 50.0)]);
    assert_eq!(finish(&failed, 2).0, Kind::Failed);
    let all_fail = run_virtual(&scenario("pattern=gather&tasks=2&min=50&max=50&fail=1&what_if=0.1:ok"));
    assert_eq!(all_fail.summary.failures, 1);
    assert_eq!(finish(&all_fail, 0).0, Kind::Done);
}

#[test]
fn x2_and_half_scale_the_duration() {
    let r = run("0.1:x2,1.1:half");
    assert_eq!(closes(&r, 0), [(Kind::End, 100.0)]);
    assert_eq!(closes(&r, 1), [(Kind::End, 25.0)]);
    assert_eq!(r.summary.makespan_ms, 100.0);
}

#[test]
fn cancel_drops_the_work_at_that_instant() {
    let r = run("3:cancel@20");
    assert_eq!(closes(&r, 3), [(Kind::Cancel, 20.0)]);
    let (kind, t, detail) = finish(&r, 3);
    assert_eq!((kind, t), (Kind::Failed, 20.0));
    assert!(detail.starts_with("cancelled: what_if"), "{detail}");
    assert_eq!(r.summary.cancelled, 1);
    // A task already done by then is not affected.
    assert_eq!(run("3:cancel@60").summary.cancelled, 0);
}

#[test]
fn cancel_in_a_sequence_and_under_retry() {
    // Sequential: task 1 runs 50–100 and is cancelled at 70; task 2 (would start at 100) runs on.
    let r = run_virtual(&scenario("pattern=sequential&tasks=3&min=50&max=50&what_if=1:cancel@70"));
    assert_eq!(closes(&r, 1), [(Kind::Cancel, 70.0)]);
    assert_eq!(closes(&r, 2), [(Kind::End, 120.0)]);
    // A task whose cancel time passed before it started never starts.
    let r = run_virtual(&scenario("pattern=sequential&tasks=3&min=50&max=50&what_if=2:cancel@70"));
    assert!(closes(&r, 2).is_empty());
    assert_eq!(finish(&r, 2).1, 100.0);
    // Retry: the cancel lands in the backoff; no further attempt starts.
    let r = run_virtual(&scenario("pattern=retry&tasks=1&min=50&max=50&delay=100&what_if=0:cancel@100,0.1:fail"));
    assert!(r.events.iter().any(|e| e.phase == Phase::Backoff && e.kind == Kind::Cancel && e.t == 100.0));
    assert_eq!(r.summary.attempts, 1);
}

#[test]
fn a_task_group_is_not_aborted_by_a_what_if_cancel() {
    let r = run_virtual(&scenario("pattern=gather&errors=fail_fast&tasks=3&min=50&max=50&what_if=0:cancel@10"));
    assert_eq!(r.summary.cancelled, 1);
    assert_eq!(closes(&r, 1), [(Kind::End, 50.0)]);
}

/// A stand-in for the browser's work: records the plans it is handed, then sleeps as planned.
struct Spy(Rc<RefCell<Vec<Attempt>>>, SleepWork<VirtualClock>);

impl Work for Spy {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        self.0.borrow_mut().push(plan.clone());
        self.1.run(plan)
    }
}

#[test]
fn the_browser_path_is_handed_the_overridden_plan() {
    let s = scenario("pattern=gather&tasks=4&min=50&max=50&what_if=1.1:fail+x2");
    let clock = VirtualClock::new();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let ctx = Ctx::with_work(clock.clone(), s.clone(), Rc::new(Spy(seen.clone(), SleepWork::new(clock.clone()))));
    let _ = clock.block_on(patterns::run(&ctx));
    let plan = seen.borrow().iter().find(|a| a.task == 1).cloned().unwrap();
    assert_eq!((plan.duration_ms, plan.fails), (100, true));
    assert_eq!(s.workload().attempt(1, 1), plan);
    assert_eq!(s.workload().drawn(1, 1).duration_ms, 50);
}

#[test]
fn a_cancel_in_a_resource_still_runs_its_release_holding_the_permit() {
    // Task 0: acquire 0–30, work from 30, cancelled at 80: its __aexit__ still runs (80–100) with the
    // permit held, so task 1 (limit 1) gets the permit at 100, not at 80.
    let q = "pattern=resource&tasks=2&limit=1&acquire=30&release=20&min=100&max=100&clock=virtual&what_if=0:cancel@80";
    let run = run_virtual(&scenario(q));
    let of = |task: u32| -> Vec<(Kind, Phase, f64)> {
        run.events.iter().filter(|e| e.task == task).map(|e| (e.kind, e.phase, e.t)).collect()
    };
    assert_eq!(
        of(0),
        [
            (Kind::Begin, Phase::Wait, 0.0),
            (Kind::End, Phase::Wait, 0.0),
            (Kind::Begin, Phase::Acquire, 0.0),
            (Kind::End, Phase::Acquire, 30.0),
            (Kind::Begin, Phase::Work, 30.0),
            (Kind::Cancel, Phase::Work, 80.0),
            (Kind::Begin, Phase::Release, 80.0),
            (Kind::End, Phase::Release, 100.0),
            (Kind::Failed, Phase::Task, 100.0),
        ]
    );
    assert!(finish(&run, 0).2.starts_with("cancelled: what_if"));
    assert_eq!(of(1)[1], (Kind::End, Phase::Wait, 100.0));
    // Cancelled in __aenter__ (at 10): no work, no release, the permit given back at once.
    let run = run_virtual(&scenario(&q.replace("cancel@80", "cancel@10")));
    let phases: Vec<Phase> = run.events.iter().filter(|e| e.task == 0).map(|e| e.phase).collect();
    assert_eq!(phases, [Phase::Wait, Phase::Wait, Phase::Acquire, Phase::Acquire, Phase::Task]);
    assert!(run.events.iter().any(|e| e.task == 1 && e.kind == Kind::End && e.phase == Phase::Wait && e.t == 10.0));
}

#[test]
fn a_link_with_a_what_if_reads_back_with_its_plus() {
    // As the page writes it: `+` joins the changes of one attempt, unescaped.
    let s = Scenario::from_query("pattern=gather&tasks=4&what_if=1:cancel@30,2.1:fail+x2").unwrap();
    let link = s.to_query();
    assert!(link.contains("what_if=1:cancel@30,2.1:fail+x2"), "{link}");
    // The page reads its own address with the same decoding (a leading `?` skipped, `%XX`
    // decoded, `+` kept), so the link opens as it was written.
    let pairs = query_pairs(&format!("?{link}"));
    assert!(pairs.contains(&("what_if".to_string(), "1:cancel@30,2.1:fail+x2".to_string())), "{pairs:?}");
    let again = Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    assert_eq!(again, s);
    assert_eq!(query_pairs("?url=a%2Bb%26c&x"), vec![("url".into(), "a+b&c".into()), ("x".into(), String::new())]);
}

#[test]
fn a_task_cancelled_before_it_starts_counts_as_cancelled() {
    // Task 1 of a sequence is cancelled at 70 ms; task 0 alone takes longer, so task 1 never starts
    // (no span of its own): its `cancelled: what_if` mark still counts as cancelled, not failed.
    let run = run_virtual(&scenario("pattern=sequential&tasks=3&min=100&max=100&what_if=1:cancel@70&clock=virtual"));
    let marks: Vec<_> = run.events.iter().filter(|e| e.task == 1).map(|e| (e.kind, e.detail.to_string())).collect();
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert!(marks[0].1.starts_with("cancelled: what_if"), "{marks:?}");
    assert_eq!((run.summary.failures, run.summary.cancelled), (1, 1), "{:?}", run.summary);
    assert_eq!(run.summary.failed_on_their_own(), 0);
}

/// The keyboard walks a lane's bars for the what-if menu (`key_stops`): a permit granted at once is
/// a 0 ms wait, drawn as nothing, so the keyboard passes over it; a wait with a length is a stop.
#[test]
fn the_keyboard_passes_over_a_0_ms_permit_wait_but_not_a_real_one() {
    use awaitlab::core::timeline::{key_stops, Bar};
    let run = run_virtual(&scenario("pattern=semaphore&tasks=4&limit=2&min=50&max=50&fail=0&clock=virtual"));
    let tl = run.timeline();
    let lane = |task: u32| -> Vec<Bar> { tl.bars.iter().filter(|b| b.task == task).cloned().collect() };
    let stops =
        |task: u32| -> Vec<(Phase, f64, f64)> { key_stops(&lane(task)).map(|b| (b.phase, b.start, b.end)).collect() };
    assert!(
        lane(0).iter().any(|b| b.phase == Phase::Wait && b.start == b.end),
        "task 0 has a 0 ms wait: {:?}",
        lane(0)
    );
    assert_eq!(stops(0), [(Phase::Work, 0.0, 50.0)]);
    assert_eq!(stops(2), [(Phase::Wait, 0.0, 50.0), (Phase::Work, 50.0, 100.0)]);
    // A lane with nothing but 0 ms bars still has a stop, so its menu can be reached.
    let mut zero = lane(0);
    zero.retain(|b| b.phase == Phase::Wait);
    assert_eq!(key_stops(&zero).count(), 1);
    assert_eq!(key_stops(&[]).count(), 0);
}

/// The what-if menu offers the outcome an attempt did not have from any of its bars: a retry's
/// backoff bar ends normally, and the menu on it offered "Make this attempt fail" for the attempt
/// that had just failed (`what_if=0.1:fail`, a change that changed nothing).
#[test]
fn an_attempt_failed_whichever_of_its_bars_is_picked() {
    let s = scenario("pattern=retry&tasks=7&seed=9&fail=0.4&retries=4&backoff=exponential&jitter=0.5&delay=50");
    let tl = run_virtual(&s).timeline();
    let backoffs: Vec<_> = tl.bars.iter().filter(|b| b.phase == Phase::Backoff).collect();
    assert!(!backoffs.is_empty(), "a retry with backoff");
    for b in backoffs {
        assert_eq!(b.close, Some(Kind::End), "a backoff bar itself ends normally");
        assert!(
            tl.attempt_failed(b.task, b.attempt),
            "task {} attempt {}: failed before its backoff",
            b.task,
            b.attempt
        );
    }
    let ok =
        tl.bars.iter().find(|b| b.phase == Phase::Work && b.close == Some(Kind::End)).expect("a successful attempt");
    assert!(!tl.attempt_failed(ok.task, ok.attempt));
}
