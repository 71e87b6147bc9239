//! The page's state and what it shows (`core::page`, `core::view`), driven natively: the
//! transitions the Yew app's reducer makes, and the view model its components lay out.

use std::cell::RefCell;
use std::rc::Rc;

use awaitlab::core::clock::VirtualClock;
use awaitlab::core::event::{Kind, Phase, Recorder};
use awaitlab::core::message::ViewOptions;
use awaitlab::core::page::{same_values, Action, ReplayCmd, Started, State, HISTORY, MAX_COMPARE};
use awaitlab::core::replay::describe_waiting;
use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::Scenario;
use awaitlab::core::view::{self, ZoomStep};

fn pairs(query: &str) -> Vec<(String, String)> {
    query.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn page(query: &str) -> Rc<State> {
    Rc::new(State::from_url(&pairs(query)))
}

fn scenario(query: &str) -> Scenario {
    Scenario::parse(query.split('&').filter_map(|p| p.split_once('='))).expect("a valid scenario")
}

/// A run as the session hands it to the page: id, scenario, an empty recorder.
fn started(id: u64, query: &str) -> (Started, Recorder) {
    let rec = Recorder::new(&VirtualClock::new());
    let run = Started {
        id,
        scenario: scenario(query),
        rec: rec.clone(),
        problem: Rc::new(RefCell::new(None)),
        by_script: false,
    };
    (run, rec)
}

fn virtual_run(query: &str) -> awaitlab::core::run::Run {
    run_virtual(&scenario(&format!("{query}&clock=virtual")))
}

#[test]
fn a_link_with_bad_values_opens_on_defaults_with_a_notice_naming_them() {
    let s = page("pattern=gather&tasks=abc");
    let notice = s.notice.as_deref().expect("a notice");
    assert!(notice.contains("tasks must be a whole number"), "{notice}");
    assert_eq!(s.scenario().workload().len(), 10);
    assert!(s.predicted.is_some(), "the defaults are predicted");
    assert_eq!(
        view::status(&s, &ViewOptions::default()),
        "Press Run to run these tasks for real on this page's event loop."
    );
    // The address bar is written from what the page shows (a key given twice too); a link whose
    // only fault is a key awaitlab does not know, or a value kept but not run, is left as it was.
    assert!(s.link_replaced);
    assert!(page("tasks=3&tasks=5").link_replaced);
    assert!(!page("tasks=3&bogus=1").link_replaced);
    assert!(!page("preset=breakfast&tasks=7").link_replaced);
    assert!(!page("pattern=gather&tasks=3").link_replaced);
}

#[test]
fn a_valid_edit_changes_the_scenario_and_its_prediction_a_bad_one_only_the_errors() {
    let s = page("pattern=gather&tasks=5");
    let before = s.predicted.clone().expect("predicted");
    let s = s.step(Action::Edit("tasks".into(), "7".into()));
    assert_eq!(s.scenario().workload().len(), 7);
    assert!(!Rc::ptr_eq(&before, s.predicted.as_ref().expect("predicted")));
    let s = s.step(Action::Edit("tasks".into(), "0".into()));
    assert_eq!(s.scenario().workload().len(), 7, "the last valid scenario stays");
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].key, "tasks");
}

#[test]
fn values_changed_counts_the_changes_of_the_scenario_a_guess_keys_on() {
    let s = page("pattern=gather&tasks=5");
    let s = s.step(Action::Edit("tasks".into(), "5".into()));
    assert_eq!(s.values_changed, 0, "the same value is no change");
    let s = s.step(Action::Edit("tasks".into(), "0".into()));
    assert_eq!(s.values_changed, 0, "nor is a bad one");
    let s = s.step(Action::Edit("tasks".into(), "7".into()));
    assert_eq!(s.values_changed, 1);
}

/// A run imported (a file, `load`) or picked from the history with other values than the
/// prediction on screen changes the values a guess was made for; one with the same values does
/// not. Before, a loaded run of other values kept the guess made for the form's.
#[test]
fn a_run_of_other_values_imported_or_picked_changes_the_values_a_guess_keys_on() {
    let s = page("pattern=gather&tasks=5&seed=2");
    let same = s.step(Action::Import(virtual_run("pattern=gather&tasks=5&seed=2"), None));
    assert_eq!(same.values_changed, 0, "the same values");
    let other = same.step(Action::Import(virtual_run("pattern=gather&tasks=3&seed=2"), Some("imported".into())));
    assert_eq!(other.values_changed, 1, "an import of other values");
    let back = other.step(Action::SelectReplay(1));
    assert_eq!(back.values_changed, 2, "run #1, of the first values, picked again");
}

#[test]
fn switching_to_a_pattern_about_failures_plans_some_and_says_so() {
    let s = page("pattern=gather&fail=0").step(Action::Edit("pattern".into(), "retry".into()));
    assert!(s.hint.as_deref().is_some_and(|h| h.starts_with("Failure probability set to 0.3")));
    assert!(s.form.contains(&("fail".to_string(), "0.3".to_string())));
}

/// While the editor's text has a problem, Run is off, and the status line says so instead of
/// "Press Run…"; other patterns, and a text without one, keep their status.
#[test]
fn the_status_says_run_is_off_while_the_code_has_a_problem() {
    let opts = ViewOptions::default();
    let code = page("pattern=code&code=print(1)");
    assert_eq!(
        view::page_status(&code, &opts, true),
        "Run is off until the code parses: its problem is under the editor."
    );
    assert_eq!(view::page_status(&code, &opts, false), view::status(&code, &opts));
    assert!(view::page_status(&code, &opts, false).starts_with("Press Run"));
    let gather = page("pattern=gather");
    assert!(view::page_status(&gather, &opts, true).starts_with("Press Run"));
}

/// A bad link's notice says the page shows defaults instead of its values: it goes with the
/// reader's first edit, when the form is no longer what the link opened (it stayed until Run,
/// beside the very value it complained about, fixed).
#[test]
fn a_link_s_notice_goes_with_the_first_edit() {
    let s = page("tasks=-5");
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("tasks must be a whole number")), "{:?}", s.notice);
    let s = s.step(Action::Edit("tasks".into(), "5".into()));
    assert_eq!(s.notice, None);
    assert_eq!(s.scenario().workload().len(), 5);
}

/// A link to retry or fallback that plans no failures runs as it says (`fail` stays 0), and the
/// status says why there is nothing to see and what shows it, until the form plans failures. A
/// link that plans failures, another pattern and the breakfast (which never fails) say nothing.
#[test]
fn a_link_to_a_pattern_about_failures_that_plans_none_says_what_shows_it() {
    let status = |s: &State| view::status(s, &ViewOptions::default());
    for link in ["pattern=retry", "pattern=fallback&fail=0", "pattern=resource&fail=0.0"] {
        let s = page(link);
        let said = status(&s);
        assert!(said.starts_with("No task fails at failure probability 0, so "), "{link}: {said}");
        assert!(said.ends_with("has nothing to show: try 0.3."), "{link}: {said}");
        assert_eq!(s.scenario().fail, 0.0, "{link}: the link runs as it says");
        assert_eq!((s.notice.as_deref(), s.hint.as_deref()), (None, None), "{link}: nothing refused, nothing changed");
        let planned = s.step(Action::Edit("fail".into(), "0.3".into()));
        assert!(status(&planned).starts_with("Press Run"), "{link}: {}", status(&planned));
    }
    // Real requests may fail whatever the plan says.
    for link in
        ["pattern=retry&fail=0.3", "pattern=gather", "preset=breakfast&pattern=retry", "pattern=retry&source=fetch"]
    {
        assert!(status(&page(link)).starts_with("Press Run"), "{link}");
    }
}

#[test]
fn a_run_goes_from_started_through_frames_to_the_history_and_its_replay() {
    let (run, rec) = started(1, "pattern=gather&tasks=2&min=10&max=10");
    let s = page("pattern=gather&tasks=2&min=10&max=10").step(Action::Started(run));
    assert!(s.running());
    assert!(view::replaying(&s).is_none(), "a live run is what the page shows");
    rec.record(0, 0, Kind::Done, Phase::Task, "");
    let s = s.step(Action::Frame { id: 1, len: 1, now: 4.0 });
    assert_eq!(view::status(&s, &ViewOptions::default()), "Running… 1 of 2 tasks finished, 4 ms so far.");
    let finished = virtual_run("pattern=gather&tasks=2&min=10&max=10");
    let s = s.step(Action::Finished { id: 1, run: finished });
    assert!(!s.running());
    assert_eq!(view::status(&s, &ViewOptions::default()), "Finished: 2 tasks in 10 ms.");
    assert_eq!(s.history.len(), 1);
    let r = view::replaying(&s).expect("the finished run is replayed");
    assert_eq!(r.number, 1);
    assert_eq!(view::measured_title(Some(&r)), "Run #1: predicted (virtual clock)");
}

#[test]
fn a_run_keeps_the_prediction_on_screen_or_gets_its_own_when_asked_or_when_it_ends() {
    // The form's scenario: its prediction, made on the edit, stays (the same Rc).
    let s = page("pattern=gather&tasks=3&min=10&max=10");
    let form = s.predicted.clone().expect("predicted");
    let (run, _) = started(1, "pattern=gather&tasks=3&min=10&max=10");
    let s = s.step(Action::Started(run));
    assert!(Rc::ptr_eq(&form, s.predicted.as_ref().expect("kept")));
    assert!(!s.prediction_pending());
    assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Predict { id: 1 })), "nothing to compute");

    // Another scenario (a script's run): not computed when the run starts, where it would delay
    // the run, but when the page asks (the loop has time) and only for the current run.
    let (run, _) = started(2, "pattern=gather&tasks=5&min=10&max=10");
    let s = s.step(Action::Started(run));
    assert!(s.predicted.is_none() && s.prediction_pending());
    assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Predict { id: 1 })), "a stale run's ask is dropped");
    let asked = s.clone().step(Action::Predict { id: 2 });
    assert_eq!(asked.predicted.as_ref().expect("predicted").summary.tasks, 5);
    assert!(!asked.prediction_pending());

    // A run that ends before the page asked gets its prediction with its end.
    let s = s.step(Action::Finished { id: 2, run: virtual_run("pattern=gather&tasks=5&min=10&max=10") });
    assert_eq!(s.predicted.as_ref().expect("predicted at the end").summary.tasks, 5);
}

#[test]
fn actions_of_a_run_that_is_no_longer_current_change_nothing() {
    let (first, _) = started(1, "pattern=gather&tasks=2");
    let (second, _) = started(2, "pattern=gather&tasks=3");
    let s = page("pattern=gather&tasks=2").step(Action::Started(first)).step(Action::Started(second));
    for stale in [Action::Frame { id: 1, len: 5, now: 1.0 }, Action::Cancelled { id: 1 }] {
        let next = s.clone().step(stale);
        assert!(Rc::ptr_eq(&s, &next), "the same state: nothing is drawn again");
    }
    let s = s.step(Action::Cancelled { id: 2 });
    assert_eq!(view::status(&s, &ViewOptions::default()), "Cancelled.");
}

#[test]
fn a_run_that_could_not_work_shows_its_problem() {
    let (run, _) = started(1, "pattern=gather&tasks=2");
    *run.problem.borrow_mut() = Some("The browser refused the mock API.".into());
    let s = page("").step(Action::Started(run));
    assert_eq!(view::status(&s, &ViewOptions::default()), "The browser refused the mock API.");
}

#[test]
fn replay_commands_need_a_replay_and_ticks_need_it_playing() {
    let s = page("pattern=gather&tasks=3");
    assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Replay(ReplayCmd::Toggle))));
    let s = s.step(Action::Import(virtual_run("pattern=sequential&tasks=3&min=100&max=100"), None));
    assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Replay(ReplayCmd::Tick(16.0)))), "paused: no tick");
    let s = s.step(Action::Replay(ReplayCmd::Seek(150.0)));
    let r = view::replaying(&s).expect("replaying");
    assert_eq!(view::playhead(Some(&r)), Some(150.0));
    let s = s.step(Action::Replay(ReplayCmd::Seek(300.0)));
    assert_eq!(view::playhead(view::replaying(&s).as_ref()), None, "hidden at the end of a paused replay");
}

#[test]
fn a_replayed_runs_own_scenario_says_what_its_waits_wait_for_whatever_the_form_shows() {
    // The form shows a semaphore; the run replayed is a CPU pool's, whose waits are for a worker.
    let pool = "pattern=gather&tasks=3&source=cpu&offload=workers&workers=1&min=10&max=10";
    let s = page("pattern=semaphore&tasks=3&limit=2");
    assert_eq!(view::described(None, &s), (s.scenario(), "waiting for a semaphore permit"));
    let s = s.step(Action::Import(virtual_run(pool), None));
    let r = view::replaying(&s).expect("the imported run is replayed");
    // The page reads the run's params once per replayed run and hands the scenario in.
    let replayed = r.run.parsed_scenario().expect("its params read");
    let (described, waiting) = view::described(Some(&replayed), &s);
    assert_eq!((described.source, described.offload), (replayed.source, replayed.offload));
    assert_eq!(waiting, "waiting for a free worker");
    let wait =
        r.run.events.iter().find(|e| e.phase == Phase::Wait && e.kind == Kind::End && e.task == 1).expect("a wait");
    assert_eq!(
        describe_waiting(wait, "task 1", waiting),
        "At 10 ms, task 1 finished waiting for a free worker: worker 1."
    );
    // A pool under a limit waits for either; a plain run, replayed, for a permit.
    let both = virtual_run(&pool.replace("pattern=gather", "pattern=semaphore&limit=2")).parsed_scenario().unwrap();
    assert_eq!(view::described(Some(&both), &s).1, "waiting for a semaphore permit or a free worker");
    let plain = virtual_run("pattern=semaphore&tasks=3").parsed_scenario().unwrap();
    assert_eq!(view::described(Some(&plain), &s).1, "waiting for a semaphore permit");
}

#[test]
fn the_history_keeps_the_last_runs_and_forgets_their_compare_picks() {
    let mut s = page("pattern=gather&tasks=2");
    for _ in 0..HISTORY {
        s = s.step(Action::Import(virtual_run("pattern=gather&tasks=2"), None));
    }
    for n in 1..=(MAX_COMPARE as u32 + 1) {
        s = s.step(Action::ToggleCompare(n));
    }
    assert_eq!(s.compare, (1..=MAX_COMPARE as u32).collect::<Vec<_>>(), "at most {MAX_COMPARE}");
    s = s.step(Action::Import(virtual_run("pattern=gather&tasks=2"), None));
    assert_eq!(s.history.len(), HISTORY);
    assert_eq!(s.history[0].0, 2, "run #1 is forgotten");
    assert!(!s.compare.contains(&1));
}

#[test]
fn comparing_patterns_adds_their_predictions_and_picks_them() {
    let base = scenario("pattern=retry&tasks=4&limit=2");
    assert!(view::offers_hold_comparison(&base));
    assert!(!view::offers_errors_comparison(&base));
    let s = page("pattern=gather&tasks=4").step(Action::AddAndCompare(view::pattern_comparison(&base)));
    assert_eq!(s.history.len(), 3);
    assert_eq!(s.compare, vec![1, 2, 3]);
    let names: Vec<_> = s.history.iter().map(|(_, r)| r.scenario.params["pattern"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["sequential", "gather", "semaphore"]);
}

#[test]
fn the_axis_leaves_a_live_run_room_for_lateness() {
    let predicted = virtual_run("pattern=sequential&tasks=2&min=100&max=100").timeline();
    assert_eq!(view::time_scale(Some(&predicted), None, false, None), 200.0);
    assert!((view::time_scale(Some(&predicted), None, true, None) - 200.0 * view::LIVE_ROOM).abs() < 1e-9);
    let longer = virtual_run("pattern=sequential&tasks=3&min=100&max=100").timeline();
    assert_eq!(view::time_scale(Some(&predicted), Some(&longer), false, None), 300.0);
    assert_eq!(view::time_scale(None, None, false, None), 0.0);
    // A link's axis= widens the axis (embeds side by side on one scale), never cuts a run.
    assert_eq!(view::time_scale(Some(&predicted), None, false, Some(1000.0)), 1000.0);
    assert_eq!(view::time_scale(Some(&predicted), Some(&longer), false, Some(250.0)), 300.0);
}

#[test]
fn zoom_halves_doubles_and_pans_within_the_run() {
    // An axis of 300 ms ends on a round tick at 300.
    assert_eq!(view::axis_end(300.0), 300.0);
    let zoomed = view::zoom(ZoomStep::In, None, 300.0);
    assert_eq!(zoomed, Some((75.0, 225.0)));
    assert_eq!(view::zoom(ZoomStep::Later, zoomed, 300.0), Some((125.0, 275.0)));
    assert_eq!(view::zoom(ZoomStep::Earlier, Some((10.0, 160.0)), 300.0), Some((0.0, 150.0)), "not before 0");
    assert_eq!(view::zoom(ZoomStep::Out, zoomed, 300.0), None, "the whole run");
    assert_eq!(view::zoom(ZoomStep::Whole, zoomed, 300.0), None);
    assert_eq!(view::zoom_window(None, 300.0), (0.0, 300.0));
}

#[test]
fn a_zoom_step_that_would_not_move_the_window_is_not_offered() {
    let moves = |step, window| view::zoom_moves(step, window, 160.0);
    assert!(!moves(ZoomStep::Out, None) && !moves(ZoomStep::Whole, None) && !moves(ZoomStep::Earlier, None));
    assert!(moves(ZoomStep::In, None));
    // Pans by thirds of a 40 ms window, to the end and back to the start.
    let mut w = Some((60.0, 100.0));
    // Bounded: a step that kept being offered would fail here, not hang.
    for _ in 0..10 {
        if moves(ZoomStep::Later, w) {
            w = view::zoom(ZoomStep::Later, w, 160.0);
        }
    }
    assert!(!moves(ZoomStep::Later, w));
    let (from, to) = w.unwrap();
    // Ends on the axis's end; starts a rounding error before 120 ms, which the label shows as 120 ms.
    assert!(to == 160.0 && (from - 120.0).abs() < 1e-9, "{w:?}");
    assert!(moves(ZoomStep::Earlier, w) && moves(ZoomStep::Out, w));
    for _ in 0..10 {
        if moves(ZoomStep::Earlier, w) {
            w = view::zoom(ZoomStep::Earlier, w, 160.0);
        }
    }
    assert!(!moves(ZoomStep::Earlier, w));
    let (from, to) = w.unwrap();
    assert!(from == 0.0 && (to - 40.0).abs() < 1e-9, "{w:?}");
}

/// The page registers a predictor of code scenarios that only says the interpreter is loading until
/// its module has loaded; `Repredict` then asks again. (A predictor is per thread: each test has its own.)
#[test]
fn a_code_prediction_made_while_the_interpreter_loads_is_made_again_when_it_has() {
    use awaitlab::core::py::runner;
    use std::cell::Cell;
    thread_local!(static LOADED: Cell<bool> = const { Cell::new(false) });
    fn predictor(s: &Scenario) -> awaitlab::core::run::Run {
        if LOADED.with(Cell::get) {
            // What the loaded module does: run the interpreter on the virtual clock.
            let (events, _) = awaitlab::core::py::interp::run_virtual(s, &s.code);
            awaitlab::core::run::Run::new(s, awaitlab::core::scenario::ClockKind::Virtual, events)
        } else {
            runner::placeholder(s, "loading the Python interpreter…", false)
        }
    }
    runner::set_predictor(predictor);
    let code = "import asyncio\n\nasync def f(n):\n    await asyncio.sleep(0.1)\n\nasync def main():\n    await asyncio.gather(f(1), f(2))\n\nasyncio.run(main())\n";
    let state = Rc::new(State::from_url(&[("pattern".into(), "code".into()), ("code".into(), code.into())]));
    let loading = state.predicted.clone().expect("a prediction");
    assert_eq!(loading.summary.tasks, 1, "one lane saying it is loading");
    assert!(loading.events.iter().any(|e| e.kind == Kind::Print && e.detail.as_str().contains("loading")));
    LOADED.with(|l| l.set(true));
    let state = state.step(Action::Repredict);
    let predicted = state.predicted.clone().expect("a prediction");
    assert_eq!(predicted.summary.tasks, 3, "main() and two f(n): {:?}", predicted.labels);
    // Nothing to predict again for a pattern run.
    let pattern = page("pattern=gather&tasks=2");
    assert!(Rc::ptr_eq(&pattern.clone().step(Action::Repredict), &pattern));
}

#[test]
fn a_link_s_unknown_keys_are_ignored_and_named_once_and_tracking_keys_silently() {
    // A platform's click tracking (utm_*, fbclid): no notice at all, every value kept.
    let s = page("pattern=semaphore&tasks=5&limit=2&utm_source=twitter&utm_medium=social&fbclid=IwAR0abc");
    assert_eq!(s.notice, None);
    assert_eq!((s.scenario().workload().len(), s.scenario().effective_limit()), (5, Some(2)));
    // A key awaitlab does not know: ignored, and said so, without claiming defaults were shown.
    let s = page("pattern=semaphore&tasks=5&limit=2&colour=red&size=3");
    let notice = s.notice.as_deref().expect("a notice");
    assert!(
        notice.starts_with("Ignored keys awaitlab does not know: \"colour\", \"size\" (it knows pattern, "),
        "{notice}"
    );
    assert!(!notice.contains("defaults"), "{notice}");
    assert_eq!(notice.matches("it knows").count(), 1, "the known keys listed once: {notice}");
    assert_eq!((s.scenario().workload().len(), s.scenario().effective_limit()), (5, Some(2)));
    // Both: the bad value first, then the ignored key.
    let s = page("tasks=abc&colour=red");
    let notice = s.notice.as_deref().expect("a notice");
    assert!(
        notice.starts_with(
            "This link had values awaitlab cannot use, so their defaults are shown instead: tasks must be"
        ),
        "{notice}"
    );
    assert!(notice.contains(" Ignored a key awaitlab does not know: \"colour\""), "{notice}");
}

/// An embed with `controls=0` has no Run button: its status says how it does run.
#[test]
fn an_embed_without_a_run_button_says_how_it_runs_instead() {
    let s = page("pattern=gather&tasks=5");
    let view = |q: &str| ViewOptions::from_pairs(q.split('&').filter_map(|kv| kv.split_once('=')));
    let said = |q: &str| view::status(&s, &view(q));
    for q in ["embed=1&controls=0", "embed=1&controls=0&autoplay=1"] {
        assert!(!view(q).has_run_button());
        assert!(!said(q).contains("Run"), "{q}: {}", said(q));
    }
    assert!(said("embed=1&controls=0&autoplay=1").contains("once it is in view"));
    assert!(said("embed=1&controls=0").contains("the page around it"));
    // Everywhere else there is a button to press.
    for q in ["embed=1", "embed=1&controls=tasks", "embed=1&controls=1", "controls=0", ""] {
        assert!(view(q).has_run_button(), "{q}");
        assert!(said(q).starts_with("Press Run"), "{q}");
    }
}

/// A finished run of `query` as the browser clock hands it to the page.
fn measured_run(query: &str) -> awaitlab::core::run::Run {
    awaitlab::core::run::Run { clock: awaitlab::core::scenario::ClockKind::Browser, ..virtual_run(query) }
}

#[test]
fn a_finished_run_leaves_the_timelines_when_the_values_change_never_beside_another_prediction() {
    let limit3 = "pattern=semaphore&tasks=8&limit=3";
    let (run, _) = started(1, limit3);
    let s = page(limit3).step(Action::Started(run)).step(Action::Finished { id: 1, run: measured_run(limit3) });
    let shown = view::measured_run(&s, view::replaying(&s).as_ref()).expect("its figures");
    assert_eq!(shown.summary.peak_concurrency, 3);

    // Limit 1: the prediction is of limit 1 now, so run #1 (limit 3) leaves the timelines and
    // the figures; it stays in the history, and the status says what happened.
    let s = s.step(Action::Edit("limit".into(), "1".into()));
    assert_eq!(s.predicted.as_ref().expect("predicted").summary.peak_concurrency, 1);
    assert!(s.measured.is_none(), "run #1 is not drawn beside the limit-1 prediction");
    assert!(view::replaying(&s).is_none());
    assert!(view::measured_run(&s, None).is_none(), "no measured figures");
    assert_eq!(s.history.len(), 1);
    assert_eq!(
        view::status(&s, &ViewOptions::default()),
        "These values have not run yet: press Run to measure them (run #1 stays under Runs this session)."
    );
    // Replaying it brings back its own prediction, and the status says whose values Run measures.
    let s = s.step(Action::SelectReplay(1));
    assert_eq!(s.predicted.as_ref().expect("its prediction").summary.peak_concurrency, 3);
    let replayed = view::measured_run(&s, view::replaying(&s).as_ref()).expect("its figures");
    assert_eq!(replayed.summary.peak_concurrency, 3);
    assert_eq!(
        view::status(&s, &ViewOptions::default()),
        "Run #1 is replayed beside the prediction of its own values; Run measures the form's."
    );
    let (run, _) = started(2, "pattern=semaphore&tasks=8&limit=1");
    let s = s
        .step(Action::Started(run))
        .step(Action::Finished { id: 2, run: measured_run("pattern=semaphore&tasks=8&limit=1") });
    assert!(
        view::status(&s, &ViewOptions::default()).starts_with("Finished: 8 tasks in "),
        "{}",
        view::status(&s, &ViewOptions::default())
    );
    // Replaying a run of the form's values needs no word.
    assert!(view::status(&s.step(Action::SelectReplay(2)), &ViewOptions::default()).starts_with("Finished: "));
}

#[test]
fn a_run_edited_while_it_runs_keeps_its_own_prediction_and_the_status_says_the_form_moved_on() {
    let limit3 = "pattern=semaphore&tasks=8&limit=3";
    let (run, _) = started(1, limit3);
    let s = page(limit3).step(Action::Started(run));
    let own = s.predicted.clone().expect("predicted");
    let s = s.step(Action::Edit("limit".into(), "1".into()));
    assert!(Rc::ptr_eq(&own, s.predicted.as_ref().expect("kept")), "the live run's prediction stays");
    assert_eq!(s.scenario().effective_limit(), Some(1), "the form has the new value");
    let s = s.step(Action::Finished { id: 1, run: measured_run(limit3) });
    assert!(Rc::ptr_eq(&own, s.predicted.as_ref().expect("kept")));
    assert_eq!(
        view::status(&s, &ViewOptions::default()),
        format!(
            "Finished: 8 tasks in {}. The form shows other values now: press Run to measure them.",
            awaitlab::core::timeline::format_ms(own.summary.makespan_ms)
        )
    );
}

#[test]
fn a_script_s_run_puts_its_values_in_the_form_so_the_link_is_of_the_run_on_screen() {
    // `awaitlab.run({pattern: "semaphore", …})` on a gather page: Copy link and Embed, made of the
    // form's scenario, gave the gather while the page showed the semaphore run.
    let shown = "pattern=semaphore&tasks=6&limit=2&seed=8";
    let (mut run, _) = started(1, shown);
    run.by_script = true;
    let s = page("pattern=gather&tasks=3&seed=5").step(Action::Started(run));
    assert!(same_values(s.scenario(), &scenario(shown)), "the form has the run's values");
    assert_eq!(s.form.iter().find(|(k, _)| k == "limit").map(|(_, v)| v.as_str()), Some("2"));
    let s = s.step(Action::Finished { id: 1, run: measured_run(shown) });
    assert!(view::status(&s, &ViewOptions::default()).starts_with("Finished: 6 tasks in "));
    assert!(!view::status(&s, &ViewOptions::default()).contains("other values"));

    // The page's own Run leaves the form alone, even edited before the run was shown.
    let (run, _) = started(2, "pattern=gather&tasks=3");
    let s = page("pattern=gather&tasks=3").step(Action::Edit("tasks".into(), "4".into())).step(Action::Started(run));
    assert_eq!(s.scenario().tasks, 4);
}

/// Why Run is off is worked out once per scenario (the status asks on every render): every way
/// the form's scenario changes keeps it, both ways: a link, an edit, a script's run, an import.
#[test]
fn why_run_is_off_follows_every_change_of_the_forms_scenario() {
    let frozen = "pattern=gather&source=cpu&tasks=1&min=30000&max=30000";
    let kept = |s: &State| {
        assert_eq!(s.unmeasurable(), s.scenario().unmeasurable().as_deref());
        s.measurable()
    };
    let s = page(frozen);
    assert!(!kept(&s), "a link of 30 s of inline work");
    // A script's run of other values fills the form.
    let (mut run, _) = started(1, "pattern=gather&tasks=2");
    run.by_script = true;
    let s = s.step(Action::Started(run));
    assert!(kept(&s));
    let s = s.step(Action::Finished { id: 1, run: measured_run("pattern=gather&tasks=2") });
    let s = s.step(Action::Edit("source".into(), "cpu".into())).step(Action::Edit("max".into(), "30000".into()));
    let s = s.step(Action::Edit("min".into(), "30000".into()));
    assert!(!kept(&s), "edited to 30 s of inline work");
    let s = s.step(Action::Import(run_virtual(&scenario("pattern=gather&tasks=3")), None));
    assert!(kept(&s), "an imported run's values");
    let s = s.step(Action::Import(run_virtual(&scenario(frozen)), None));
    assert!(!kept(&s), "an imported prediction of 30 s of inline work");
}

#[test]
fn every_run_that_finished_joins_the_history_even_one_another_run_took_the_screen_from() {
    // A script's runs back to back: run 2 starts before run 1's end is drawn, and run 3 before
    // run 2 was even shown.
    let (first, _) = started(1, "pattern=gather&tasks=2");
    let (second, _) = started(2, "pattern=sequential&tasks=3");
    let s = page("pattern=gather&tasks=2").step(Action::Started(first)).step(Action::Started(second));
    let s = s.step(Action::Finished { id: 1, run: measured_run("pattern=gather&tasks=2") });
    assert_eq!(s.history.len(), 1, "run 1 is kept");
    assert!(s.running(), "run 2 is still the one on screen");
    let s = s.step(Action::Finished { id: 2, run: measured_run("pattern=sequential&tasks=3") });
    // Run 3 was never shown (run 4 started first): it ended all the same.
    let s = s.step(Action::Finished { id: 3, run: measured_run("pattern=race&tasks=4") });
    let tasks: Vec<u32> = s.history.iter().map(|(_, r)| r.summary.tasks).collect();
    assert_eq!(tasks, [2, 3, 4], "each run once, in the order they ended");
    assert_eq!(s.history.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn an_imported_run_is_shown_as_what_it_is_its_values_in_the_form_its_figures_beside_its_prediction() {
    let retry = "pattern=retry&tasks=6&fail=0.5&seed=3&min=30&max=80";
    let imported = measured_run(retry);
    let makespan = imported.summary.makespan_ms;
    // The page shows another scenario, measured.
    let (run, _) = started(1, "pattern=gather&tasks=10");
    let s = page("pattern=gather&tasks=10")
        .step(Action::Started(run))
        .step(Action::Finished { id: 1, run: measured_run("pattern=gather&tasks=10") })
        .step(Action::Import(imported, Some("imported from run.json".into())));
    // Its scenario is the page's: the form (so Run and the link reproduce it), the lesson.
    assert_eq!(s.scenario(), &scenario(&format!("{retry}&clock=virtual")));
    assert!(s.form.contains(&("pattern".to_string(), "retry".to_string())));
    assert!(s.form.contains(&("tasks".to_string(), "6".to_string())));
    assert_eq!(view::shown_scenario(&s).pattern, s.scenario().pattern);
    // Its figures beside the prediction of its scenario.
    let r = view::replaying(&s).expect("replayed");
    assert_eq!(r.number, 2);
    assert_eq!(view::measured_run(&s, Some(&r)).expect("its figures").summary.makespan_ms, makespan);
    let predicted = s.predicted.as_ref().expect("its prediction");
    assert_eq!(predicted.parsed_scenario().ok(), Some(s.scenario().clone()));
    assert_eq!(
        view::status(&s, &ViewOptions::default()),
        "Run #2 was imported from run.json: its values are in the form now, and Run measures them on this page."
    );
    // Run: the note gives way to the run.
    let (run, _) = started(2, retry);
    assert!(view::status(&s.step(Action::Started(run)), &ViewOptions::default()).starts_with("Running…"));
}

#[test]
fn a_link_of_any_size_is_predicted_once_the_page_has_painted() {
    for (query, tasks) in [("tasks=10000", 10_000), ("tasks=100000&clock=virtual", 100_000)] {
        let s = page(query);
        assert!(s.predicted.is_none(), "{query}: not before the first paint");
        let s = s.step(Action::Painted);
        assert_eq!(s.predicted.as_ref().expect("predicted").summary.tasks, tasks, "{query}");
        assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Painted)), "{query}: once");
    }
    // A run that took the screen first keeps its own.
    let (run, _) = started(1, "pattern=gather&tasks=3");
    let s = page("tasks=10000").step(Action::Started(run));
    assert!(Rc::ptr_eq(&s, &s.clone().step(Action::Painted)));
}

#[test]
fn a_link_s_values_that_do_not_fit_together_fall_back_to_their_defaults_as_its_notice_says() {
    let defaults = "This link had values awaitlab cannot use, so their defaults are shown instead: ";
    let s = page("tasks=10001");
    assert_eq!(s.scenario().workload().len(), 10, "the default, not the cap");
    let notice = s.notice.as_deref().expect("a notice");
    assert!(
        notice.starts_with(&format!("{defaults}tasks must be at most 10000 on the browser clock (got 10001)")),
        "{notice}"
    );
    let s = page("min=500&max=300");
    assert_eq!((s.scenario().min, s.scenario().max), (100, 400));
    assert!(s.notice.as_deref().expect("a notice").starts_with(defaults));
}

/// The compact figure of outcomes counts what "All figures" counts, each kind apart, and its label
/// names them: a timed-out task is neither failed on its own nor cancelled.
#[test]
fn the_outcome_figure_tells_failed_cancelled_and_timed_out_apart_as_all_figures_does() {
    let row = |id: &str| view::ROWS.iter().find(|r| r.0 == id).expect(id);
    let (_, label, outcome) = view::FIGURES.iter().find(|f| f.0 == "failed").expect("the outcome figure");
    assert_eq!(*label, "tasks failed/cancelled/timed\u{a0}out");
    for query in
        ["pattern=timeout", "pattern=race", "pattern=gather&errors=fail_fast&fail=0.5", "pattern=retry&fail=0.5"]
    {
        let s = virtual_run(query).summary;
        let apart: Vec<String> = ["failures", "cancelled", "timed-out"].iter().map(|id| (row(id).2)(&s)).collect();
        assert_eq!(outcome(&s), apart.join("/"), "{query}");
    }
    assert_eq!(outcome(&virtual_run("pattern=timeout").summary), "0/0/5");
    // A retry's failed attempts (its red bars) are counted apart from its failed tasks.
    let retry = virtual_run("pattern=retry&tasks=6&fail=0.5&seed=1").summary;
    assert_eq!((row("failed-attempts").2(&retry), outcome(&retry)), ("10".to_string(), "3/0/0".to_string()));
}

/// The lane readout (and each bar's title) names every phase the same way, as the legend and the
/// Run JSON do: `attempt 1: work from…` and `attempt 1: backoff from…`, not `Backoff from…`.
#[test]
fn a_lane_s_spans_read_with_their_phases_named_alike() {
    use awaitlab::core::timeline::{bar_words, Timeline};
    let run = virtual_run("pattern=retry&fail=0.3&limit=2&hold=0");
    let tl = Timeline::build(run.summary.tasks, &run.events, run.summary.makespan_ms);
    let phases: std::collections::HashSet<Phase> = tl.bars.iter().map(|b| b.phase).collect();
    assert!(phases.contains(&Phase::Backoff) && phases.contains(&Phase::Wait), "{phases:?}");
    for bar in &tl.bars {
        let words = bar_words(&format!("task {}", bar.task), bar);
        let expected = format!("task {}, attempt {}: {} from ", bar.task, bar.attempt, bar.phase.key());
        assert!(words.starts_with(&expected), "{words}");
    }
}

/// A permit granted at once is a 0 ms wait, drawn as nothing: a lane reads (and the keyboard
/// stops at) its work alone, as "wait 0 ms to 0 ms" told nothing; a wait with a length is read.
#[test]
fn a_lane_reads_its_permit_wait_only_when_it_has_a_length() {
    use awaitlab::core::timeline::{key_stops, read_bars, Bar, Timeline};
    let run = virtual_run("pattern=semaphore&tasks=4&limit=2&min=50&max=50&seed=1&fail=0");
    let tl = Timeline::build(run.summary.tasks, &run.events, run.summary.makespan_ms);
    let lane = |task: u32| tl.bars.iter().filter(|b| b.task == task).cloned().collect::<Vec<_>>();
    let phases = |bars: Vec<&Bar>| bars.iter().map(|b| b.phase).collect::<Vec<_>>();
    let (first, third) = (lane(0), lane(2));
    assert_eq!(phases(first.iter().collect()), [Phase::Wait, Phase::Work], "the 0 ms wait is laid out");
    assert_eq!(phases(read_bars(first.iter()).collect()), [Phase::Work]);
    assert_eq!(phases(key_stops(&first).collect()), [Phase::Work]);
    assert_eq!(phases(read_bars(third.iter()).collect()), [Phase::Wait, Phase::Work]);
}

/// A `clock=virtual` link past the browser clock's 10,000 tasks is predicted, and the page says
/// that is all it can do with it: the status does not offer Run, and Run is off (`run_blocked`)
/// for the same reason, in every view and after an import of such a run.
#[test]
fn a_virtual_link_past_the_browser_clocks_cap_says_it_is_predicted_only_and_run_is_off() {
    let s = page("pattern=gather&tasks=100000&clock=virtual").step(Action::Painted);
    let why = s.scenario().unmeasurable().expect("the browser clock cannot measure 100000 tasks");
    assert!(why.contains("predicted only") && why.contains("10000") && why.contains("100000"), "{why}");
    for q in ["", "embed=1", "embed=1&controls=0", "embed=1&controls=0&autoplay=1"] {
        let view = ViewOptions::from_pairs(q.split('&').filter_map(|kv| kv.split_once('=')));
        assert_eq!(view::status(&s, &view), why, "{q}");
    }
    assert!(view::run_blocked(&s));
    // Within the cap, or on the browser clock (already checked as it was read), Run measures.
    for q in ["pattern=gather&tasks=10000&clock=virtual", "pattern=gather&tasks=10000"] {
        let s = page(q);
        assert_eq!(s.scenario().unmeasurable(), None, "{q}");
        assert!(!view::run_blocked(&s), "{q}");
        assert!(view::status(&s, &ViewOptions::default()).starts_with("Press Run"), "{q}");
    }
    // Such a run imported: its values fill the form, and the note does not promise Run.
    let big = run_virtual(&scenario("pattern=gather&tasks=20000&clock=virtual"));
    let s = page("pattern=gather&tasks=5").step(Action::Import(big, Some("imported from big.json".into())));
    let said = view::status(&s, &ViewOptions::default());
    assert!(said.starts_with("Run #1 was imported from big.json: its values are in the form now."), "{said}");
    assert!(!said.contains("Run measures") && said.contains("predicted only"), "{said}");
    assert!(view::run_blocked(&s));
    // Edited down within the cap: Run measures again.
    let s = s.step(Action::Edit("tasks".into(), "50".into()));
    assert!(!view::run_blocked(&s));
    assert!(!view::status(&s, &ViewOptions::default()).contains("predicted only"));
}

#[test]
fn a_run_of_one_task_says_one_task() {
    let (run, _rec) = started(1, "pattern=gather&tasks=1&min=10&max=10");
    let s = page("pattern=gather&tasks=1&min=10&max=10").step(Action::Started(run));
    let s = s.step(Action::Finished { id: 1, run: virtual_run("pattern=gather&tasks=1&min=10&max=10") });
    assert_eq!(view::status(&s, &ViewOptions::default()), "Finished: 1 task in 10 ms.");
    let svg = awaitlab::core::export::timeline_svg(&virtual_run("pattern=gather&tasks=1&min=10&max=10"));
    assert!(svg.contains("— 1 task, 10 ms"), "{}", &svg[..300.min(svg.len())]);
}

/// A `clock=virtual` link of real requests whose plan fits the event budget, but whose run on the
/// browser clock could pass it (every request there may fail, and each failure is another retry)
/// is predicted only, as one past the 10,000-task cap is: the status says why and Run is off.
#[test]
fn a_virtual_fetch_link_past_the_browser_clocks_event_budget_is_predicted_only() {
    let q = "pattern=retry&source=fetch&clock=virtual&tasks=9000&retries=20&limit=100";
    let s = page(q).step(Action::Painted);
    assert_eq!(s.scenario().tasks, 9000, "the link opens as it is: its plan fits");
    let why = s.scenario().unmeasurable().expect("if every request failed, more than 1,000,000 events");
    assert!(why.starts_with("These values are predicted only: ") && why.contains("1000000 events"), "{why}");
    assert!(why.contains("if every request failed"), "{why}");
    assert_eq!(view::status(&s, &ViewOptions::default()), why);
    assert!(view::run_blocked(&s));
    assert_eq!(view::run_off(&s, false), Some("status"));
    // The same on the browser clock is refused as it is read, with the same reason.
    let refused =
        Scenario::parse(q.replace("clock=virtual", "clock=browser").split('&').filter_map(|p| p.split_once('=')));
    assert!(refused.is_err_and(|e| e.iter().any(|e| e.message.contains("if every request failed"))));
    // Fewer retries fit: Run measures.
    for fits in [q.replace("retries=20", "retries=16"), q.replace("source=fetch", "source=sleep")] {
        let s = page(&fits);
        assert_eq!(s.scenario().unmeasurable(), None, "{fits}");
        assert!(!view::run_blocked(&s), "{fits}");
    }
}

/// Run's one gate (`view::run_off`), which the button, the form's submission and the editor's
/// Ctrl/Cmd+Enter all obey: the editor's problem first (its message is under the editor), then
/// values the browser clock cannot measure (the status says why); a problem in code counts only
/// for a code scenario.
#[test]
fn run_s_gate_names_what_says_why_run_is_off() {
    let code = "pattern=code&code=import%20asyncio";
    assert_eq!(view::run_off(&page(code), false), None);
    assert_eq!(view::run_off(&page(code), true), Some("code-problem"));
    // A program decides its own tasks: `tasks` does not turn Run off.
    let big = format!("{code}&tasks=20000&clock=virtual");
    assert_eq!(view::run_off(&page(&big), false), None);
    assert_eq!(view::run_off(&page(&big), true), Some("code-problem"));
    assert_eq!(view::run_off(&page("pattern=gather"), true), None, "no editor, no code problem");
    assert_eq!(view::run_off(&page("pattern=gather&tasks=20000&clock=virtual"), false), Some("status"));
}

/// The Embed snippet's height follows what its compact embed shows (measured at 700 px by
/// `tests/e2e/embed_compact.test.mjs`): its lanes, as tall as the panels make them (a lane of
/// 22 px, thinning to 11 px, up to 14 lanes' 154 px, back to 100 px past 40), the busy strip of a
/// CPU run or a program, a program's output; it said 460 px for every embed, 120 px more than the
/// default one takes.
#[test]
fn the_embed_snippet_is_as_high_as_its_embed_s_lanes_and_output() {
    let h = |q: &str| view::embed_height(&scenario(q), None);
    assert_eq!(h("tasks=1"), 242 + 22);
    assert_eq!(h("pattern=gather"), 242 + 120, "the default's 10 lanes");
    assert_eq!(h("tasks=14"), 242 + 154, "the tallest lanes");
    assert_eq!(h("tasks=100000&clock=virtual"), 242 + 100);
    assert_eq!(h("tasks=14&source=cpu"), 242 + 154 + 22, "inline CPU work's busy strip");
    assert_eq!(h("tasks=14&source=cpu&offload=workers"), 242 + 154);
    // A program: its lanes are the tasks its prediction spawned, its output the lines it printed.
    let program = |prints: usize| {
        let body: String = (0..prints).map(|i| format!("    print({i})\n")).collect();
        let s = scenario(&format!("pattern=code&code=import asyncio\nasync def main():\n{body}    await asyncio.sleep(0.01)\nasyncio.run(main())\n"));
        let run = run_virtual(&s);
        view::embed_height(&s, Some(&run))
    };
    // And the busy strip its measured run draws if its code holds the loop, which no prediction
    // knows (a program that only awaits can, on a busy machine: the snippet cut it by 2 px).
    assert_eq!(program(0), 242 + 22 + 22 + 66, "one lane, and \"Nothing printed yet.\"");
    assert_eq!(program(4), 242 + 22 + 22 + 34 + 4 * 17);
    assert_eq!(program(40), 242 + 22 + 22 + 115, "the output scrolls past 5 lines");
}

/// Run is off past 10,000 tasks only where `tasks` is what runs: a program decides its own tasks,
/// and the breakfast preset has two (both were predicted only at `tasks=20000&clock=virtual`).
#[test]
fn the_ten_thousand_task_check_counts_only_tasks_that_run() {
    let code = "import asyncio\n\nasync def main():\n    await asyncio.sleep(0.1)\n\nasyncio.run(main())\n";
    let program = Scenario::parse([("pattern", "code"), ("code", code), ("tasks", "20000"), ("clock", "virtual")]);
    assert_eq!(program.expect("a code scenario").unmeasurable(), None);
    let breakfast = scenario("pattern=gather&preset=breakfast&tasks=20000&clock=virtual");
    assert_eq!(breakfast.unmeasurable(), None);
    assert!(scenario("pattern=gather&tasks=20000&clock=virtual").unmeasurable().is_some());
    // Run measures on the browser clock, where such a `tasks` was refused as too many.
    let measured = Scenario::parse([("pattern", "code"), ("code", code), ("tasks", "20000"), ("clock", "browser")]);
    assert!(measured.is_ok(), "{measured:?}");
    assert!(Scenario::parse([("pattern", "gather"), ("tasks", "20000"), ("clock", "browser")]).is_err());
}

/// A key given twice keeps its first value, and the notice says so: it said the default was
/// shown ("their defaults are shown instead: tasks is given more than once") while the form and
/// the timeline had the first value, 5. A repeated unknown key is named once, as ignored.
#[test]
fn a_repeated_key_keeps_its_first_value_and_the_notice_says_so() {
    let s = page("tasks=5&tasks=7&colour=red&colour=blue");
    let notice = s.notice.as_deref().expect("a notice");
    assert_eq!(s.scenario().tasks, 5);
    assert!(notice.starts_with("This link gives \"tasks\" more than once: the first value is used."), "{notice}");
    assert!(!notice.contains("defaults"), "{notice}");
    assert!(notice.contains(" Ignored a key awaitlab does not know: \"colour\" ("), "{notice}");
}

#[test]
fn a_tiny_runs_axis_reads_each_tick_once_with_the_decimals_its_step_needs() {
    use awaitlab::core::timeline::{tick_texts, ticks, ticks_between};
    // A 0.2 ms code run: 0.05 ms steps (it read "0 ms, 0.1 ms, 0.1 ms, 0.2 ms, 0.2 ms").
    assert_eq!(tick_texts(&ticks(0.2, 8)), ["0 ms", "0.05 ms", "0.1 ms", "0.15 ms", "0.2 ms"]);
    // Steps the usual rounding holds keep their labels as they were.
    assert_eq!(tick_texts(&ticks(1.0, 5)), ["0 ms", "0.2 ms", "0.4 ms", "0.6 ms", "0.8 ms", "1 ms"]);
    assert_eq!(tick_texts(&ticks(1000.0, 5)), ["0 ms", "200 ms", "400 ms", "600 ms", "800 ms", "1 s"]);
    // Finer still, and zoomed in past a second: every label distinct.
    for labels in [
        tick_texts(&ticks(0.003, 8)),
        tick_texts(&ticks_between(999.9, 1000.1, 8)),
        tick_texts(&ticks_between(2000.0, 2040.0, 8)),
    ] {
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(unique, labels, "{labels:?}");
    }
    assert_eq!(
        tick_texts(&ticks_between(2000.0, 2040.0, 8)),
        ["2 s", "2.005 s", "2.01 s", "2.015 s", "2.02 s", "2.025 s", "2.03 s", "2.035 s", "2.04 s"]
    );
}

#[test]
fn a_refused_import_is_said_by_the_status_line_and_keeps_the_runs() {
    let good = virtual_run("pattern=semaphore&tasks=5");
    let s = page("v=1&pattern=semaphore&tasks=5").step(Action::Import(good, Some("imported from good.json".into())));
    assert!(view::status(&s, &ViewOptions::default()).starts_with("Run #1 was imported from good.json"));
    let replayed = view::replaying(&s).map(|r| r.number);
    let why = "broken.json could not be imported: not valid JSON: EOF while parsing an object at line 1 column 300";
    let s = s.step(Action::ImportFailed(why.into()));
    // The status no longer says the earlier import is the latest thing that happened.
    assert_eq!(view::status(&s, &ViewOptions::default()), format!("{why}. The runs already here are unchanged."));
    // Nothing recorded is lost: the run is still there, still replayed.
    assert_eq!(s.history.len(), 1);
    assert_eq!(view::replaying(&s).map(|r| r.number), replayed);
    // A first import refused says so without promising runs.
    let s = page("pattern=gather").step(Action::ImportFailed("x.json could not be read".into()));
    assert_eq!(view::status(&s, &ViewOptions::default()), "x.json could not be read.");
    // While a run is live its status is its progress: the notice above the form says it.
    let (run, _) = started(1, "pattern=gather&tasks=3");
    let s = page("pattern=gather&tasks=3").step(Action::Started(run)).step(Action::ImportFailed(why.into()));
    assert!(view::status(&s, &ViewOptions::default()).starts_with("Running…"));
    assert_eq!(s.notice.as_deref(), Some(format!("{why}.").as_str()));
}

/// A link's `limit=none` on the semaphore pattern (no semaphore, which that pattern cannot be) ran
/// with 3 permits and said nothing. It still opens with 3 (an old link never breaks), and the
/// notice names the value it did not use.
#[test]
fn a_semaphore_link_s_limit_none_opens_on_the_default_and_its_notice_says_so() {
    let s = page("pattern=semaphore&tasks=6&limit=none");
    assert_eq!((s.scenario().effective_limit(), s.scenario().workload().len()), (Some(3), 6));
    let notice = s.notice.as_deref().expect("a notice");
    assert!(
        notice.starts_with(
            "This link had values awaitlab cannot use, so their defaults are shown instead: limit must be a whole \
             number from 1 to 100000 for the semaphore pattern (got \"none\")"
        ),
        "{notice}"
    );
    assert!(s.form.contains(&("limit".to_string(), "3".to_string())), "the field shows what runs");
    assert!(page("pattern=retry&limit=none").notice.is_none(), "retry may run without a semaphore");
}

/// Switching the form from a pattern running without a limit (`none`) to the semaphore puts the
/// semaphore's default in the field, which the form then shows, rather than an error for a value
/// the user did not type; clearing the field on the semaphore is an error by the field.
#[test]
fn switching_to_the_semaphore_without_a_limit_fills_in_its_default_and_clearing_it_is_an_error() {
    let s = page("pattern=retry&tasks=4&fail=0.3");
    assert!(s.form.contains(&("limit".to_string(), "none".to_string())));
    let s = s.step(Action::Edit("pattern".into(), "semaphore".into()));
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.form.contains(&("limit".to_string(), "3".to_string())), "{:?}", s.form);
    assert_eq!(s.scenario().effective_limit(), Some(3));
    // A limit that was set stays as it was.
    let s = page("pattern=retry&tasks=4&limit=2").step(Action::Edit("pattern".into(), "semaphore".into()));
    assert_eq!((s.scenario().effective_limit(), s.errors.len()), (Some(2), 0));
    // The field emptied on the semaphore: named by the field, the last valid scenario stays.
    let s = s.step(Action::Edit("limit".into(), "".into()));
    assert_eq!(s.errors.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["limit"]);
    assert_eq!(s.scenario().effective_limit(), Some(2));
    // A postMessage `set` of the pattern alone merges into the form the same way.
    let form = page("pattern=retry&tasks=4").form_with(&[("pattern".into(), "semaphore".into())]);
    assert!(form.contains(&("limit".to_string(), "3".to_string())), "{form:?}");
    let form = page("pattern=retry&tasks=4")
        .form_with(&[("pattern".into(), "semaphore".into()), ("limit".into(), "none".into())]);
    assert!(
        form.contains(&("limit".to_string(), "none".to_string())),
        "a limit given is kept, to be refused: {form:?}"
    );
}

/// `null` typed into the limit field on the semaphore is refused by the field as `abc` is (it ran
/// 3 without a word): the last valid scenario stays.
#[test]
fn null_typed_in_the_semaphore_s_limit_is_an_error_by_the_field_as_any_junk_is() {
    let s = page("pattern=semaphore&tasks=4&limit=2");
    for typed in ["abc", "null", "0"] {
        let t = s.clone().step(Action::Edit("limit".into(), typed.into()));
        let errors: Vec<(&str, &str)> = t.errors.iter().map(|e| (e.key.as_str(), e.message.as_str())).collect();
        assert_eq!(errors.len(), 1, "{typed}: {errors:?}");
        assert_eq!(errors[0].0, "limit", "{typed}");
        assert!(errors[0].1.contains("for the semaphore pattern"), "{typed}: {}", errors[0].1);
        assert_eq!(t.scenario().effective_limit(), Some(2), "{typed}: the last valid scenario stays");
    }
}

/// A link's values that its scenario keeps but does not run are named, as ignored keys are: the
/// breakfast's two tasks are fixed, so `tasks=7` beside it did nothing without a word. Values at
/// their defaults (every link the page writes carries the workload's keys) say nothing, and the
/// scripts' channels take them as a Run JSON's own params hold them.
#[test]
fn a_link_names_the_values_its_preset_or_pattern_does_not_run() {
    let s = page("preset=breakfast&tasks=7&min=50");
    assert_eq!(s.scenario().workload().len(), 2, "the breakfast's two tasks run");
    assert_eq!(s.form.iter().find(|(k, _)| k == "tasks").map(|(_, v)| v.as_str()), Some("7"), "kept for N requests");
    assert_eq!(
        s.notice.as_deref(),
        Some("Ignored tasks=7, min=50: preset=breakfast runs the article's own two tasks.")
    );
    // The link the page writes for the breakfast, every workload key at its default: no notice.
    let written = scenario("preset=breakfast").to_query();
    assert!(written.contains("tasks=10"), "{written}");
    assert_eq!(page(&written).notice, None);
    // With a bad value: both said, the bad one first.
    let s = page("preset=breakfast&tasks=7&fail=2");
    let notice = s.notice.as_deref().unwrap_or_default();
    assert!(
        notice.starts_with("This link had values awaitlab cannot use") && notice.contains("fail must be"),
        "{notice}"
    );
    assert!(notice.ends_with("Ignored tasks=7: preset=breakfast runs the article's own two tasks."), "{notice}");
    // A program beside another pattern is kept for a switch back, and never runs.
    let s = page("pattern=gather&code=print(1)");
    assert_eq!(s.notice.as_deref(), Some("Ignored code: a program runs only with pattern=code."));
    assert_eq!(page("pattern=code&code=print(1)").notice, None);
    assert_eq!(page("preset=random&tasks=7").notice, None);
    // awaitlab.run and postMessage take them, as a Run JSON's own params hold them (and run again).
    let params = vec![("preset".to_string(), "breakfast".to_string()), ("tasks".to_string(), "7".to_string())];
    assert_eq!(awaitlab::core::message::parse_scenario(&params).map(|s| s.workload().len()), Ok(2));
}

/// A learner who set 7 tasks, or wrote a program, then switched to the breakfast or to gather,
/// shares a link that runs what they see and opens without a notice; their address bar keeps
/// the values for a reload.
#[test]
fn a_shared_link_leaves_out_what_its_scenario_does_not_run() {
    for kept in ["preset=breakfast&tasks=7&min=50&seed=3&fail=0.5", "pattern=gather&code=print(1)&tasks=7"] {
        let s = scenario(kept);
        let shared = s.shared().to_query();
        let opened = page(&shared);
        assert_eq!(opened.notice, None, "{kept} shared as {shared}");
        let (them, us) =
            (opened.predicted.as_ref().expect("predicted"), page(kept).predicted.clone().expect("predicted"));
        assert_eq!((&them.labels, &them.events, &them.summary), (&us.labels, &us.events, &us.summary), "{shared}");
        assert!(page(&s.to_query()).notice.is_some(), "the address bar keeps {kept}");
    }
    assert!(!scenario("pattern=gather&code=print(1)").shared().to_query().contains("code="));
    assert!(scenario("preset=breakfast&tasks=7").shared().to_query().contains("tasks=10"));
    // What runs is kept: a random workload's values, a program with pattern=code.
    for runs in ["preset=random&tasks=7&min=50", "pattern=code&code=print(1)"] {
        assert_eq!(scenario(runs).shared(), scenario(runs), "{runs}");
    }
}
