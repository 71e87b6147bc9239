//! `asyncio.wait_for(task, timeout)` for every task, gathered: a task whose work is still running
//! after `timeout` ms is cancelled; its `work` span closes with `timeout` and it fails with a
//! TimeoutError. A task exactly as long as the timeout times out (as in asyncio).


use super::{join_all, Ctx, Outcome};
use crate::core::clock::Clock;

/// Runs every task at once, each under its own deadline.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    let timeout = ctx.scenario.timeout;
    join_all((0..ctx.workload.len()).map(|task| async move {
        let outcome = ctx.attempt_within(task, 1, timeout).await;
        ctx.finish(task, &outcome);
        outcome
    }))
    .await
}
