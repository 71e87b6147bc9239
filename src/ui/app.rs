//! The page: the form, the status line, the summary and the two timelines.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::code_panel::CodePanel;
use super::controls::Controls;
use super::frame::next_frame;
use super::legend::Legend;
use super::state::{Action, State};
use super::summary::SummaryView;
use super::timeline_view::TimelineView;
use super::url;
use crate::core::event::Kind;
use crate::core::scenario::Scenario;
use crate::core::timeline::{format_ms, Timeline};
use crate::runtime::session;

thread_local! {
    /// How long the last render of the app took, in ms (measured from its start to its effects).
    static RENDER_COST: Cell<f64> = const { Cell::new(0.0) };
}

/// Live updates may take at most this share of the main thread: a render that hogs it delays the
/// very timers being measured (Chromium then runs only a few timer callbacks between frames).
const UI_SHARE: f64 = 0.2;

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

fn start(scenario: Scenario) {
    url::show(&scenario);
    session::start(scenario);
}

#[component]
pub fn App() -> Html {
    let render_start = now_ms();
    use_effect(move || RENDER_COST.with(|c| c.set(now_ms() - render_start)));
    let state = use_reducer(|| State::from_url(&url::query_pairs()));

    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let subscription = session::on_start(move |live| dispatch.dispatch(Action::Started(live.clone())));
            move || {
                drop(subscription);
                session::cancel_current();
            }
        });
    }
    use_run_frames(&state);

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

    let shown = state.measured.as_ref().map_or(&state.scenario, |m| &m.live.scenario);
    let labels = use_memo(shown.clone(), |s| {
        let workload = s.workload();
        (0..workload.len()).map(|t| workload.label(t)).collect::<Vec<_>>()
    });
    // Keyed by the run's address: comparing 10,000-task runs by value on every render costs more
    // than the layout it saves.
    let predicted_run = state.predicted.clone();
    let predicted = use_memo(predicted_run.as_ref().map(|p| Rc::as_ptr(p) as usize), move |_| {
        predicted_run.map(|p| Rc::new(Timeline::build(p.summary.tasks, &p.events, f64::INFINITY)))
    });
    let predicted = (*predicted).clone();
    let measured = state.measured.as_ref().map(|m| Rc::new(m.timeline()));
    let scale_ms = predicted.iter().chain(measured.iter()).map(|t| t.end).fold(0.0, f64::max);

    let status = match &state.measured {
        None => "Press Run to run these tasks for real on this page's event loop.".to_string(),
        Some(m) if m.cancelled => "Cancelled.".to_string(),
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
                    {on_edit} {on_run} {on_cancel} {on_example} />
                <p class="status" id="status" aria-live="polite">{ status }</p>
                <SummaryView
                    predicted={state.predicted.as_ref().map(|p| Rc::new(p.summary.clone()))}
                    measured={state.measured.as_ref().and_then(|m| m.run.as_ref()).map(|r| Rc::new(r.summary.clone()))} />
                <Legend timelines={predicted.iter().chain(measured.iter()).cloned().collect::<Vec<_>>()} />
                <div class="panels">
                    if let Some(tl) = predicted {
                        <TimelineView kind="predicted" title="Predicted (virtual clock)" labels={labels.clone()} timeline={tl} {scale_ms} />
                    }
                    if let Some(tl) = measured {
                        <TimelineView kind="measured" title="Measured (browser clock)" labels={labels.clone()} timeline={tl} {scale_ms} />
                    } else {
                        <p class="placeholder">{ "The measured timeline appears here when you press Run." }</p>
                    }
                </div>
                <CodePanel scenario={Rc::new(shown.clone())} />
            </main>
            <footer>
                <p>{ "Patterns from the article “Advanced Guide to Python Asynchronous Programming”, written again in Rust. Script it: " }
                   <code>{ "await window.awaitlab.run({pattern: \"gather\", tasks: 50})" }</code></p>
            </footer>
        </>
    }
}
