//! `asyncio.gather`: every task starts at once, and the call returns when they are all done.
//!
//! - `errors=collect` (the default) is `gather(*tasks, return_exceptions=True)` / `join_all`: every
//!   task runs to the end and every result or error comes back, in task order.
//! - `errors=fail_fast` is `asyncio.TaskGroup` / `try_join_all`: the first error cancels every
//!   task still running. (Plain `gather` without `return_exceptions` raises the first error too,
//!   but leaves the other tasks running; cancelling them is what a TaskGroup adds.) A cancelled
//!   task's `work` span closes with `cancel` and it gets a `failed` mark whose detail starts with
//!   `cancelled`, naming the task whose error cancelled it; it counts among the run's failures,
//!   since it produced no result.

use std::cell::RefCell;

use futures::future::{join_all, try_join_all};

use super::{Ctx, Outcome};
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
    let finished: RefCell<Vec<Option<Outcome>>> = RefCell::new(vec![None; ctx.workload.len() as usize]);
    let first_error = {
        let finished = &finished;
        let all = try_join_all((0..ctx.workload.len()).map(|task| async move {
            let outcome = ctx.single(task).await;
            finished.borrow_mut()[task as usize] = Some(outcome.clone());
            outcome.map_err(|_| task)
        }));
        all.await.err()
        // `all` is dropped here: the tasks still running are cancelled and their spans say so.
    };
    let finished = finished.into_inner();
    finished
        .into_iter()
        .enumerate()
        .map(|(task, outcome)| match (outcome, first_error) {
            (Some(outcome), _) => outcome,
            (None, Some(culprit)) => ctx.cancelled(task as u32, &format!("task {culprit} failed first")),
            (None, None) => Err("cancelled".into()), // unreachable: without an error every task finishes
        })
        .collect()
}
