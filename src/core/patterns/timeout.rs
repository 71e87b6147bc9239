//! `asyncio.wait_for(work, timeout)` for every task, gathered: a task whose work is still running
//! after `timeout` ms is cancelled; its `work` span closes with `timeout` and it fails with a
//! TimeoutError. A task at least as long as the timeout times out, as in asyncio: the deadline's
//! timer is set first, and a deadline that comes due in the same step as the work wins.

use super::{Ctx, Loop, Outcome};

/// Runs every task at once, each under its own deadline.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    let timeout = ctx.scenario.timeout;
    ctx.gather_each(lp, |task| ctx.attempt_within(task, 1, timeout)).await
}
