//! Embed mode and the commands other code sends the page: view classes from the URL, autoplay,
//! the postMessage listener and `window.awaitlab`'s replay verbs (both through
//! [`commands::apply`]), and `finished` events back to the host page.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::commands;
use super::state::{Action, ReplayCmd, State};
use super::url;
use crate::core::message::{Command, EmbedPolicy, ViewOptions};
use crate::core::scenario::Scenario;
use crate::runtime::api;
use crate::runtime::embed::{self as host, error_event};

/// Installs, for as long as the app is mounted, the embed's view options, its postMessage
/// listener, `window.awaitlab`'s replay verbs, and autoplay when the link asks for it.
#[hook]
pub fn use_embed(state: &UseReducerHandle<State>) {
    // Commands arrive between renders: they act on the latest state, not a render's snapshot.
    let latest = use_mut_ref(|| None::<UseReducerHandle<State>>);
    *latest.borrow_mut() = Some(state.clone());
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let pairs = url::query_pairs();
        let (options, view_problems) = ViewOptions::read(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        host::apply_view(&options);
        for problem in view_problems {
            web_sys::console::warn_1(&format!("awaitlab: this link's {problem}").into());
        }
        let (policy, problems) = EmbedPolicy::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for problem in problems {
            web_sys::console::warn_1(&format!("awaitlab: this link's {problem}").into());
        }
        let verbs = RefCell::new(Some(install_verbs(latest.clone(), dispatch.clone())));
        let handler: Rc<dyn Fn(Command, host::Peer)> = {
            let (dispatch, policy) = (dispatch.clone(), policy.clone());
            let latest = latest.clone();
            Rc::new(move |command: Command, peer: host::Peer| {
                let name = command.name();
                if latest.borrow().is_none() {
                    return;
                }
                // A program is checked by the interpreter module's parser first (waiting for it to load).
                commands::apply_checked(command, latest.clone(), dispatch.clone(), Some(policy.clone()), move |done| {
                    match done {
                        Err(message) => peer.post(&error_event(&message, Some(name))),
                        // A run cancelled before it finished is answered too (the sender may be
                        // waiting for a reply): `use_session_runs` tells `host::ended`.
                        Ok(Some(id)) => host::asked(id, peer),
                        Ok(None) => {}
                    }
                });
            })
        };
        let listener = RefCell::new(host::listen(policy, handler));
        if options.autoplay {
            // The link's scenario, bad values replaced by defaults as when the page opened.
            autoplay(crate::core::page::link_scenario(&pairs).0, dispatch);
        }
        move || {
            drop(listener.take());
            drop(verbs.take());
        }
    });
}

/// `awaitlab.play()`, `pause()`, `seek(ms)` and `load(run)`: the postMessage API's commands,
/// applied without an embed policy (the page's own scripts could do anything anyway).
fn install_verbs(
    latest: Rc<RefCell<Option<UseReducerHandle<State>>>>,
    dispatch: UseReducerDispatcher<State>,
) -> api::ReplayVerbs {
    api::install_replay_verbs(Rc::new(move |command| match latest.borrow().clone() {
        Some(state) => commands::apply(command, &state, &dispatch, None).map(drop),
        None => Err("the app is not mounted".into()),
    }))
}

/// Runs the link's scenario once the embed is scrolled into view, one embed of the page at a time.
fn autoplay(scenario: Scenario, dispatch: UseReducerDispatcher<State>) {
    spawn_local(async move {
        host::visible().await;
        host::one_at_a_time(async move {
            // Refused (too much inline CPU work): the page shows the link predicted only, and says why.
            if let Ok(Some(live)) = commands::load_and_run(scenario, &dispatch) {
                live.finished.await;
            }
        })
        .await;
    });
}

/// Every run that joins the history: replayed at the link's `speed=`, and reported to the host
/// page as `awaitlab:finished`. (Heights are reported by a ResizeObserver on the body once a host
/// has said hello; measuring after every render would force a layout per frame of a replay.)
#[hook]
pub fn use_run_reports(state: &UseReducerHandle<State>) {
    let speed = *use_memo((), |_| {
        ViewOptions::from_pairs(url::query_pairs().iter().map(|(k, v)| (k.as_str(), v.as_str()))).speed
    });
    let last = state.history.last().map(|(n, run)| (*n, run.clone()));
    let dispatch = state.dispatcher();
    use_effect_with(last.as_ref().map(|(n, _)| *n), move |_| {
        if let Some((n, run)) = last {
            if let Some(x) = speed {
                dispatch.dispatch(Action::Replay(ReplayCmd::Speed(x)));
            }
            host::post_to_parent(&crate::core::message::finished(n, &run));
        }
    });
}
