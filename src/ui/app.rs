//! The page: the form, the status line, the summary and the two timelines.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::code_panel::CodePanel;
use super::controls::Controls;
use super::frame::{next_frame, next_frame_within};
use super::history::History;
use super::legend::Legend;
use super::replay_panel::ReplayPanel;
use super::state::{Action, ReplayCmd, State};
use super::summary::SummaryView;
use super::timeline_view::TimelineView;
use super::url;
use super::Shared;
use crate::core::event::Kind;
use crate::core::gap;
use crate::core::run::run_virtual;
use crate::core::scenario::{ClockKind, Scenario};
use crate::core::timeline::{format_ms, Cut};
use crate::runtime::session;

thread_local! {
    /// How long the last render of the app took, in ms (measured from its start to its effects).
    static RENDER_COST: Cell<f64> = const { Cell::new(0.0) };
}

/// Live updates may take at most this share of the main thread: a render that hogs it delays the
/// very timers being measured (Chromium then runs only a few timer callbacks between frames).
const UI_SHARE: f64 = 0.2;

/// A render this long (ms) leaves the browser a layout and paint of similar size to do.
const LONG_RENDER_MS: f64 = 8.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Keeps the measured run's view in step with it: at most one update per animation frame while
/// it is live, fewer when rendering is costly, then its final events. Stops when the run changes
/// or the app unmounts.
#[hook]
fn use_run_frames(state: &UseReducerHandle<State>) {
    let live = state.measured.as_ref().map(|m| m.live.clone());
    let id = live.as_ref().map(|l| l.id);
    let dispatch = state.dispatcher();
    use_effect_with(id, move |_| {
        let alive = Rc::new(Cell::new(true));
        if let Some(live) = live {
            let (a, d, l) = (alive.clone(), dispatch.clone(), live.clone());
            spawn_local(async move {
                let mut last = f64::NEG_INFINITY;
                while a.get() {
                    next_frame().await;
                    let t = now_ms();
                    let wait = RENDER_COST.with(Cell::get) / UI_SHARE;
                    if a.get() && t - last >= wait {
                        last = t;
                        d.dispatch(Action::Frame { id: l.id, len: l.rec.len(), now: l.rec.elapsed() });
                    }
                }
            });
            let a = alive.clone();
            spawn_local(async move {
                let outcome = live.finished.clone().await;
                // The finished run is drawn in the next frame, like every other update: rendering
                // it here, in the microtask that ended the run, would keep whoever awaits the run
                // (a script calling `awaitlab.run`) waiting for the page's layout. Without frames
                // (a hidden tab, an embed out of view) it is drawn anyway, so the host page still
                // hears `awaitlab:finished`.
                next_frame_within(100).await;
                a.set(false);
                dispatch.dispatch(match outcome {
                    Some(run) => Action::Finished { id: live.id, run },
                    None => Action::Cancelled { id: live.id },
                });
            });
        }
        move || alive.set(false)
    });
}

/// Moves a playing replay along with real time, one tick per animation frame.
#[hook]
fn use_replay_clock(state: &UseReducerHandle<State>) {
    let playing = state.replay.as_ref().is_some_and(|(_, r)| r.playing);
    let dispatch = state.dispatcher();
    use_effect_with(playing, move |playing| {
        let alive = Rc::new(Cell::new(*playing));
        let a = alive.clone();
        if *playing {
            spawn_local(async move {
                let mut last = now_ms();
                while a.get() {
                    next_frame().await;
                    let t = now_ms();
                    if a.get() {
                        dispatch.dispatch(Action::Replay(ReplayCmd::Tick(t - last)));
                    }
                    last = t;
                }
            });
        }
        move || alive.set(false)
    });
}

/// Predictions of `scenario`, once per variant: each variant's keys replace the scenario's.
fn predictions(scenario: &Scenario, variants: &[&[(&str, &str)]]) -> Vec<crate::core::run::Run> {
    variants
        .iter()
        .filter_map(|variant| {
            let mut pairs: Vec<(&str, String)> = scenario
                .to_pairs()
                .into_iter()
                .filter(|(k, _)| *k != "clock" && !variant.iter().any(|(v, _)| v == k))
                .collect();
            pairs.extend(variant.iter().map(|(k, v)| (*k, v.to_string())));
            pairs.push(("clock", "virtual".into()));
            Scenario::parse(pairs.iter().map(|(k, v)| (*k, v.as_str()))).ok().map(|s| run_virtual(&s))
        })
        .collect()
}

/// Predictions of the same workload as sequential, gather and semaphore(3), for comparing.
fn pattern_comparison(scenario: &Scenario) -> Vec<crate::core::run::Run> {
    predictions(
        scenario,
        &[
            &[("pattern", "sequential"), ("limit", "none")],
            &[("pattern", "gather"), ("limit", "none")],
            &[("pattern", "semaphore"), ("limit", "3")],
        ],
    )
}

/// Retry under a limit, holding the permit through backoff and releasing it, for comparing.
fn hold_comparison(scenario: &Scenario) -> Vec<crate::core::run::Run> {
    predictions(scenario, &[&[("hold", "1")], &[("hold", "0")]])
}

/// Gather: plain `gather` against a `TaskGroup` on the same workload, failures planned if it has
/// none (without an error the two are the same).
fn errors_comparison(scenario: &Scenario) -> Vec<crate::core::run::Run> {
    let fail: &[(&str, &str)] = if scenario.fail > 0.0 { &[] } else { &[("fail", "0.3")] };
    let raise = [&[("errors", "raise")], fail].concat();
    let group = [&[("errors", "fail_fast")], fail].concat();
    predictions(scenario, &[&raise, &group])
}

/// Zoom and pan buttons for the timelines' shared window.
fn zoom_controls(zoom: &UseStateHandle<Option<(f64, f64)>>, scale_ms: f64) -> Html {
    let full = crate::core::timeline::ticks(scale_ms, 8).last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    let (from, to) = zoom.unwrap_or((0.0, full));
    let set = |f: fn(f64, f64, f64) -> (f64, f64)| {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| {
            let (a, b) = f(from, to, full);
            // Never narrower than 1 ms, never outside the run (an axis under 1 ms long included).
            zoom.set(crate::core::timeline::fit_window(a, b, full));
        })
    };
    html! {
        <div class="zoom" role="group" aria-label="Zoom">
            { "Time window:" }
            <button type="button" id="zoom-in" onclick={set(|a, b, _| { let c = (a + b) / 2.0; let h = (b - a) / 4.0; (c - h, c + h) })}>{ "Zoom in" }</button>
            <button type="button" id="zoom-out" onclick={set(|a, b, _| { let c = (a + b) / 2.0; let h = b - a; (c - h, c + h) })}>{ "Zoom out" }</button>
            <button type="button" id="pan-left" disabled={zoom.is_none()} onclick={set(|a, b, _| { let d = (b - a) / 3.0; (a - d, b - d) })}>{ "← Earlier" }</button>
            <button type="button" id="pan-right" disabled={zoom.is_none()} onclick={set(|a, b, _| { let d = (b - a) / 3.0; (a + d, b + d) })}>{ "Later →" }</button>
            <button type="button" id="zoom-reset" disabled={zoom.is_none()} onclick={set(|_, _, f| (0.0, f))}>{ "Whole run" }</button>
            <span id="zoom-window">{ format!("{} – {}", format_ms(from), format_ms(to)) }</span>
        </div>
    }
}

fn start(scenario: Scenario) {
    url::show(&scenario);
    session::start_browser_run(scenario);
}

#[component]
pub fn App() -> Html {
    let render_start = now_ms();
    // A run that just started waits for this render (its prediction and empty timeline drawn)
    // before its clock starts; after a long render, also for the browser to lay out and paint
    // it, which takes about as long again.
    let start_hold = use_mut_ref(|| None::<session::StartHold>);
    {
        let start_hold = start_hold.clone();
        use_effect(move || {
            let cost = now_ms() - render_start;
            RENDER_COST.with(|c| c.set(cost));
            let hold = start_hold.borrow_mut().take();
            match hold {
                Some(hold) if cost > LONG_RENDER_MS => spawn_local(async move {
                    next_frame_within(100).await;
                    // The frame's callbacks run before its layout and paint; this runs after.
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    drop(hold);
                }),
                // Released now: the run starts.
                hold => drop(hold),
            }
        });
    }
    let state = use_reducer(|| State::from_url(&url::query_pairs()));

    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let subscription = session::on_start(move |live| {
                *start_hold.borrow_mut() = Some(live.hold_start());
                dispatch.dispatch(Action::Started(live.clone()));
            });
            move || {
                drop(subscription);
                session::cancel_current();
            }
        });
    }
    use_run_frames(&state);
    use_replay_clock(&state);
    super::share::use_embed(&state);

    let on_edit = {
        let dispatch = state.dispatcher();
        Callback::from(move |(k, v)| dispatch.dispatch(Action::Edit(k, v)))
    };
    let on_run = {
        let state = state.clone();
        Callback::from(move |()| match Scenario::parse(state.form_pairs()) {
            Ok(scenario) => start(scenario),
            Err(errors) => state.dispatch(Action::Rejected(errors)),
        })
    };
    let on_example = {
        let dispatch = state.dispatcher();
        Callback::from(move |query: &'static str| {
            let pairs = query.split('&').filter_map(|p| p.split_once('='));
            if let Ok(scenario) = Scenario::parse(pairs) {
                dispatch.dispatch(Action::Load(scenario.clone()));
                start(scenario);
            }
        })
    };
    let on_cancel = Callback::from(|()| session::cancel_current());
    let on_replay_cmd = {
        let dispatch = state.dispatcher();
        Callback::from(move |cmd| dispatch.dispatch(Action::Replay(cmd)))
    };
    let on_select_replay = {
        let dispatch = state.dispatcher();
        Callback::from(move |n| dispatch.dispatch(Action::SelectReplay(n)))
    };
    let on_compare = {
        let dispatch = state.dispatcher();
        Callback::from(move |n| dispatch.dispatch(Action::ToggleCompare(n)))
    };
    let on_compare_patterns = {
        let (dispatch, scenario) = (state.dispatcher(), state.scenario.clone());
        Callback::from(move |()| dispatch.dispatch(Action::AddAndCompare(pattern_comparison(&scenario))))
    };
    // Retry under a limit: whether holding the permit during backoff matters, on one axis.
    let on_compare_hold = (state.scenario.pattern == crate::core::scenario::Pattern::Retry
        && state.scenario.limit.is_some())
    .then(|| {
        let (dispatch, scenario) = (state.dispatcher(), state.scenario.clone());
        Callback::from(move |()| dispatch.dispatch(Action::AddAndCompare(hold_comparison(&scenario))))
    });
    // Gather: plain gather cancels nothing, a TaskGroup cancels the rest; on one axis.
    let on_compare_errors = (state.scenario.pattern == crate::core::scenario::Pattern::Gather).then(|| {
        let (dispatch, scenario) = (state.dispatcher(), state.scenario.clone());
        Callback::from(move |()| dispatch.dispatch(Action::AddAndCompare(errors_comparison(&scenario))))
    });
    // The run being replayed, unless a run is live.
    let replaying = if state.running() {
        None
    } else {
        state.replay.as_ref().and_then(|(n, r)| state.run(*n).map(|run| (*n, run.clone(), r.clone())))
    };
    // A playhead parked at the end of a paused replay would read like a deadline: hide it there.
    let playhead = replaying.as_ref().filter(|(_, _, r)| r.playing || r.cursor < r.len()).map(|(_, _, r)| r.position);

    let shown = state.measured.as_ref().map_or(&state.scenario, |m| &m.live.scenario);
    let labels = use_memo(shown.clone(), |s| {
        let workload = s.workload();
        (0..workload.len()).map(|t| workload.label(t)).collect::<Vec<_>>()
    });
    // Keyed by the run's address: comparing 10,000-task runs by value on every render costs more
    // than the layout it saves.
    let predicted_run = state.predicted.clone();
    let predicted = use_memo(predicted_run.as_ref().map(|p| Rc::as_ptr(p) as usize), move |_| {
        predicted_run.map(|p| Rc::new(p.timeline()))
    });
    let predicted = (*predicted).clone();
    // While replaying, both panels show their whole layout cut at the playhead.
    let predicted_cut = match (&state.predicted, playhead) {
        (Some(p), Some(t)) => Some(Cut::at_time(&p.events, t)),
        _ => None,
    };
    let replayed_run = replaying.as_ref().map(|(_, run, _)| run.clone());
    let replayed = use_memo(replayed_run.as_ref().map(|r| Rc::as_ptr(r) as usize), move |_| {
        replayed_run.map(|r| Rc::new(r.timeline()))
    });
    let (measured, measured_cut) = match (&replaying, &state.measured) {
        (Some((_, _, r)), _) => ((*replayed).clone(), Some(Cut { cursor: r.cursor, position: r.position })),
        (None, Some(m)) => (Some(Rc::new(m.timeline())), None),
        (None, None) => (None, None),
    };
    let labels = match &replaying {
        Some((_, run, _)) => Rc::new(run.labels.clone()),
        None => labels,
    };
    let measured_title = match &replaying {
        Some((n, run, _)) if run.clock == ClockKind::Virtual => format!("Run #{n}: predicted (virtual clock)"),
        Some((n, ..)) => format!("Run #{n}: measured (browser clock)"),
        None => "Measured (browser clock)".to_string(),
    };
    // While replaying, both layouts are of whole runs, so the axis stays put. While a run is live
    // the axis leaves it a tenth more than predicted, as measured runs end a little late: the
    // axis (and with it every bar) is not laid out again at the very moment the timers fire.
    let room = if state.running() { 1.1 } else { 1.0 };
    let scale_ms =
        predicted.iter().map(|t| t.extent() * room).chain(measured.iter().map(|t| t.extent())).fold(0.0, f64::max);

    let causes = {
        let finished = state.measured.as_ref().and_then(|m| m.run.clone());
        let pair = (state.predicted.clone(), finished);
        let key = (pair.0.as_ref().map(|r| Rc::as_ptr(r) as usize), pair.1.as_ref().map(|r| Rc::as_ptr(r) as usize));
        use_memo(key, move |_| match pair {
            (Some(p), Some(m)) => gap::causes(&gap::lateness(&p.events, &m.events)),
            _ => Vec::new(),
        })
    };
    let zoom = use_state(|| None::<(f64, f64)>);
    let limit = shown.effective_limit();
    let zoom_bar = zoom_controls(&zoom, scale_ms);
    let window = *zoom;

    let status = match &state.measured {
        None => "Press Run to run these tasks for real on this page's event loop.".to_string(),
        Some(m) if m.cancelled => "Cancelled.".to_string(),
        Some(m) if m.live.problem.borrow().is_some() => m.live.problem.borrow().clone().unwrap_or_default(),
        Some(m) => {
            let total = m.live.scenario.workload().len();
            match &m.run {
                Some(run) => format!("Finished: {total} tasks in {}.", format_ms(run.summary.makespan_ms)),
                None => {
                    let done = m.live.rec.with_events(|ev| {
                        ev[..m.len.min(ev.len())]
                            .iter()
                            .filter(|e| matches!(e.kind, Kind::Done | Kind::Failed | Kind::Fallback))
                            .count()
                    });
                    format!("Running… {done} of {total} tasks finished, {} so far.", format_ms(m.now))
                }
            }
        }
    };

    html! {
        <>
            <header class="top">
                <h1>{ "awaitlab" }</h1>
                <p class="tagline">{ "See async concurrency: run the patterns for real on your browser's event loop, next to what a virtual clock predicts." }</p>
            </header>
            if let Some(notice) = &state.notice {
                <div class="banner banner-warn" role="status" id="url-notice">{ notice.clone() }</div>
            }
            <main>
                <section class="intro">
                    <h2>{ shown.pattern.title() }</h2>
                    <p class="explain">{ shown.pattern.explain() }</p>
                </section>
                <Controls
                    scenario={Rc::new(state.scenario.clone())}
                    values={Rc::new(state.form.clone())}
                    errors={Rc::new(state.errors.clone())}
                    running={state.running()}
                    hint={state.hint.clone().map(AttrValue::from)}
                    {on_edit} {on_run} {on_cancel} {on_example} />
                <p class="status" id="status" aria-live="polite">{ status }</p>
                <SummaryView
                    predicted={state.predicted.as_ref().map(|p| Rc::new(p.summary.clone()))}
                    measured={state.measured.as_ref().and_then(|m| m.run.as_ref()).map(|r| Rc::new(r.summary.clone()))}
                    {causes} />
                if let Some(note) = state.predicted.as_ref().and_then(|p| crate::core::patterns::gather::raised_note(shown.errors, &p.events)) {
                    <p class="gap" id="gather-raised">{ note }</p>
                }
                if let Some(note) = state.measured.as_ref().and_then(|m| crate::core::limits::hidden_limit_note(&m.live.scenario, &m.run.as_ref()?.events)) {
                    <p class="gap" id="hidden-limit">{ note }</p>
                }
                <Legend timelines={predicted.iter().chain(measured.iter()).cloned().map(Shared).collect::<Vec<_>>()} />
                { zoom_bar }
                <div class="panels">
                    if let Some(tl) = predicted.clone() {
                        <TimelineView kind="predicted" title="Predicted (virtual clock)" labels={labels.clone()} timeline={tl} {scale_ms} {playhead} {window} {limit}
                            cut={predicted_cut} />
                    }
                    if let Some(tl) = measured {
                        <TimelineView kind="measured" title={measured_title} labels={labels.clone()} timeline={tl} {scale_ms} {playhead} {window} {limit}
                            ghost={predicted.clone().map(Shared)} cut={measured_cut} />
                    } else {
                        <p class="placeholder">{ "The measured timeline appears here when you press Run." }</p>
                    }
                    if let Some((n, run, r)) = replaying.clone() {
                        <ReplayPanel number={n} {run} replay={r} on_cmd={on_replay_cmd} />
                    }
                </div>
                <super::share::SharePanel run={replaying.as_ref().map(|(_, run, _)| Shared(run.clone()))}
                    scenario={Rc::new(state.scenario.clone())} on_import={state.dispatcher().to_callback().reform(Action::Import)} />
                <History history={Rc::new(state.history.clone())} replaying={replaying.as_ref().map(|(n, ..)| *n)}
                    compare={Rc::new(state.compare.clone())} on_replay={on_select_replay} {on_compare} {on_compare_patterns} {on_compare_hold} {on_compare_errors} />
                <CodePanel scenario={Rc::new(shown.clone())} />
            </main>
            <footer>
                <p>{ "Patterns from the article “Advanced Guide to Python Asynchronous Programming”, written again in Rust. Script it: " }
                   <code>{ "await window.awaitlab.run({pattern: \"gather\", tasks: 50})" }</code></p>
            </footer>
        </>
    }
}
