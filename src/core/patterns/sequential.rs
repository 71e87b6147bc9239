//! `for task in tasks: await task()`: each task starts when the previous one has finished.

use super::{Ctx, Outcome};

/// Awaits every task in turn. A failed task does not stop the ones after it.
pub async fn run(ctx: &Ctx) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(ctx.workload.len() as usize);
    for task in 0..ctx.workload.len() {
        outcomes.push(ctx.single(task).await);
    }
    outcomes
}
