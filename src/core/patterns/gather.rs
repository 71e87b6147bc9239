//! `asyncio.gather`: every task starts at once, and the call returns when they are all done.
//!
//! - `errors=collect` (the default) is `gather(*tasks, return_exceptions=True)`: every task runs to
//!   the end and every result or error comes back, in task order.
//! - `errors=raise` is plain `gather(*tasks)`: the caller gets the first error as soon as it
//!   happens, but nothing is cancelled: the other tasks keep running to their end (the caller then
//!   waits for them, `asyncio.wait(tasks)`, as asyncio.run would otherwise cancel them on exit).
//!   The lanes are those of `collect`; what differs is what the caller saw, and when.
//! - `errors=fail_fast` is `asyncio.TaskGroup`: the first error cancels every task still running.
//!   A task that finished in the same instant as the error is not running any more: it keeps its
//!   result (or its own error, which joins the group's). A cancelled task's `work` span closes
//!   with `cancel` and it gets a `failed` mark whose detail starts with `cancelled`, naming the
//!   task whose error cancelled it.

use std::cell::Cell;
use std::rc::Rc;

use super::{aio, Ctx, Loop, Outcome, WHAT_IF_CANCELLED};
use crate::core::aio::{Signal, Task};
use crate::core::event::{Event, Kind, Phase};
use crate::core::scenario::ErrorMode;
use crate::core::timeline::format_ms;

/// Starts every task at once and waits for all of them, as `errors` says.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    match ctx.scenario.errors {
        ErrorMode::Collect => aio::gather(lp, (0..ctx.workload.len()).map(|task| ctx.single(task))).await,
        ErrorMode::Raise => raise_first(ctx, lp).await,
        ErrorMode::FailFast => task_group(ctx, lp).await,
    }
}

/// Plain `gather`: returns the first error to the caller when it happens; nothing is cancelled,
/// so the run still lasts until the last task is done.
async fn raise_first<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    let tasks: Vec<Task<'a, Outcome>> = (0..ctx.workload.len()).map(|task| lp.spawn(ctx.single(task))).collect();
    aio::wait_all(&tasks).await;
    tasks.iter().map(|t| t.result().and_then(Result::ok).expect("nothing cancels a gathered task")).collect()
}

/// `async with asyncio.TaskGroup() as tg:` — each task reports through a done callback; the first
/// error (`_on_task_done`) cancels every task not yet done, and the group waits for all of them.
async fn task_group<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    let tasks: Rc<Vec<Task<'a, Outcome>>> =
        Rc::new((0..ctx.workload.len()).map(|task| lp.spawn(ctx.single(task))).collect());
    let all_done = Rc::new(Signal::default());
    let left = Rc::new(Cell::new(tasks.len()));
    let aborting = Rc::new(Cell::new(false));
    for (i, task) in tasks.iter().enumerate() {
        let (group, all_done, left, aborting) =
            (Rc::downgrade(&tasks), all_done.clone(), left.clone(), aborting.clone());
        task.add_done_callback(move || {
            left.set(left.get() - 1);
            if left.get() == 0 {
                all_done.set();
            }
            let Some(group) = group.upgrade() else { return };
            // A child cancelled by a `what_if` override is cancelled, not failed: asyncio's
            // TaskGroup does not abort for it.
            let failed = matches!(group[i].result(), Some(Ok(Err(e))) if !e.as_str().starts_with(WHAT_IF_CANCELLED));
            if failed && !aborting.replace(true) {
                let why = format!("task {i} failed first");
                for (other, t) in group.iter().enumerate() {
                    let why = why.clone();
                    t.cancel(move || {
                        let _ = ctx.cancelled(other as u32, &why);
                    });
                }
            }
        });
    }
    all_done.wait().await;
    tasks
        .iter()
        .enumerate()
        .map(|(task, t)| match t.result() {
            Some(Ok(outcome)) => outcome,
            _ => Err(format!("cancelled (task {task})").into()),
        })
        .collect()
}

/// For plain `gather` (`errors=raise`): what the caller saw, in a sentence — when `gather`
/// raised, whose error it was, and how many tasks were still running then and kept running.
/// `None` for other modes or when no task failed.
pub fn raised_note(errors: ErrorMode, events: &[Event]) -> Option<String> {
    if errors != ErrorMode::Raise {
        return None;
    }
    let marks = || events.iter().filter(|e| e.phase == Phase::Task && matches!(e.kind, Kind::Done | Kind::Failed));
    let first = marks().find(|e| e.kind == Kind::Failed)?;
    let later = marks().filter(|e| e.t > first.t).count();
    let last = marks().map(|e| e.t).fold(first.t, f64::max);
    Some(format!(
        "Plain gather raised task {}'s error at {} to the caller. It cancelled nothing: {later} task{} still running \
         then kept running, to {}. A TaskGroup (errors=fail_fast) would have cancelled them.",
        first.task,
        format_ms(first.t),
        if later == 1 { "" } else { "s" },
        format_ms(last),
    ))
}
