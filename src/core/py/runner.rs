//! Who runs the reader's code (issue 16). The interpreter ([`super::interp`]) is 140 KB gzip of
//! wasm, so the page's own bin does not link it: it is a second wasm module (src/bin/py_runner.rs)
//! loaded when code is first needed. The core therefore never names the interpreter on its
//! dispatch paths; it asks these two registered functions instead:
//!
//! - the **runner** runs a program on a run's context (the `code` pattern's body). Natively (the
//!   tests) it is the interpreter itself; in the browser the py_runner module registers it.
//! - the **predictor** replaces [`crate::core::run::run_virtual`] for code scenarios. The page
//!   registers one that asks the loaded module (or says it is loading); nothing else needs one.

use std::cell::Cell;

use futures::future::LocalBoxFuture;

use crate::core::aio::Loop;
use crate::core::patterns::{Ctx, Outcome};
use crate::core::run::Run;
use crate::core::scenario::Scenario;

/// Runs `source` on `ctx` as the body of a `code` run, returning each task's outcome.
pub type Runner = for<'a, 'b> fn(&'a Ctx, &'b Loop<'a>, &'a str) -> LocalBoxFuture<'b, Vec<Outcome>>;

/// The predicted run of a code scenario (on the virtual clock).
pub type Predictor = fn(&Scenario) -> Run;

thread_local! {
    static RUNNER: Cell<Option<Runner>> = const { Cell::new(None) };
    static PREDICTOR: Cell<Option<Predictor>> = const { Cell::new(None) };
}

/// Registers who runs code on this thread (the py_runner module does, at its start).
pub fn set_runner(runner: Runner) {
    RUNNER.with(|r| r.set(Some(runner)));
}

/// Registers who predicts code scenarios on this thread (the page does, at its start).
pub fn set_predictor(predictor: Predictor) {
    PREDICTOR.with(|p| p.set(Some(predictor)));
}

/// The registered runner; natively (tests, tools) the interpreter when none is.
pub fn runner() -> Option<Runner> {
    RUNNER.with(Cell::get).or_else(default_runner)
}

/// The registered predictor, if any.
pub fn predictor() -> Option<Predictor> {
    PREDICTOR.with(Cell::get)
}

/// The interpreter as a [`Runner`]. Naming this function links the interpreter in.
pub fn interpreter<'a, 'b>(ctx: &'a Ctx, lp: &'b Loop<'a>, source: &'a str) -> LocalBoxFuture<'b, Vec<Outcome>> {
    Box::pin(super::interp::run(ctx, lp, source))
}

#[cfg(not(target_arch = "wasm32"))]
fn default_runner() -> Option<Runner> {
    Some(interpreter)
}

/// In the browser the interpreter is linked only into the module that registers it.
#[cfg(target_arch = "wasm32")]
fn default_runner() -> Option<Runner> {
    None
}

/// What a code run records when nothing on this thread can run code (the page's own module,
/// before the interpreter has loaded): one `<module>` lane saying so.
pub fn not_loaded(ctx: &Ctx, why: &str) -> Vec<Outcome> {
    super::interp_free_refused(ctx, why);
    vec![Err(why.into())]
}

/// A predicted run of `scenario` that only says `why` (the interpreter is loading, or could not
/// load): one `<module>` lane with the sentence, failed if `failed`.
pub fn placeholder(scenario: &Scenario, why: &str, failed: bool) -> Run {
    use crate::core::event::{Event, Kind, Phase};
    let event = |kind, detail: &str| Event {
        t: 0.0,
        task: 0,
        attempt: 0,
        kind,
        phase: Phase::Task,
        detail: detail.into(),
        line: 0,
    };
    let mut events = vec![event(Kind::Spawn, "<module>"), event(Kind::Print, why)];
    if failed {
        events.push(event(Kind::Failed, why));
    }
    Run::new(scenario, crate::core::scenario::ClockKind::Virtual, events)
}
