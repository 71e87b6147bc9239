//! The article's `safe_process(coro, default=None)`: every task is gathered, and an error is caught
//! and replaced by a default value. The default is `None` (Python's, as in the article).
//!
//! The failed attempt's `work` span still closes with `fail` (the error happened); the task then
//! gets a `fallback` mark (detail: `None (error: …)`) instead of `failed`, so it does not count
//! among the run's failures: the batch completes with a value for every task.

use super::{aio, Ctx, Loop, Outcome};
use crate::core::event::{Kind, Phase};

/// The value a failed task falls back to.
pub const DEFAULT_VALUE: &str = "None";

/// Runs every task at once; errors become [`DEFAULT_VALUE`].
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    aio::gather(
        lp,
        (0..ctx.workload.len()).map(|task| {
            ctx.until_cancelled(task, async move {
                match ctx.attempt(task, 1).await {
                    Ok(value) => {
                        let outcome = Ok(value);
                        ctx.finish(task, &outcome);
                        outcome
                    }
                    Err(error) => {
                        ctx.rec.record(
                            task,
                            0,
                            Kind::Fallback,
                            Phase::Task,
                            format!("{DEFAULT_VALUE} (error: {error})"),
                        );
                        Ok(DEFAULT_VALUE.into())
                    }
                }
            })
        }),
    )
    .await
}
