//! Retry with backoff: each task makes up to `retries` attempts; after a failed attempt that is not
//! its last it pauses (a `backoff` span, labelled with the failed attempt's number) and tries again.
//! A task out of attempts fails with its last attempt's error. All tasks are gathered.
//!
//! The pause after failed attempt `n` is `delay` (constant) or `delay × factor^(n−1)`
//! (exponential, Python's `delay * factor ** (n - 1)`), capped at [`MAX_PAUSE_MS`], then shortened
//! by a seeded random fraction of up to `jitter` (`pause × (1 − jitter × u)`, `u` in [0, 1) from
//! [`Workload::unit`] for this task and attempt, purpose [`JITTER_PURPOSE`]). It is not rounded:
//! asyncio sleeps fractions of a millisecond too. `jitter=0` is exact; `jitter=1` is "full jitter".
//!
//! Under a `limit` every task first waits for a permit. With `hold=1` it keeps the permit through
//! all its attempts and pauses (one `wait` span, for attempt 1): like `async with sem:` around the
//! whole retry loop. With `hold=0` it gives the permit back before each pause and waits for one
//! again before the next attempt (a `wait` span per attempt): the semaphore only around each try.

use super::{Ctx, Loop, Outcome};
use crate::core::scenario::{Backoff, Scenario, MAX_DURATION_MS};
use crate::core::workload::Workload;

/// The longest single pause, ms (the range of `delay`): exponential growth stops there.
pub const MAX_PAUSE_MS: f64 = MAX_DURATION_MS as f64;

/// The [`Workload::unit`] purpose of the jitter draws.
pub const JITTER_PURPOSE: u32 = 1;

/// The pause after `task`'s attempt `failed` (from 1) failed, in ms.
pub fn pause_ms(s: &Scenario, w: &Workload, task: u32, failed: u32) -> f64 {
    let delay = f64::from(s.delay);
    let base = match s.backoff {
        Backoff::Constant => delay,
        // `powf`, as Python's float `**` (C's `pow`), not `powi`'s repeated products.
        Backoff::Exponential => delay * s.factor.powf(f64::from(failed.saturating_sub(1))),
    };
    let base = base.min(MAX_PAUSE_MS);
    let u = if s.jitter > 0.0 { w.unit(task, failed, JITTER_PURPOSE) } else { 0.0 };
    base * (1.0 - s.jitter * u)
}

/// Runs every task with retries, gathered (under the semaphore if `limit` is set).
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    ctx.gather_each(lp, |task| with_retries(ctx, task)).await
}

/// One task's attempts, pauses and permits; returns its final outcome (not yet recorded).
pub async fn with_retries(ctx: &Ctx, task: u32) -> Outcome {
    let s = &ctx.scenario;
    let attempts = s.retries.max(1);
    let mut permit = None;
    let mut attempt = 1;
    loop {
        if permit.is_none() {
            permit = ctx.permit(task, attempt).await;
        }
        let outcome = ctx.attempt(task, attempt).await;
        if outcome.is_ok() || attempt >= attempts {
            return outcome;
        }
        if !s.hold {
            permit = None; // give the permit back for the pause
        }
        ctx.backoff(task, attempt, pause_ms(s, &ctx.workload, task, attempt)).await;
        attempt += 1;
    }
}
