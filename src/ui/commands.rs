//! Starting runs and carrying out commands (from `window.awaitlab` and the embed's postMessage
//! API, validated by `core::message`) against the page's state.

use yew::prelude::*;

use super::state::{Action, ReplayCmd, State};
use super::url;
use crate::core::message::{parse_scenario, Command, EmbedPolicy};
use crate::core::run::run_virtual;
use crate::core::scenario::{ClockKind, Pattern, Scenario};
use crate::runtime::{py_module, session, LiveRun};

/// Runs `scenario` on the browser clock as the page's run, its link in the address bar.
pub fn run_measured(scenario: Scenario) -> LiveRun {
    url::show(&scenario);
    session::start_browser_run(scenario)
}

/// Shows `scenario` in the form and runs it: on the browser clock as a live run (returned), on the
/// virtual clock as a finished prediction that joins the history.
pub fn load_and_run(scenario: Scenario, dispatch: &UseReducerDispatcher<State>) -> Option<LiveRun> {
    url::show(&scenario);
    dispatch.dispatch(Action::Load(scenario.clone()));
    if scenario.clock == ClockKind::Virtual && scenario.pattern == Pattern::Code && !py_module::loaded() {
        // A code prediction needs the interpreter module: it joins the history once loaded (if
        // loading fails, the prediction says why).
        let dispatch = dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = py_module::load().await;
            dispatch.dispatch(Action::Import(run_virtual(&scenario)));
        });
        None
    } else if scenario.clock == ClockKind::Virtual {
        dispatch.dispatch(Action::Import(run_virtual(&scenario)));
        None
    } else {
        Some(session::start_browser_run(scenario))
    }
}

/// Applies a command. `policy` is the embed link's, for commands that came by postMessage; the
/// page's own scripts (`window.awaitlab`) pass `None`: they could do anything anyway.
pub fn apply(
    command: Command,
    state: &State,
    dispatch: &UseReducerDispatcher<State>,
    policy: Option<&EmbedPolicy>,
) -> Result<(), String> {
    let replay = state.replay.as_ref().map(|(_, r)| r);
    match command {
        Command::Hello => {}
        Command::Run(pairs) => {
            let scenario = parse_scenario(&pairs)?;
            policy.map_or(Ok(()), |p| p.check_scenario(&scenario))?;
            load_and_run(scenario, dispatch);
        }
        Command::Set(pairs) => set(pairs, state, dispatch, policy)?,
        Command::Play | Command::Pause | Command::Seek(_) if replay.is_none() => {
            return Err("nothing to replay yet: run or load a run first".into())
        }
        Command::Play if !replay.is_some_and(|r| r.playing) => dispatch.dispatch(Action::Replay(ReplayCmd::Toggle)),
        Command::Pause if replay.is_some_and(|r| r.playing) => dispatch.dispatch(Action::Replay(ReplayCmd::Toggle)),
        Command::Play | Command::Pause => {}
        Command::Seek(ms) => dispatch.dispatch(Action::Replay(ReplayCmd::Seek(ms))),
        Command::Load(run) => dispatch.dispatch(Action::Import(*run)),
    }
    Ok(())
}

/// `set`: edits the form's fields, checked as a whole first, so a bad value changes nothing.
fn set(
    pairs: Vec<(String, String)>,
    state: &State,
    dispatch: &UseReducerDispatcher<State>,
    policy: Option<&EmbedPolicy>,
) -> Result<(), String> {
    let mut merged: Vec<(String, String)> = state.form.clone();
    for (k, v) in &pairs {
        match merged.iter_mut().find(|(m, _)| m == k) {
            Some(slot) => slot.1 = v.clone(),
            None => merged.push((k.clone(), v.clone())),
        }
    }
    let scenario = parse_scenario(&merged)?;
    policy.map_or(Ok(()), |p| p.check_set(pairs.iter().map(|(k, _)| k.as_str()), &scenario))?;
    for (k, v) in pairs {
        dispatch.dispatch(Action::Edit(k, v));
    }
    url::show(&scenario);
    Ok(())
}
