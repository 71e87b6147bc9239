//! The hooks that keep the page in step with time: a live run is drawn once per animation frame
//! (fewer when rendering is costly, none while one of its timers is about to fire), and a playing
//! replay moves with real time.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::Rc;

use futures::future::{select, Either};

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::frame::{next_frame, next_frame_within};
use super::state::{Action, ReplayCmd, State};
use crate::core::live_frames::{self, room_to_predict, FrameCost, UI_SHARE};
use crate::core::page::Started;
use crate::runtime::{clock, embed, session};

thread_local! {
    /// How long the last render of the app took, in ms (measured from its start to its effects).
    static RENDER_COST: Cell<f64> = const { Cell::new(0.0) };
    /// How long a frame that draws a live run keeps the main thread, in ms: its render, then the
    /// browser's style, layout and paint of it (measured to the first task after the frame).
    /// Until runs have been drawn, a guess on the long side.
    static FRAME_COST: Cell<FrameCost> = const { Cell::new(FrameCost::new(8.0)) };
    /// What a frame that draws a live run's prediction costs per task, in ms (computing it,
    /// laying it out, drawing it). Until measured, a guess on the long side: a 1,000-task one took
    /// 40–70 ms of frame the first time on a busy 2-core machine.
    static PREDICT_COST: Cell<FrameCost> = const { Cell::new(FrameCost::new(0.1)) };
    /// Runs that ended and are not on the page yet ([`use_session_runs`]).
    static ENDED: RefCell<Vec<EndedRun>> = RefCell::default();
}

/// A run that ended, waiting for the next frame to be put on the page.
struct EndedRun {
    id: u64,
    /// It finished (else it was cancelled).
    finished: bool,
    /// Puts it on the page.
    show: Box<dyn FnOnce()>,
}

/// Puts every run that ended on the page now, not in the next frame: a command that acts on the
/// page's runs (`awaitlab.seek` right after `await awaitlab.run(...)`) finds the run it awaited.
/// Whether one of them finished (and so joins the page's runs now).
pub fn show_ended_runs() -> bool {
    let ended = ENDED.with(|e| std::mem::take(&mut *e.borrow_mut()));
    let finished = ended.iter().any(|run| run.finished);
    for run in ended {
        (run.show)();
    }
    finished
}

/// Puts run `id` on the page, unless [`show_ended_runs`] did already.
fn show_ended_run(id: u64) {
    let show = ENDED.with(|e| {
        let mut e = e.borrow_mut();
        e.iter().position(|run| run.id == id).map(|at| e.remove(at).show)
    });
    if let Some(show) = show {
        show();
    }
}

/// What the next live frame should cost, in ms ([`FrameCost`]).
fn frame_cost() -> f64 {
    FRAME_COST.with(Cell::get).expected()
}

/// How far away the next timer must be for a frame that draws a prediction of `tasks` tasks (with
/// the run's latest events): else it waits, at worst for the run's end.
fn predict_ms(tasks: u32) -> f64 {
    room_to_predict(frame_cost(), PREDICT_COST.with(Cell::get).expected(), tasks)
}

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Milliseconds until the next armed timer fires (infinite when none is armed; negative when one
/// is overdue).
fn free_ms(now: f64) -> f64 {
    clock::next_due().map_or(f64::INFINITY, |due| due - now)
}

/// Measures this render (call it first in the component): live updates are spaced and kept away
/// from due timers by it. After the render, and after measuring it, a run the reader started is
/// brought into view ([`super::app::reveal`]).
#[hook]
pub fn use_render_cost() {
    let render_start = now_ms();
    use_effect(move || {
        RENDER_COST.with(|c| c.set(now_ms() - render_start));
        super::app::reveal();
    });
}

/// Whether the page may draw now, `t - last` ms after it last drew a live run
/// ([`live_frames::calm`], with the cost learned of the frames drawn so far).
fn calm(t: f64, last: f64) -> bool {
    live_frames::calm(free_ms(t), t - last, frame_cost())
}

/// Dispatches `actions` (drawn in this frame's microtasks) and measures the frame's cost, from now
/// to the first task after its layout and paint: as a live frame's, or per task of the run's
/// `tasks` when it draws the prediction.
fn draw(dispatch: &UseReducerDispatcher<State>, actions: impl IntoIterator<Item = Action>, tasks: u32) {
    let start = now_ms();
    let mut predicts = false;
    for action in actions {
        predicts |= matches!(action, Action::Predict { .. });
        dispatch.dispatch(action);
    }
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        let cost = now_ms() - start;
        let (learned, cost) = match predicts {
            true => (&PREDICT_COST, cost / f64::from(tasks.max(1))),
            false => (&FRAME_COST, cost),
        };
        learned.with(|c| {
            let mut learned = c.get();
            learned.measured(cost);
            c.set(learned);
        });
    });
}

/// Shows a run that started, in a frame when no timer is about to fire (not in the microtasks
/// where its tasks start and arm their timers), unless another run started meanwhile.
async fn show_started(dispatch: &UseReducerDispatcher<State>, started: Started, start: f64) {
    let (id, tasks) = (started.id, started.scenario.workload().len());
    loop {
        next_frame_within(100).await;
        if session::current().map(|c| c.id) != Some(id) {
            return;
        }
        let t = now_ms();
        if calm(t, start) {
            // Its prediction in the same frame, when there is time for it: one layout.
            let predict = (free_ms(t) >= predict_ms(tasks)).then_some(Action::Predict { id });
            draw(dispatch, [Action::Started(started)].into_iter().chain(predict), tasks);
            return;
        }
    }
}

/// Tells the state about every run the session starts and how it ended, and cancels the live run
/// when the app unmounts. The run's clock does not wait for the page. Every run's end is sent,
/// shown or not, after its start (so a script's runs back to back all join the history).
#[hook]
pub fn use_session_runs(state: &UseReducerHandle<State>) {
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let subscription = session::on_start(move |live| {
            let (dispatch, live, start) = (dispatch.clone(), live.clone(), now_ms());
            spawn_local(async move {
                // A run that ends before a calm frame showed it started (a few short timers) is
                // shown started with its end: else a script's command right after the run's
                // promise would find it neither started nor ended on the page.
                let unshown = {
                    let shown = pin!(show_started(&dispatch, live.started(), start));
                    match select(shown, live.finished.clone()).await {
                        Either::Left(_) => None,
                        Either::Right(_) => Some(live.started()),
                    }
                };
                let outcome = live.finished.clone().await;
                let (id, finished) = (live.id, outcome.is_some());
                let show = move || {
                    if let Some(started) = unshown.filter(|_| session::current().is_some_and(|c| c.id == id)) {
                        dispatch.dispatch(Action::Started(started));
                    }
                    // A page whose `run` command started it hears if it was cancelled.
                    embed::ended(id, outcome.is_none());
                    dispatch.dispatch(match outcome {
                        Some(run) => Action::Finished { id, run },
                        None => Action::Cancelled { id },
                    });
                };
                ENDED.with(|e| e.borrow_mut().push(EndedRun { id, finished, show: Box::new(show) }));
                // Drawn in the next frame, like every other update: rendering it here, in the
                // microtask that ended the run, would keep whoever awaits the run (a script calling
                // `awaitlab.run`) waiting for the page's layout. Without frames (a hidden tab, an
                // embed out of view) it is drawn anyway, so the host page still hears
                // `awaitlab:finished`. A command may put it on the page before.
                next_frame_within(100).await;
                show_ended_run(id);
            });
        });
        move || {
            drop(subscription);
            session::cancel_current();
        }
    });
}

/// Keeps the measured run's view in step with it: at most one update per animation frame while
/// it is live, fewer when rendering is costly, none while one of its timers is about to fire; its
/// prediction once the loop has time for it; then its final events. Stops when the run changes or
/// the app unmounts.
#[hook]
pub fn use_run_frames(state: &UseReducerHandle<State>) {
    let id = state.measured.as_ref().map(|m| m.id());
    // Read when the run is first drawn: its prediction came with it (or was on screen already).
    let predicted = state.predicted.is_some();
    let dispatch = state.dispatcher();
    use_effect_with(id, move |id| {
        let alive = Rc::new(Cell::new(true));
        // The runtime's handle of the run on screen (the state holds its plain data only).
        if let Some(live) = session::current().filter(|live| Some(live.id) == *id) {
            let (a, d, l) = (alive.clone(), dispatch.clone(), live.clone());
            spawn_local(async move {
                let tasks = l.scenario.workload().len();
                let mut asked_prediction = predicted;
                // The render that showed the run has just drawn it.
                let mut last = now_ms();
                while a.get() {
                    next_frame().await;
                    if !a.get() {
                        break;
                    }
                    let t = now_ms();
                    let predict = !asked_prediction && free_ms(t) >= predict_ms(tasks);
                    if predict || (t - last >= RENDER_COST.with(Cell::get) / UI_SHARE && calm(t, last)) {
                        last = t;
                        // Ignored when the page already had it (the form's scenario).
                        let prediction = predict.then_some(Action::Predict { id: l.id });
                        asked_prediction |= predict;
                        let frame = Action::Frame { id: l.id, len: l.rec.len(), now: l.rec.elapsed() };
                        draw(&d, prediction.into_iter().chain([frame]), tasks);
                    }
                }
            });
            // Its end is sent by `use_session_runs`; the frames stop with it.
            let a = alive.clone();
            spawn_local(async move {
                live.finished.clone().await;
                a.set(false);
            });
        }
        move || alive.set(false)
    });
}

/// Predicts a link too big to predict before the page's first paint right after it
/// ([`Action::Painted`]): a 100,000-task one holds the page about 0.3 s, once it shows.
#[hook]
pub fn use_first_paint(state: &UseReducerHandle<State>) {
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        spawn_local(async move {
            // The frame's paint comes before the first task after it.
            next_frame_within(100).await;
            gloo_timers::future::TimeoutFuture::new(0).await;
            dispatch.dispatch(Action::Painted);
        })
    });
}

/// Moves a playing replay along with real time, one tick per animation frame.
#[hook]
pub fn use_replay_clock(state: &UseReducerHandle<State>) {
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
