//! `asyncio.gather`: every task starts at once, and the call returns when they are all done.
//!
//! - `errors=collect` (the default) is `gather(*tasks, return_exceptions=True)` / `join_all`: every
//!   task runs to the end and every result or error comes back, in task order.
//! - `errors=fail_fast` is `asyncio.TaskGroup`: the first error cancels every task still running.
//!   (Plain `gather` without `return_exceptions` raises the first error too, but leaves the other
//!   tasks running; cancelling them is what a TaskGroup adds.) A cancelled
//!   task's `work` span closes with `cancel` and it gets a `failed` mark whose detail starts with
//!   `cancelled`, naming the task whose error cancelled it; it counts among the run's failures,
//!   since it produced no result.
//!
//! Fail-fast is written over `FuturesUnordered` rather than `futures::future::try_join_all`: past
//! 30 futures, `try_join_all` reads results in task order, so an error from a later task waits for
//! every earlier one to finish (futures-rs issue #2866) and would not fail fast at all.

use futures::stream::{FuturesUnordered, StreamExt};

use super::{join_all, Ctx, Outcome};
use crate::core::clock::Clock;
use crate::core::scenario::ErrorMode;

/// Starts every task at once and waits for all of them (or, fail-fast, for the first error).
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    match ctx.scenario.errors {
        ErrorMode::Collect => join_all((0..ctx.workload.len()).map(|task| ctx.single(task))).await,
        ErrorMode::FailFast => fail_fast(ctx).await,
    }
}

async fn fail_fast<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    let mut finished: Vec<Option<Outcome>> = vec![None; ctx.workload.len() as usize];
    let mut culprit = None;
    {
        let mut running: FuturesUnordered<_> =
            (0..ctx.workload.len()).map(|task| async move { (task, ctx.single(task).await) }).collect();
        while let Some((task, outcome)) = running.next().await {
            let failed = outcome.is_err();
            finished[task as usize] = Some(outcome);
            if failed {
                culprit = Some(task);
                break;
            }
        }
        // `running` is dropped here: the tasks still in it are cancelled and their spans say so.
    }
    finished
        .into_iter()
        .enumerate()
        .map(|(task, outcome)| match (outcome, culprit) {
            (Some(outcome), _) => outcome,
            (None, Some(culprit)) => ctx.cancelled(task as u32, &format!("task {culprit} failed first")),
            (None, None) => Err("cancelled".into()), // unreachable: without an error every task finishes
        })
        .collect()
}
