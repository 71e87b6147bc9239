//! A race: `done, pending = await asyncio.wait(tasks, return_when=FIRST_COMPLETED)`, then every
//! task still pending is cancelled. Every task starts at once; the first to finish, with a value
//! or an error, ends the wait, and every task that finished in that same instant is in `done`
//! too, with its own result: only the tasks still running are cancelled. A cancelled task's `work`
//! span closes with `cancel` and it gets a `failed` mark starting with `cancelled`.

use std::rc::Rc;

use super::{Ctx, Loop, Outcome};
use crate::core::aio::{Signal, Task};

/// Runs every task until the first ones finish; cancels the rest.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    let tasks: Vec<Task<'a, Outcome>> = (0..ctx.workload.len()).map(|task| lp.spawn(ctx.single(task))).collect();
    if tasks.is_empty() {
        return Vec::new();
    }
    // `asyncio.wait`: a done callback on each task; the first sets the waiter.
    let first = Rc::new(Signal::default());
    for t in &tasks {
        let first = first.clone();
        t.add_done_callback(move || first.set());
    }
    first.wait().await;
    let winners: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].is_done()).collect();
    let why = winners_text(&winners);
    let pending: Vec<_> = tasks.iter().enumerate().filter(|(_, t)| !t.is_done()).collect();
    for (task, t) in &pending {
        let (task, why) = (*task as u32, why.clone());
        t.cancel(move || {
            let _ = ctx.cancelled(task, &why);
        });
    }
    let pending: Vec<_> = pending.into_iter().map(|(_, t)| t.clone()).collect();
    crate::core::aio::wait_all(&pending).await;
    tasks
        .iter()
        .map(|t| match t.result() {
            Some(Ok(outcome)) => outcome,
            _ => Err(format!("cancelled: {why}").into()),
        })
        .collect()
}

/// Why the others were cancelled: the winners, up to three by number, then how many more (a loaded
/// machine's race once had 17 tie for first, and listing them all made the replay's sentence wider
/// than its column).
fn winners_text(winners: &[usize]) -> String {
    const NAMED: usize = 3;
    let named = winners.iter().take(NAMED).map(usize::to_string).collect::<Vec<_>>().join(", ");
    match winners.len() {
        1 => format!("task {named} finished first"),
        n if n <= NAMED => format!("tasks {named} finished first"),
        n => format!("tasks {named} and {} more finished first", n - NAMED),
    }
}
