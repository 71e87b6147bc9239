//! An async context manager around each task (`async with Resource():`): an `acquire` span
//! (`__aenter__`, `acquire` ms), the `work`, then a `release` span (`__aexit__`, `release` ms) that
//! runs whether the work succeeded or failed; the task's `done`/`failed` mark follows the release.
//! The tasks are gathered, or run under a semaphore of `limit` permits when it is set (the permit
//! is taken before acquiring and given back after releasing, like a connection pool).
//!
//! If acquiring fails (only a runtime's [`Work::stage`](super::Work::stage) can make it), the body
//! and the release are skipped, as when `__aenter__` raises. If releasing fails, its error is the
//! task's, as when `__aexit__` raises.
//!
//! A `what_if` cancel is delivered where the task is, as asyncio's `task.cancel()` is: waiting for
//! the permit or in `__aenter__`, that step is cut short and nothing is released; in the body, the
//! work is cut short and `__aexit__` still runs (the permit held until it is done); in `__aexit__`,
//! the release is cut short. The task then ends with its `cancelled` mark.

use std::future::Future;
use std::pin::{pin, Pin};

use futures::future::{select, Either};

use super::{aio, what_if_why, Ctx, Loop, Outcome};
use crate::core::clock::Clock;
use crate::core::event::Phase;

/// Runs every task inside its resource.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    aio::gather(lp, (0..ctx.workload.len()).map(|task| with_resource(ctx, task))).await
}

/// A task's `what_if` cancel: armed when the task starts, delivered once.
type Deadline<'a> = Option<Pin<Box<dyn Future<Output = ()> + 'a>>>;

/// `step` unless the deadline comes first (or in the same instant: its timer was armed first),
/// then `None`: `step` is dropped, its open span closing with `cancel`, and the deadline spent.
async fn unless_cancelled<T>(deadline: &mut Deadline<'_>, step: impl Future<Output = T>) -> Option<T> {
    let Some(d) = deadline.as_mut() else { return Some(step.await) };
    match select(d.as_mut(), pin!(step)).await {
        Either::Left(_) => {
            *deadline = None;
            None
        }
        Either::Right((value, _)) => Some(value),
    }
}

async fn with_resource(ctx: &Ctx, task: u32) -> Outcome {
    let cancel_at = ctx.workload.cancel_at(task);
    let why = cancel_at.map(|at| what_if_why(task, at)).unwrap_or_default();
    let left = cancel_at.map(|at| f64::from(at) - ctx.rec.elapsed());
    if left.is_some_and(|left| left <= 0.0) {
        return ctx.cancelled(task, &why); // its time has passed: it never starts
    }
    let mut deadline: Deadline = left.map(|left| Box::pin(ctx.clock.sleep(left)) as Pin<Box<dyn Future<Output = ()>>>);
    let s = &ctx.scenario;
    let Some(permit) = unless_cancelled(&mut deadline, ctx.permit(task, 1)).await else {
        return ctx.cancelled(task, &why);
    };
    let outcome = match unless_cancelled(&mut deadline, ctx.stage(task, 1, Phase::Acquire, s.acquire)).await {
        None => None,
        Some(Err(e)) => Some(Err(e)), // __aenter__ raised: no body, no __aexit__
        Some(Ok(_)) => {
            let work = unless_cancelled(&mut deadline, ctx.attempt(task, 1)).await;
            let released = unless_cancelled(&mut deadline, ctx.stage(task, 1, Phase::Release, s.release)).await;
            work.zip(released).map(|(outcome, released)| outcome.and_then(|value| released.map(|_| value)))
        }
    };
    drop(permit);
    match outcome {
        Some(outcome) => {
            ctx.finish(task, &outcome);
            outcome
        }
        None => ctx.cancelled(task, &why),
    }
}
