//! The subset's interpreter (placeholder until the interpreter lands).

use crate::core::aio::Loop;
use crate::core::patterns::{Ctx, Outcome};

/// Runs the reader's program `source` as the `main()` of a run on `ctx`'s clock, recording its
/// tasks' spans and marks; returns each task's outcome, in task order.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>, source: &'a str) -> Vec<Outcome> {
    let _ = (ctx, lp, source);
    Vec::new()
}
