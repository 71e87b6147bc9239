//! `async with asyncio.Semaphore(limit)` around each task, all of them gathered: at most `limit`
//! tasks hold a permit at once; the others wait in line, first come, first served.
//!
//! Every task records a `wait` span for its permit, also when one was free at once (then it is
//! zero-length), so every lane has the same shape: `wait`, then `work` while holding the permit.
//! The permit goes back as the work ends, before the task's `done`/`failed` mark.

use super::{Ctx, Loop, Outcome};

/// Runs every task under the run's semaphore (the scenario's `limit`, 3 by default).
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    ctx.gather_each(lp, |task| async move {
        let _permit = ctx.permit(task, 1).await;
        ctx.attempt(task, 1).await // the permit is released as this returns
    })
    .await
}
