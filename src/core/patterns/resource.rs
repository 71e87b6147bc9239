//! An async context manager around each task (`async with Resource():`): an `acquire` span
//! (`__aenter__`, `acquire` ms), the `work`, then a `release` span (`__aexit__`, `release` ms) that
//! runs whether the work succeeded or failed; the task's `done`/`failed` mark follows the release.
//! The tasks are gathered, or run under a semaphore of `limit` permits when it is set (the permit
//! is taken before acquiring and given back after releasing, like a connection pool).
//!
//! If acquiring fails (only a runtime's [`Work::stage`](super::Work::stage) can make it), the body
//! and the release are skipped, as when `__aenter__` raises. If releasing fails, its error is the
//! task's, as when `__aexit__` raises.

use super::{Ctx, Loop, Outcome};
use crate::core::event::Phase;

/// Runs every task inside its resource.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    ctx.gather_each(lp, |task| with_resource(ctx, task)).await
}

async fn with_resource(ctx: &Ctx, task: u32) -> Outcome {
    let _permit = ctx.permit(task, 1).await;
    let s = &ctx.scenario;
    ctx.stage(task, 1, Phase::Acquire, s.acquire).await?;
    let outcome = ctx.attempt(task, 1).await;
    let released = ctx.stage(task, 1, Phase::Release, s.release).await;
    outcome.and_then(|value| released.map(|_| value))
}
