//! The hooks that keep the page in step with time: a run's start waits for the render that shows
//! it, a live run is drawn once per animation frame (fewer when rendering is costly), and a
//! playing replay moves with real time.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::frame::{next_frame, next_frame_within};
use super::state::{Action, ReplayCmd, State};
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

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// What the render in progress holds: a run that just started waits for it.
pub type StartHold = Rc<RefCell<Option<session::StartHold>>>;

/// Measures this render (call it first in the component) and releases the start of a run that
/// began before it once it is drawn: right after its effects, or after a long render also after
/// the browser's layout and paint of it, which take about as long again.
#[hook]
pub fn use_render_cost() -> StartHold {
    let render_start = now_ms();
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
    start_hold
}

/// Tells the state about every run the session starts (holding its start until it is drawn), and
/// cancels the live run when the app unmounts.
#[hook]
pub fn use_session_runs(state: &UseReducerHandle<State>, start_hold: StartHold) {
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let subscription = session::on_start(move |live| {
            *start_hold.borrow_mut() = Some(live.hold_start());
            dispatch.dispatch(Action::Started(live.started()));
        });
        move || {
            drop(subscription);
            session::cancel_current();
        }
    });
}

/// Keeps the measured run's view in step with it: at most one update per animation frame while
/// it is live, fewer when rendering is costly, then its final events. Stops when the run changes
/// or the app unmounts.
#[hook]
pub fn use_run_frames(state: &UseReducerHandle<State>) {
    let id = state.measured.as_ref().map(|m| m.id());
    let dispatch = state.dispatcher();
    use_effect_with(id, move |id| {
        let alive = Rc::new(Cell::new(true));
        // The runtime's handle of the run on screen (the state holds its plain data only).
        if let Some(live) = session::current().filter(|live| Some(live.id) == *id) {
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
