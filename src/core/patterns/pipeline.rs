//! The article's DataProcessor: each item is fetched, processed and saved, three awaited stages
//! recorded as `fetch`, `process` and `save` spans. The batch is gathered, or run under a
//! semaphore of `limit` permits when it is set (the permit covers all three stages).
//!
//! The fetch takes the workload's duration and fails as the workload plans (`fail`); process and
//! save take the scenario's `process` and `save` milliseconds and do not fail in the simulation.
//! A failed stage skips the stages after it and the item fails with that error. Each stage goes
//! through [`Work::stage`](super::Work::stage), so the browser can fetch and save for real.
//! Processing is modelled as an awaited step (an async parse, say): CPU-bound work would block the
//! event loop instead, which this demo does not simulate.

use super::{Ctx, Loop, Outcome};
use crate::core::event::Phase;

/// Runs every item through its three stages.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    ctx.gather_each(lp, |item| process_item(ctx, item)).await
}

async fn process_item(ctx: &Ctx, item: u32) -> Outcome {
    let _permit = ctx.permit(item, 1).await;
    let data = ctx.fetch(item, 1).await?;
    ctx.stage(item, 1, Phase::Process, ctx.scenario.process).await?;
    ctx.stage(item, 1, Phase::Save, ctx.scenario.save).await?;
    Ok(data)
}
