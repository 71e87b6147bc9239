//! A race (`asyncio.wait(..., return_when=FIRST_COMPLETED)` then cancelling the rest; Rust's
//! `select_all`): every task starts at once, the first one to finish, with a value or an error,
//! wins, and every other task is cancelled at that instant. A loser's `work` span closes with
//! `cancel` and it gets a `failed` mark whose detail starts with `cancelled`. Of tasks finishing at
//! the same instant, the lowest-numbered wins.

use futures::future::select_all;

use super::{Ctx, Outcome};
use crate::core::clock::Clock;

/// Runs every task until the first one finishes; cancels the others.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    let n = ctx.workload.len();
    if n == 0 {
        return Vec::new();
    }
    let racers: Vec<_> = (0..n).map(|task| Box::pin(ctx.single(task))).collect();
    let (won, winner, losers) = select_all(racers).await;
    drop(losers); // cancels them: their open spans record `cancel`
    let why = format!("task {winner} finished first");
    (0..n).map(|task| if task as usize == winner { won.clone() } else { ctx.cancelled(task, &why) }).collect()
}
