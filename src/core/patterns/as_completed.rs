//! `for next_done in asyncio.as_completed(tasks): result = await next_done; await process(result)`:
//! every task starts at once, and the consumer takes results in the order they finish, processing
//! each one (a `process` span of `process` ms, on the task's lane) before taking the next.
//!
//! The tasks run on their own while the consumer works, so results can queue up: several tasks
//! finishing together are processed one after another. A failed task's error is reported when it
//! arrives (its `failed` mark) and not processed. The `process` span's detail gives the result's
//! place in completion order (`#1` is the first to finish).

use futures::channel::mpsc;
use futures::future::join;
use futures::StreamExt;

use super::{join_all, Ctx, Outcome};
use crate::core::clock::Clock;
use crate::core::event::Phase;

/// Runs every task at once and processes the results as they complete.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    let (done, mut arrivals) = mpsc::unbounded::<(u32, Outcome)>();
    let tasks = async move {
        let done = &done;
        join_all((0..ctx.workload.len()).map(|task| async move {
            let outcome = ctx.single(task).await;
            let _ = done.unbounded_send((task, outcome.clone()));
            outcome
        }))
        .await
        // `done` is dropped here, which ends the consumer's loop once it has drained the queue.
    };
    let consumer = async {
        let mut rank = 0;
        while let Some((task, outcome)) = arrivals.next().await {
            rank += 1;
            if outcome.is_ok() {
                let span = ctx.rec.begin(task, 1, Phase::Process);
                ctx.clock.sleep(f64::from(ctx.scenario.process)).await;
                span.end_with(format!("#{rank} to complete"));
            }
        }
    };
    join(tasks, consumer).await.0
}
