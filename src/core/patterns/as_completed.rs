//! `for next_done in asyncio.as_completed(tasks): result = await next_done; await process(result)`:
//! every task starts at once, and the consumer takes results in the order they finish, processing
//! each one (a `process` span of `process` ms, on the task's lane) before taking the next.
//!
//! The tasks run on their own while the consumer works, so results can queue up: several tasks
//! finishing together are processed one after another. A failed task's error is reported when it
//! arrives (its `failed` mark) and not processed. The `process` span's detail gives the result's
//! place in completion order (`#1` is the first to finish). As in asyncio, a finished task reaches
//! the consumer's queue through a done callback, and the consumer takes what is queued without
//! waiting.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use super::{Ctx, Loop, Outcome};
use crate::core::aio::Task;
use crate::core::clock::Clock;
use crate::core::event::Phase;

/// `as_completed`'s queue of finished tasks (an `asyncio.Queue` with one getter).
#[derive(Default)]
struct Arrivals {
    queue: RefCell<VecDeque<usize>>,
    getter: RefCell<Option<Waker>>,
}

impl Arrivals {
    fn put(&self, task: usize) {
        self.queue.borrow_mut().push_back(task);
        if let Some(w) = self.getter.borrow_mut().take() {
            w.wake();
        }
    }

    async fn get(&self) -> usize {
        poll_fn(|cx| match self.queue.borrow_mut().pop_front() {
            Some(task) => Poll::Ready(task),
            None => {
                *self.getter.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Runs every task at once and processes the results as they complete.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    let tasks: Vec<Task<'a, Outcome>> = (0..ctx.workload.len()).map(|task| lp.spawn(ctx.single(task))).collect();
    let arrivals = Rc::new(Arrivals::default());
    for (i, t) in tasks.iter().enumerate() {
        let arrivals = arrivals.clone();
        t.add_done_callback(move || arrivals.put(i));
    }
    for rank in 1..=tasks.len() {
        let task = arrivals.get().await;
        if let Some(Ok(Ok(_))) = tasks[task].result() {
            let span = ctx.rec.begin(task as u32, 1, Phase::Process);
            ctx.clock.sleep(f64::from(ctx.scenario.process)).await;
            span.end_with(format!("#{rank} to complete"));
        }
    }
    tasks.iter().map(|t| t.result().and_then(Result::ok).expect("every task finished")).collect()
}
