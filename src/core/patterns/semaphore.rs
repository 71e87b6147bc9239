//! `async with asyncio.Semaphore(limit)` around each task, all of them gathered: at most `limit`
//! tasks hold a permit at once; the others wait in line, first come, first served.
//!
//! Every task records a `wait` span for its permit, also when one was free at once (then it is
//! zero-length), so every lane has the same shape: `wait`, then `work` while holding the permit.
//! The permit goes back as the work ends, before the task's `done`/`failed` mark.


use super::{join_all, Ctx, Outcome, Semaphore};
use crate::core::clock::Clock;
use crate::core::scenario::DEFAULT_LIMIT;

/// Runs every task under one semaphore of `limit` permits.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    let sem = ctx.semaphore().unwrap_or_else(|| Semaphore::new(DEFAULT_LIMIT as usize));
    let sem = &sem;
    join_all((0..ctx.workload.len()).map(|task| async move {
        let outcome = match ctx.permit(sem, task, 1).await {
            Ok(_permit) => ctx.attempt(task, 1).await, // the permit is released at the end of this arm
            Err(e) => Err(e),
        };
        ctx.finish(task, &outcome);
        outcome
    }))
    .await
}
