//! Starting runs and carrying out commands (from `window.awaitlab` and the embed's postMessage
//! API, validated by `core::message`) against the page's state.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use yew::prelude::*;

use super::state::{Action, ReplayCmd, State};
use super::url;
use crate::core::budget;
use crate::core::message::{self, parse_scenario, Command, EmbedPolicy};
use crate::core::py::CodeError;
use crate::core::run::run_virtual;
use crate::core::scenario::{ClockKind, Pattern, Scenario};
use crate::runtime::{py_module, session, LiveRun};

/// Runs `scenario` on the browser clock as the page's run, its link in the address bar.
pub fn run_measured(scenario: Scenario) -> LiveRun {
    url::show(&scenario);
    session::start_browser_run(scenario)
}

/// Shows `scenario` in the form and runs it: on the browser clock as a live run (returned), on the
/// virtual clock as a finished prediction that joins the history. Refused, changing nothing, when
/// the browser clock may not run it ([`budget::check_browser_run`]).
pub fn load_and_run(scenario: Scenario, dispatch: &UseReducerDispatcher<State>) -> Result<Option<LiveRun>, String> {
    budget::check_browser_run(&scenario)?;
    url::show(&scenario);
    dispatch.dispatch(Action::Load(scenario.clone()));
    if scenario.clock == ClockKind::Virtual && scenario.pattern == Pattern::Code && !py_module::loaded() {
        // A code prediction needs the interpreter module: it joins the history once loaded (if
        // loading fails, the prediction says why).
        let dispatch = dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = py_module::load().await;
            dispatch.dispatch(Action::Import(run_virtual(&scenario), None));
        });
        Ok(None)
    } else if scenario.clock == ClockKind::Virtual {
        dispatch.dispatch(Action::Import(run_virtual(&scenario), None));
        Ok(None)
    } else {
        Ok(Some(session::start_browser_run(scenario)))
    }
}

/// What carrying out a command gave: the id of the run a `run` started on the browser clock, or
/// why it was refused.
pub type Outcome = Result<Option<u64>, String>;

/// Applies a command; a `run` on the browser clock gives its run's id. `policy` is the embed
/// link's, for commands that came by postMessage; the page's own scripts (`window.awaitlab`) pass
/// `None`: they could do anything anyway.
pub fn apply(
    command: Command,
    state: &State,
    dispatch: &UseReducerDispatcher<State>,
    policy: Option<&EmbedPolicy>,
) -> Outcome {
    // A run that has just ended is put on the page first: its `awaitlab.run` promise resolved
    // before the page drew it, and what a script does next acts on the page with it (a replay
    // verb replays it, a loaded run is numbered after it). Then `state`, the last render's, may
    // be behind: the commands below are ones the reducer applies to whatever it has by then.
    let ended = super::run_hooks::show_ended_runs();
    let replay = state.replay.as_ref().map(|(_, r)| r);
    match command {
        Command::Hello => {}
        Command::Run(pairs) => {
            let scenario = parse_scenario(&pairs)?;
            policy.map_or(Ok(()), |p| p.check_scenario(&scenario))?;
            return Ok(load_and_run(scenario, dispatch)?.map(|live| live.id));
        }
        Command::Set(pairs) => set(pairs, state, dispatch, policy)?,
        Command::Play | Command::Pause | Command::Seek(_) => {
            if !ended && replay.is_none() {
                // A script's `awaitlab.run` on the virtual clock returns its prediction and leaves
                // the page as it is: say how to replay that one.
                return Err("nothing to replay yet: run or load a run first (`awaitlab.run` on the virtual \
                            clock only returns its prediction: `awaitlab.load` it to replay it)"
                    .into());
            }
            dispatch.dispatch(Action::Replay(match command {
                Command::Play => ReplayCmd::Play,
                Command::Seek(ms) => ReplayCmd::Seek(ms),
                _ => ReplayCmd::Pause,
            }));
        }
        Command::Load(run) => dispatch.dispatch(Action::Import(*run, Some("loaded from a Run JSON".into()))),
    }
    Ok(None)
}

/// The form's fields with `pairs` set, as the edits that carry out the `set` leave them
/// ([`State::form_with`]).
fn merged(state: &State, pairs: &[(String, String)]) -> Vec<(String, String)> {
    state.form_with(pairs)
}

/// The program `command` would give the page, when it must pass the parser first: a `run` of a
/// code scenario, or a `set` of `code` or `pattern` that makes one (a bad command gets its error
/// from [`apply`]).
fn code_to_check(command: &Command, state: &State) -> Option<String> {
    let scenario = match command {
        Command::Run(pairs) => parse_scenario(pairs).ok()?,
        Command::Set(pairs) if pairs.iter().any(|(k, _)| k == "code" || k == "pattern") => {
            parse_scenario(&merged(state, pairs)).ok()?
        }
        _ => return None,
    };
    message::code_to_check(&scenario).map(str::to_string)
}

/// A program's syntax verdict as a command's outcome.
fn syntax(verdict: Result<Result<(), CodeError>, String>) -> Result<(), String> {
    verdict?.map_err(|e| message::code_error(&e))
}

thread_local! {
    /// The last command still waiting (for the parser, or behind one that does): later commands
    /// wait behind it, so a page's commands are carried out in the order they were sent (a
    /// `set` of code then a `play` must not play first). `None` when nothing waits.
    static LAST_WAITING: RefCell<Option<Shared<oneshot::Receiver<()>>>> = const { RefCell::new(None) };
}

/// [`apply`], once the command's program (if any) has passed the parser, which is in the
/// interpreter module (issue 16), and after every command sent before it: at once when nothing
/// waits and nothing needs checking or the module has loaded, else in order when it can. `latest`
/// is the page's state when it is applied; `done` gets the outcome.
pub fn apply_checked(
    command: Command,
    latest: Rc<RefCell<Option<UseReducerHandle<State>>>>,
    dispatch: UseReducerDispatcher<State>,
    policy: Option<EmbedPolicy>,
    done: impl FnOnce(Outcome) + 'static,
) {
    let code_of = |command: &Command, latest: &Rc<RefCell<Option<UseReducerHandle<State>>>>| {
        latest.borrow().as_ref().and_then(|state| code_to_check(command, state))
    };
    let carry_out = {
        let latest = latest.clone();
        move |command: Command| match latest.borrow().clone() {
            Some(state) => apply(command, &state, &dispatch, policy.as_ref()),
            None => Err("the app is not mounted".into()),
        }
    };
    let ahead = LAST_WAITING.with(|w| w.borrow().clone());
    // With nothing ahead, the program to check is known now (and kept for when the parser loads).
    let code_now = match ahead {
        Some(_) => None,
        None => match code_of(&command, &latest) {
            None => return done(carry_out(command)),
            Some(code) => match py_module::check_now(&code) {
                Some(verdict) => return done(syntax(verdict).and_then(|()| carry_out(command))),
                None => Some(code),
            },
        },
    };
    let (turn_done, turn) = oneshot::channel::<()>();
    let turn = turn.shared();
    LAST_WAITING.with(|w| *w.borrow_mut() = Some(turn.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(ahead) = ahead {
            let _ = ahead.await;
        }
        // Behind other commands, checked against the page as they left it.
        let outcome = match code_now.or_else(|| code_of(&command, &latest)) {
            None => carry_out(command),
            Some(code) => syntax(py_module::check(&code).await).and_then(|()| carry_out(command)),
        };
        // The last in line: commands sent from now on run at once again.
        LAST_WAITING.with(|w| {
            let mut w = w.borrow_mut();
            if w.as_ref().is_some_and(|last| last.ptr_eq(&turn)) {
                *w = None;
            }
        });
        let _ = turn_done.send(());
        done(outcome);
    });
}

/// `set`: edits the form's fields, checked as a whole first, so a bad value changes nothing.
fn set(
    pairs: Vec<(String, String)>,
    state: &State,
    dispatch: &UseReducerDispatcher<State>,
    policy: Option<&EmbedPolicy>,
) -> Result<(), String> {
    let scenario = parse_scenario(&merged(state, &pairs))?;
    policy.map_or(Ok(()), |p| p.check_set(pairs.iter().map(|(k, _)| k.as_str()), &scenario))?;
    for (k, v) in pairs {
        dispatch.dispatch(Action::Edit(k, v));
    }
    url::show(&scenario);
    Ok(())
}
