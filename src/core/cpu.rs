//! CPU-bound work (`source=cpu`): the article's last lesson. `async` helps only with waiting; a
//! coroutine that computes holds the event loop, and every other task (and every timer) waits
//! for it. The cure is a pool: `await loop.run_in_executor(ProcessPoolExecutor(k), work)`, in the
//! browser a pool of Web Workers.
//!
//! - `offload=inline`: each attempt computes `duration` units on the loop's own thread. On the
//!   virtual clock that is [`VirtualClock::block`]: time moves on by the units (1 unit = 1 ms)
//!   with no other task making progress, and timers that came due meanwhile fire late, at the end
//!   of the block, as on a real loop. In the browser it is real computation, calibrated at
//!   start-up so one unit takes about a millisecond.
//! - `offload=workers`: at most `workers` jobs run at once, first come first served (a pool of
//!   `k` places, [`Pool`]); the wait for a place is recorded as a `wait` span whose detail names
//!   the worker, the job as the `work` span. The prediction sleeps the units on the worker: it
//!   assumes `k` free cores, which a machine with fewer cores (or other busy processes) does not
//!   give; the measured run shows the difference.
//!
//! The loop's busy intervals are not stored apart: on an inline run they are exactly the `work`
//! spans (the loop records a span's begin, computes, then records its end), see [`busy_intervals`].

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::clock::{Clock, VirtualClock};
use super::event::{Event, Kind, Phase, Text};
use super::patterns::{Ctx, MsTexts, Outcome, QueueFuture, Work, WorkFuture};
use super::scenario::{Offload, Pattern, Scenario, Source};
use super::workload::Attempt;

/// How a measured CPU run's work was sized, kept in its Run JSON (`calibration`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    /// Hash rounds in one unit of work: what the page measured as one millisecond of computation
    /// at start-up.
    pub rounds_per_ms: f64,
    /// `navigator.hardwareConcurrency`: the cores the browser reports.
    pub cores: u32,
}

/// A pool of `k` places (workers), handed out first come, first served, the lowest free one first.
/// Cheap to clone; clones share the pool.
#[derive(Clone)]
pub struct Pool {
    inner: Rc<PoolInner>,
}

struct PoolInner {
    /// The free places, the lowest on top.
    free: RefCell<BinaryHeap<Reverse<usize>>>,
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
}

#[derive(Default)]
struct Waiter {
    /// The place handed to this waiter by a release.
    given: Cell<Option<usize>>,
    waker: RefCell<Option<Waker>>,
}

impl Pool {
    /// A pool of places `0..k`.
    pub fn new(k: usize) -> Self {
        // A min-heap, not a BTreeSet: the page already links binary heaps, and a set would add
        // the B-tree's insert and remove for this one type (1.3 KB gzip of the page).
        let free = (0..k).map(Reverse).collect();
        Pool { inner: Rc::new(PoolInner { free: RefCell::new(free), waiters: RefCell::default() }) }
    }

    /// Waits for a free place; the returned [`Place`] gives it back when dropped.
    pub fn acquire(&self) -> Acquire {
        Acquire { pool: self.clone(), waiter: None }
    }

    fn release(&self, id: usize) {
        let next = self.inner.waiters.borrow_mut().pop_front();
        match next {
            Some(w) => {
                w.given.set(Some(id));
                if let Some(waker) = w.waker.borrow_mut().take() {
                    waker.wake();
                }
            }
            None => {
                self.inner.free.borrow_mut().push(Reverse(id));
            }
        }
    }
}

/// A place in a [`Pool`], held while it lives.
pub struct Place {
    pool: Pool,
    /// From 0.
    pub id: usize,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.pool.release(self.id);
    }
}

/// The future returned by [`Pool::acquire`]. Dropping it leaves the queue (or gives back the
/// place it was just handed).
pub struct Acquire {
    pool: Pool,
    waiter: Option<Rc<Waiter>>,
}

impl Future for Acquire {
    type Output = Place;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Place> {
        let pool = self.pool.clone();
        match &self.waiter {
            None => {
                let free = pool.inner.waiters.borrow().is_empty().then(|| pool.inner.free.borrow_mut().pop());
                if let Some(Some(Reverse(id))) = free {
                    return Poll::Ready(Place { pool, id });
                }
                let w = Rc::new(Waiter::default());
                *w.waker.borrow_mut() = Some(cx.waker().clone());
                pool.inner.waiters.borrow_mut().push_back(w.clone());
                self.waiter = Some(w);
                Poll::Pending
            }
            Some(w) => match w.given.take() {
                Some(id) => {
                    self.waiter = None;
                    Poll::Ready(Place { pool, id })
                }
                None => {
                    *w.waker.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                }
            },
        }
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        let Some(w) = self.waiter.take() else { return };
        self.pool.inner.waiters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &w));
        if let Some(id) = w.given.take() {
            self.pool.release(id);
        }
    }
}

/// Computes `units` on the calling thread (blocking it).
pub type Burn = Rc<dyn Fn(u32)>;
/// Runs a job of `units` on worker `id` (from 0); resolves when the worker is done.
pub type OnWorker = Rc<dyn Fn(usize, &Attempt) -> WorkFuture>;

/// Where the computation runs.
#[derive(Clone)]
pub enum Exec {
    /// On the loop's thread.
    Inline(Burn),
    /// In a pool of workers.
    Workers { pool: Pool, run: OnWorker },
}

/// `source=cpu` work: see the module docs.
pub struct CpuWork {
    exec: Exec,
    texts: MsTexts,
}

impl CpuWork {
    pub fn new(exec: Exec) -> Self {
        CpuWork { exec, texts: MsTexts::default() }
    }

    /// The prediction's work: blocks the virtual loop, or sleeps on one of `workers` places.
    pub fn predicted(clock: &VirtualClock, scenario: &Scenario) -> Self {
        let exec = match scenario.offload {
            Offload::Inline => {
                let clock = clock.clone();
                Exec::Inline(Rc::new(move |units| clock.block(f64::from(units))))
            }
            Offload::Workers => {
                let clock = clock.clone();
                Exec::Workers {
                    pool: Pool::new(scenario.workers as usize),
                    run: Rc::new(move |worker, plan| {
                        let sleep = clock.sleep(f64::from(plan.duration_ms));
                        let (ms, fails) = (plan.duration_ms, plan.fails);
                        Box::pin(async move {
                            sleep.await;
                            outcome(ms, fails, Some(worker), format!("{ms} ms").into())
                        })
                    }),
                }
            }
        };
        CpuWork::new(exec)
    }
}

/// A job's outcome: its value, or its planned error, naming the worker it ran on.
pub fn outcome(units: u32, fails: bool, worker: Option<usize>, value: Text) -> Outcome {
    let on = worker.map(|w| format!(" on worker {}", w + 1)).unwrap_or_default();
    if fails {
        Err(format!("simulated error after {units} ms of computation{on}").into())
    } else if on.is_empty() {
        Ok(value)
    } else {
        Ok(format!("{value}{on}").into())
    }
}

impl Work for CpuWork {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        match &self.exec {
            Exec::Inline(burn) => {
                let burn = burn.clone();
                let (units, fails) = (plan.duration_ms, plan.fails);
                let value = self.texts.get(units);
                // An `async` block runs on its first poll: the coroutine calls `work()` when it
                // gets the loop, and holds it until the function returns.
                Box::pin(async move {
                    burn(units);
                    outcome(units, fails, None, value)
                })
            }
            Exec::Workers { .. } => {
                let queued = self.queue(plan).expect("a pool");
                Box::pin(async move { queued.await.1.await })
            }
        }
    }

    fn queue(&self, plan: &Attempt) -> Option<QueueFuture> {
        let Exec::Workers { pool, run } = &self.exec else { return None };
        let (acquire, run, plan) = (pool.acquire(), run.clone(), plan.clone());
        Some(Box::pin(async move {
            let place = acquire.await;
            let job = run(place.id, &plan);
            let label = Text::from(format!("worker {}", place.id + 1));
            let bound: WorkFuture = Box::pin(async move {
                let out = job.await;
                drop(place);
                out
            });
            (label, bound)
        }))
    }
}

/// A context for `scenario` on the virtual clock: its tasks sleep, or for `source=cpu` compute
/// as [`CpuWork::predicted`] says.
pub fn predicted_ctx(clock: &VirtualClock, scenario: &Scenario) -> Ctx {
    match scenario.source {
        Source::Cpu => Ctx::with_work(clock.clone(), scenario.clone(), Rc::new(CpuWork::predicted(clock, scenario))),
        _ => Ctx::new(clock.clone(), scenario.clone()),
    }
}

/// What the `work` span of a program's `time.sleep(s)` closes with starts with (its detail is
/// `time.sleep(0.5)`): it blocks the event loop as inline CPU work does (`Interp::time_sleep`).
pub const TIME_SLEEP: &str = "time.sleep(";

/// What the `work` span of a program's code that ran without awaiting closes with ends with (its
/// detail is `ran 33 ms without awaiting`, [`ran_without_awaiting`]): the measured run's stretch
/// of a task's code between suspensions that held the event loop (the interpreter's `held`).
pub const WITHOUT_AWAITING: &str = " ms without awaiting";

/// The detail of a program's code that ran `ms` without awaiting: `ran 33 ms without awaiting`.
pub fn ran_without_awaiting(ms: f64) -> String {
    format!("ran {ms:.0}{WITHOUT_AWAITING}")
}

/// When the event loop was held by CPU work: `(task, start, end)` in ms, the `work` spans of an
/// inline `source=cpu` run (`fetch` spans in a pipeline), or of a program's `time.sleep` calls
/// ([`TIME_SLEEP`]) and of its code that ran without awaiting ([`WITHOUT_AWAITING`]), in start
/// order. Empty for any other run.
pub fn busy_intervals(scenario: &Scenario, events: &[Event]) -> Vec<(u32, f64, f64)> {
    let code = scenario.pattern == Pattern::Code;
    if !code && (scenario.source != Source::Cpu || scenario.offload != Offload::Inline) {
        return Vec::new();
    }
    let mut open = rustc_hash::FxHashMap::default();
    let mut out = Vec::new();
    // A pipeline's `fetch` stage is its planned work, CPU work here.
    for e in events.iter().filter(|e| e.phase.is_planned_work()) {
        match e.kind {
            Kind::Begin => {
                open.insert((e.task, e.attempt, e.phase), e.t);
            }
            k if k.closes_span() => {
                if let Some(t0) = open.remove(&(e.task, e.attempt, e.phase)) {
                    // A cancelled job never ran (a cancel reaches a task only between steps); a
                    // program's other spans wait (asyncio.sleep, requests).
                    let blocked = if code {
                        e.detail.starts_with(TIME_SLEEP) || e.detail.ends_with(WITHOUT_AWAITING)
                    } else {
                        k != Kind::Cancel
                    };
                    if blocked {
                        // Kept in start order as it grows, after any span that started at the same
                        // time (what a stable sort by start gives, without linking one).
                        let at = out.partition_point(|s: &(u32, f64, f64)| s.1.total_cmp(&t0).is_le());
                        out.insert(at, (e.task, t0, e.t));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// What held a program's event loop (the spans [`busy_intervals`] counts): ms of its code that ran
/// without awaiting, ms of `time.sleep`, and its longest stretch of code `(task, line, ms)`.
pub fn code_held(events: &[Event]) -> (f64, f64, Option<(u32, u32, f64)>) {
    let (mut code, mut slept, mut longest) = (0.0, 0.0, None::<(u32, u32, f64)>);
    for step in super::spans::spans(events) {
        let super::spans::Step::Close { event: e, begin: Some(b), .. } = step else { continue };
        if e.phase != Phase::Work {
            continue;
        }
        let ms = e.t - b.t;
        if e.detail.ends_with(WITHOUT_AWAITING) {
            code += ms;
            if longest.is_none_or(|l| ms > l.2) {
                longest = Some((e.task, e.line, ms));
            }
        } else if e.detail.starts_with(TIME_SLEEP) {
            slept += ms;
        }
    }
    (code, slept, longest)
}

/// How long a timed (non-CPU) span was planned to take, if it is one: the stages and backoffs
/// a CPU run still sleeps through (their timers are what a blocked loop makes late).
fn planned_ms(scenario: &Scenario, e: &Event) -> Option<f64> {
    match e.phase {
        Phase::Process => Some(f64::from(scenario.process)),
        Phase::Save => Some(f64::from(scenario.save)),
        Phase::Acquire => Some(f64::from(scenario.acquire)),
        Phase::Release => Some(f64::from(scenario.release)),
        // The backoff's detail starts with its length: "150 ms, then attempt 2".
        Phase::Backoff => e.detail.split(' ').next()?.parse().ok(),
        _ => None,
    }
}

/// Timers that fired late on `events`: how many fired at least a millisecond after they were
/// due, and the latest of them, ms.
pub fn late_timers(scenario: &Scenario, events: &[Event]) -> (u32, f64) {
    let mut open = rustc_hash::FxHashMap::default();
    let (mut late, mut worst) = (0, 0.0f64);
    for e in events {
        match e.kind {
            Kind::Begin => {
                open.insert((e.task, e.attempt, e.phase), e.t);
            }
            Kind::End | Kind::Fail => {
                let Some(t0) = open.remove(&(e.task, e.attempt, e.phase)) else { continue };
                let Some(plan) = planned_ms(scenario, e) else { continue };
                let by = e.t - t0 - plan;
                if by >= 1.0 {
                    late += 1;
                    worst = worst.max(by);
                }
            }
            _ => {}
        }
    }
    (late, worst)
}

/// What a CPU run's timeline shows, in sentences: which task held the event loop longest and
/// how many timers fired late (inline), or why a pool of workers was not as fast as predicted
/// (`cores`: what the browser reports; `predicted_ms`: the prediction's makespan). Empty for a
/// run that is not `source=cpu`.
pub fn notes(scenario: &Scenario, events: &[Event], predicted_ms: Option<f64>, cores: Option<u32>) -> Vec<String> {
    let mut out = Vec::new();
    if scenario.source != Source::Cpu {
        return out;
    }
    let makespan = events.iter().map(|e| e.t).fold(0.0, f64::max);
    match scenario.offload {
        Offload::Inline => {
            let busy = busy_intervals(scenario, events);
            let Some(&(task, t0, t1)) = busy.iter().max_by(|a, b| (a.2 - a.1).total_cmp(&(b.2 - b.1))) else {
                return out;
            };
            let total: f64 = busy.iter().map(|b| b.2 - b.1).sum();
            let (late, worst) = late_timers(scenario, events);
            let timers = match late {
                0 => String::new(),
                1 => format!("; 1 timer fired late by {worst:.0} ms"),
                n => format!("; {n} timers fired late by up to {worst:.0} ms"),
            };
            out.push(format!("Task {task} held the event loop for {:.0} ms{timers}.", t1 - t0));
            // A sequence runs its jobs one after another anyway; every other pattern starts them together.
            let although = if scenario.pattern == Pattern::Sequential {
                "as a sequence does"
            } else {
                "although started together"
            };
            out.push(format!(
                "The loop was busy computing {total:.0} ms of the run's {makespan:.0} ms: {} one after another {although}, and the page could not draw meanwhile (async helps only with waiting).",
                if busy.len() == 1 { "the job ran".to_string() } else { format!("the {} jobs ran", busy.len()) }
            ));
            let closed_with = |kind: Kind| events.iter().any(|e| e.phase == Phase::Work && e.kind == kind);
            match scenario.pattern {
                // asyncio.wait_for's deadline is a timer: it fires only when the loop is free, and
                // cancels only at an await, which a computation that never awaits does not reach.
                Pattern::Timeout if !closed_with(Kind::Timeout) => {
                    let over = busy.iter().filter(|b| b.2 - b.1 >= f64::from(scenario.timeout)).count();
                    if over > 0 {
                        out.push(format!(
                            "No deadline fired, although {over} job{} computed for at least the {} ms timeout: a deadline is a timer, timers run only when the loop is free, and wait_for can cancel a task only at an await, which the computation never reaches. Each finished late, with its result.",
                            if over == 1 { "" } else { "s" },
                            scenario.timeout
                        ));
                    }
                }
                // Every task's first step was queued before the winner finished, and each computes
                // to its end once it has the loop: nothing is still running to be cancelled.
                Pattern::Race if busy.len() > 1 && !closed_with(Kind::Cancel) => out.push(
                    "No task was cancelled: every task was already queued to run when the first one finished, and each, once it had the loop, computed to its end without an await, so by the time asyncio.wait returned there was nothing left to cancel.".to_string(),
                ),
                _ => {}
            }
        }
        Offload::Workers => {
            let k = scenario.workers;
            let predicted = predicted_ms.unwrap_or(0.0);
            let cores_text = |n: u32| if n == 1 { "1 core".to_string() } else { format!("{n} cores") };
            match cores {
                // Here k > c ≥ 1: the workers are several, the cores and the jobs may be one.
                Some(c) if c < k => out.push(format!(
                    "{k} workers on {} (navigator.hardwareConcurrency) do not run {k}× faster: at most {c} job{} compute{} at once, so the run took {makespan:.0} ms against the {predicted:.0} ms predicted for {k} free cores.",
                    cores_text(c),
                    if c == 1 { "" } else { "s" },
                    if c == 1 { "s" } else { "" }
                )),
                _ if predicted > 0.0 && makespan > predicted * 1.2 => out.push(format!(
                    "The run took {makespan:.0} ms against the {predicted:.0} ms predicted: the prediction assumes {k} free core{}, and other processes share them (and each job is posted to a worker and its answer comes back as a message).",
                    if k == 1 { "" } else { "s" }
                )),
                _ => {}
            }
        }
    }
    out
}
