//! `await asyncio.gather(*tasks, return_exceptions=True)`: every task starts at once, and the call
//! returns when the last one has finished, with every result or error in task order.

use futures::future::join_all;

use super::{Ctx, Outcome};
use crate::core::clock::Clock;

/// Starts every task at once and waits for all of them.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    join_all((0..ctx.workload.len()).map(|task| ctx.single(task))).await
}
