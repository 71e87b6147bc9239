//! The patterns, each written once against [`Clock`] (as a [`RunClock`]) and run unchanged on the virtual clock (the
//! predicted timeline) and on the browser clock (the measured one).
//!
//! What each pattern records (spans are `begin` + one close per task, attempt and phase; task-level
//! marks have phase `task` and attempt 0):
//!
//! | pattern | per task |
//! | --- | --- |
//! | sequential, gather | `work`, then `done` or `failed` |
//! | gather, `errors=fail_fast` | as gather until the first error; every task still running then has its `work` closed with `cancel` and a `failed` mark whose detail starts with `cancelled` |
//! | semaphore | `wait` (the permit wait, recorded even when zero-length), `work` while holding, then `done`/`failed` |
//! | retry | per attempt: (`wait` under a limit: once with `hold=1`, before every attempt with `hold=0`), `work`, and after a failed attempt that is not the last a `backoff` span labelled with the failed attempt's number; then `done`, or `failed` with the last error |
//! | fallback | `work`, then `done`, or `fallback` (detail: the default and the error) instead of `failed` |
//! | resource | (`wait`), `acquire`, `work`, `release` (also after a failed `work`), then `done`/`failed` |
//! | pipeline | (`wait`), `fetch`, `process`, `save` (a failed fetch skips process and save), then `done`/`failed` |
//! | timeout | `work` closed by `end`/`fail`, or by `timeout` when the deadline came first, then `done`/`failed` |
//! | race | `work`; the first task to finish gets `done`/`failed`, every other has its `work` closed with `cancel` and a `failed` mark starting with `cancelled` |
//! | as_completed | `work`, `done`/`failed` when it finishes; then each successful result, in completion order, gets a `process` span (one result at a time) |
//! | code | what the reader's program does (`core::py::interp`): a `spawn` mark per task it creates (detail: the lane label), its spans, `print` marks, `done`/`failed`; events carry the code `line` |

use std::cell::RefCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::future::{select, Either};
use rustc_hash::FxHashMap;

use super::aio::{self, Loop, Permit, Semaphore};
use super::clock::{Clock, RunClock, RunSleep};
use super::event::{Kind, Phase, Recorder, Span, Text};
use super::scenario::{Pattern, Scenario};
use super::workload::{Attempt, Workload};

pub mod as_completed;
pub mod fallback;
pub mod gather;
pub mod pipeline;
pub mod race;
pub mod resource;
pub mod retry;
pub mod semaphore;
pub mod sequential;
pub mod timeout;

/// What a task's work returns: a value (as text) or an error message.
pub type Outcome = Result<Text, Text>;

/// The future returned by [`Work::run`].
pub type WorkFuture = Pin<Box<dyn Future<Output = Outcome>>>;

/// The future returned by [`Work::queue`]: the name of the place the attempt got, and the
/// attempt bound to it.
pub type QueueFuture = Pin<Box<dyn Future<Output = (Text, WorkFuture)>>>;

/// Performs one attempt's work: a sleep on the run's clock, or (in the browser) a real request.
///
/// Multi-stage patterns (pipeline's fetch/process/save, resource's acquire/release) go through
/// [`Work::stage`], so a runtime can swap any stage for real I/O while the core keeps recording
/// the spans. The core always builds the stage's simulated future itself (it knows the clock):
///
/// - `fetch`: `simulated` is `self.run(plan)` on the workload's plan for the item, so a runtime
///   that only overrides [`Work::run`] (say, with a real request) fetches for real in the
///   pipeline too;
/// - `process`, `save`, `acquire`, `release`: `simulated` sleeps the scenario's `process`, `save`,
///   `acquire` or `release` milliseconds and succeeds; `plan.duration_ms` holds that length and
///   `plan.fails` is false.
///
/// The default [`Work::stage`] returns `simulated` unchanged. An override may return its own
/// future instead (dropping `simulated` disarms its timer); its `Err` closes the stage's span
/// with `fail` and the pattern treats it as that stage's error.
pub trait Work {
    /// One attempt of a task's work.
    fn run(&self, plan: &Attempt) -> WorkFuture;

    /// Whether this work is the plan itself, slept on the run's clock ([`SleepWork`], the work
    /// of a predicted run): [`Ctx::attempt`] then sleeps it without asking for a boxed future,
    /// an allocation per attempt that a 100,000-task prediction notices.
    fn is_planned_sleep(&self) -> bool {
        false
    }

    /// One stage of a multi-stage task; see the trait docs.
    fn stage(&self, phase: Phase, plan: &Attempt, simulated: WorkFuture) -> WorkFuture {
        let _ = (phase, plan);
        simulated
    }

    /// For work that runs in a pool (CPU work on workers): waits for a free place, then gives its
    /// name and the attempt bound to it; [`Ctx::attempt`] records the wait as a `wait` span
    /// closed with that name. `None` (the default): the attempt starts at once.
    fn queue(&self, plan: &Attempt) -> Option<QueueFuture> {
        let _ = plan;
        None
    }

    /// A request made by the reader's code (`session.get(url)` in a code run). The core builds
    /// `simulated` (a sleep of the planned time, then the mock API's reply); the default returns
    /// it unchanged, a runtime making real requests returns its own future instead.
    fn request(&self, url: &str, simulated: RequestFuture) -> RequestFuture {
        let _ = url;
        simulated
    }
}

/// What a request of the reader's code got back, as `aiohttp` gives it: the status and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub body: String,
}

/// The future returned by [`Work::request`]: the reply, or why there was none (a network
/// error, a CORS refusal).
pub type RequestFuture = Pin<Box<dyn Future<Output = Result<HttpReply, Text>>>>;

/// `"{ms} ms"` texts, made once per duration and shared: a big run records the same few
/// hundred durations 100,000 times over (as the value of each `work` span and task).
#[derive(Default)]
pub struct MsTexts(RefCell<FxHashMap<u32, Text>>);

impl MsTexts {
    /// The text for `ms`.
    pub fn get(&self, ms: u32) -> Text {
        self.0
            .borrow_mut()
            .entry(ms)
            .or_insert_with(|| {
                let mut digits = itoa::Buffer::new();
                let mut text = String::from(digits.format(ms));
                text.push_str(" ms");
                text.into()
            })
            .clone()
    }
}

pin_project_lite::pin_project! {
    /// An attempt as planned: a sleep of its duration, then its value (`"{ms} ms"`) or its error.
    pub struct PlannedSleep<S> {
        #[pin]
        sleep: S,
        ms: u32,
        value: Option<Text>,
    }
}

impl<S> PlannedSleep<S> {
    /// `plan` slept by `sleep` (a sleep of `plan.duration_ms` on the run's clock).
    pub fn new(sleep: S, plan: &Attempt, texts: &MsTexts) -> Self {
        let ms = plan.duration_ms;
        PlannedSleep { sleep, ms, value: (!plan.fails).then(|| texts.get(ms)) }
    }
}

impl<S: Future<Output = ()>> Future for PlannedSleep<S> {
    type Output = Outcome;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let this = self.project();
        if this.sleep.poll(cx).is_pending() {
            return Poll::Pending;
        }
        let ms = *this.ms;
        Poll::Ready(this.value.take().ok_or_else(|| format!("simulated error after {ms} ms").into()))
    }
}

/// Work that sleeps for the planned duration, then succeeds or fails as planned.
pub struct SleepWork<C: Clock> {
    clock: C,
    texts: MsTexts,
}

impl<C: Clock> SleepWork<C> {
    /// Sleeps on `clock`.
    pub fn new(clock: C) -> Self {
        SleepWork { clock, texts: MsTexts::default() }
    }
}

impl<C: Clock> Work for SleepWork<C> {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        Box::pin(PlannedSleep::new(self.clock.sleep(f64::from(plan.duration_ms)), plan, &self.texts))
    }

    fn is_planned_sleep(&self) -> bool {
        true
    }
}

/// How the outcome of a task cancelled by a `what_if` override starts.
pub const WHAT_IF_CANCELLED: &str = "cancelled: what_if";

/// Everything a pattern needs: the clock, where to record, what to run.
///
/// Not generic over the clock: its [`RunClock`] keeps the patterns and their tasks compiled once,
/// for the virtual and the browser clock alike.
pub struct Ctx {
    pub clock: RunClock,
    pub rec: Recorder,
    pub scenario: Scenario,
    pub workload: Workload,
    pub work: Rc<dyn Work>,
    /// The run's semaphore (`asyncio.Semaphore(limit)`), if its pattern has a limit.
    pub sem: Option<Semaphore>,
    texts: MsTexts,
}

impl Ctx {
    /// A context whose tasks sleep on `clock`; the recorder's time 0 is now.
    pub fn new(clock: impl Clock, scenario: Scenario) -> Self {
        let clock = RunClock::new(clock);
        let work = Rc::new(SleepWork::new(clock.clone()));
        Self::with_work(clock, scenario, work)
    }

    /// A context whose tasks do `work`.
    pub fn with_work(clock: impl Clock, scenario: Scenario, work: Rc<dyn Work>) -> Self {
        let clock = RunClock::new(clock);
        let rec = Recorder::new(&clock);
        let workload = scenario.workload();
        // Every pattern records at least a span and a finish per task.
        rec.reserve(workload.len() as usize * 3);
        let sem = scenario.effective_limit().map(|n| Semaphore::new(n as usize));
        Ctx { clock, rec, scenario, workload, work, sem, texts: MsTexts::default() }
    }

    /// One attempt of `task`'s work, recorded as a `work` span.
    pub async fn attempt(&self, task: u32, attempt: u32) -> Outcome {
        let plan = self.workload.attempt(task, attempt);
        let work = match self.work.queue(&plan) {
            Some(queued) => Either::Right(self.placed(task, attempt, queued).await),
            None if self.work.is_planned_sleep() => Either::Left(self.planned(&plan)),
            None => Either::Right(self.work.run(&plan)),
        };
        let span = self.rec.begin(task, attempt, Phase::Work);
        let outcome = work.await;
        match &outcome {
            Ok(v) => span.end_with(v.clone()),
            Err(e) => span.fail(e.clone()),
        }
        outcome
    }

    /// Work that runs in a pool (CPU work on workers) once it has its place: the wait for one is a
    /// `wait` span of its own, closed with the place's name, so the attempt's span is its work and
    /// not its turn in the queue (the figures count a task waiting for a place as not in flight).
    async fn placed(&self, task: u32, attempt: u32, queued: QueueFuture) -> WorkFuture {
        let wait = self.rec.begin(task, attempt, Phase::Wait);
        let (place, work) = queued.await;
        wait.end_with(place);
        work
    }

    /// `plan` slept on the run's clock, as [`SleepWork`] does (without its box).
    fn planned(&self, plan: &Attempt) -> PlannedSleep<RunSleep> {
        PlannedSleep::new(self.clock.sleep(f64::from(plan.duration_ms)), plan, &self.texts)
    }

    /// One attempt of `task`'s work under a deadline (`asyncio.wait_for`): if `timeout_ms` passes
    /// first, the work is dropped (cancelled) and its span closes with `timeout`. A task exactly as
    /// long as its deadline times out, as in asyncio, where the deadline's timer is armed first.
    /// The deadline also covers a wait for a worker (`wait_for(loop.run_in_executor(…))`): a
    /// job still queued when it passes never runs, and its `wait` span closes with `timeout`.
    pub async fn attempt_within(&self, task: u32, attempt: u32, timeout_ms: u32) -> Outcome {
        let plan = self.workload.attempt(task, attempt);
        let timed_out = |span: Span| {
            span.timeout(format!("timed out after {timeout_ms} ms"));
            Err(format!("TimeoutError: no result within {timeout_ms} ms").into())
        };
        let mut deadline = pin!(self.clock.sleep(f64::from(timeout_ms)));
        let work = match self.work.queue(&plan) {
            Some(queued) => {
                let wait = self.rec.begin(task, attempt, Phase::Wait);
                match select(deadline.as_mut(), queued).await {
                    Either::Left(_) => return timed_out(wait),
                    Either::Right(((place, work), _)) => {
                        wait.end_with(place);
                        work
                    }
                }
            }
            None => self.work.run(&plan),
        };
        let span = self.rec.begin(task, attempt, Phase::Work);
        match select(deadline, work).await {
            Either::Left(((), work)) => {
                drop(work);
                timed_out(span)
            }
            Either::Right((outcome, _)) => {
                match &outcome {
                    Ok(v) => span.end_with(v.clone()),
                    Err(e) => span.fail(e.clone()),
                }
                outcome
            }
        }
    }

    /// Spawns `body(task)` for every task at once and gathers them (`asyncio.gather(*(body(i) for
    /// i in range(N)), return_exceptions=True)`), each task's outcome recorded as it finishes; the
    /// outcomes come back in task order.
    pub async fn gather_each<'a, F>(&'a self, lp: &Loop<'a>, body: impl Fn(u32) -> F) -> Vec<Outcome>
    where
        F: Future<Output = Outcome> + 'a,
    {
        let body = &body;
        aio::gather(
            lp,
            (0..self.workload.len()).map(|task| {
                let work = body(task);
                self.until_cancelled(task, async move {
                    let outcome = work.await;
                    self.finish(task, &outcome);
                    outcome
                })
            }),
        )
        .await
    }

    /// `async with sem:` on the run's semaphore, the wait recorded as a `wait` span (zero-length
    /// when a permit is free); `None` at once, recording nothing, when the run has no semaphore.
    /// Permits are handed out first come, first served, as asyncio.Semaphore does.
    pub async fn permit(&self, task: u32, attempt: u32) -> Option<Permit<'_>> {
        let sem = self.sem.as_ref()?;
        let span = self.rec.begin(task, attempt, Phase::Wait);
        let permit = sem.acquire().await;
        span.end();
        Some(permit)
    }

    /// A timed stage (`process`, `save`, `acquire`, `release`) of `ms` milliseconds, recorded as a
    /// span of `phase`, through [`Work::stage`].
    pub async fn stage(&self, task: u32, attempt: u32, phase: Phase, ms: u32) -> Outcome {
        let plan = Attempt { task, attempt, duration_ms: ms, fails: false };
        let simulated: WorkFuture = Box::pin(self.planned(&plan));
        self.run_stage(phase, plan, simulated).await
    }

    /// The `fetch` stage of an item: the workload's planned work for it, through [`Work::stage`].
    pub async fn fetch(&self, task: u32, attempt: u32) -> Outcome {
        let plan = self.workload.attempt(task, attempt);
        let simulated = match self.work.queue(&plan) {
            Some(queued) => self.placed(task, attempt, queued).await,
            None => self.work.run(&plan),
        };
        self.run_stage(Phase::Fetch, plan, simulated).await
    }

    async fn run_stage(&self, phase: Phase, plan: Attempt, simulated: WorkFuture) -> Outcome {
        let span = self.rec.begin(plan.task, plan.attempt, phase);
        let outcome = self.work.stage(phase, &plan, simulated).await;
        match &outcome {
            Ok(v) => span.end_with(v.clone()),
            Err(e) => span.fail(e.clone()),
        }
        outcome
    }

    /// A `backoff` span of `ms` milliseconds after attempt `attempt` failed.
    pub async fn backoff(&self, task: u32, attempt: u32, ms: f64) {
        let span = self.rec.begin(task, attempt, Phase::Backoff);
        self.clock.sleep(ms).await;
        span.end_with(format!("{} ms, then attempt {}", ms_text(ms), attempt + 1));
    }

    /// Records that `task` was cancelled before it finished: a `failed` mark whose detail starts
    /// with `cancelled` (its open spans record `cancel` themselves when dropped).
    pub fn cancelled(&self, task: u32, why: &str) -> Outcome {
        let detail = Text::from(format!("cancelled: {why}"));
        self.rec.record(task, 0, Kind::Failed, Phase::Task, detail.clone());
        Err(detail)
    }

    /// Records how a task finished.
    pub fn finish(&self, task: u32, outcome: &Outcome) {
        match outcome {
            Ok(v) => self.rec.record(task, 0, Kind::Done, Phase::Task, v.clone()),
            Err(e) => self.rec.record(task, 0, Kind::Failed, Phase::Task, e.clone()),
        }
    }

    /// A task with one attempt, its outcome recorded.
    pub fn single(&self, task: u32) -> impl Future<Output = Outcome> + '_ {
        self.until_cancelled(task, async move {
            let outcome = self.attempt(task, 1).await;
            self.finish(task, &outcome);
            outcome
        })
    }

    /// `task`'s whole body (which records its own finish), cancelled at its `what_if` time if it
    /// has one (`loop.call_at(ms, task.cancel)`): at that instant the body is dropped (its open
    /// spans close with `cancel`) and the task gets a `failed` mark starting with `cancelled`. A
    /// task whose time has passed before it starts never starts; one that finishes in the same
    /// instant is cancelled (the cancel's timer was armed first). Without an override, `body` is
    /// awaited as it is, so runs without `what_if` are unchanged.
    ///
    /// Not an `async fn`: that would hold `body` twice (its argument, then pinned for the select)
    /// in every task, overridden or not. A task with an override boxes its body instead.
    pub fn until_cancelled<'s, F>(&'s self, task: u32, body: F) -> impl Future<Output = Outcome> + 's
    where
        F: Future<Output = Outcome> + 's,
    {
        match self.workload.cancel_at(task) {
            None => Either::Left(body),
            Some(at) => Either::Right(Box::pin(self.cancelled_at(task, at, body))),
        }
    }

    /// [`Ctx::until_cancelled`] for a task with an override at `at` ms.
    async fn cancelled_at(&self, task: u32, at: u32, body: impl Future<Output = Outcome>) -> Outcome {
        let why = what_if_why(task, at);
        let left = f64::from(at) - self.rec.elapsed();
        if left <= 0.0 {
            drop(body);
            return self.cancelled(task, &why);
        }
        let deadline = self.clock.sleep(left);
        // The body is dropped at the end of this block, before the cancellation is recorded.
        let finished = {
            let body = pin!(body);
            match select(pin!(deadline), body).await {
                Either::Left(_) => None,
                Either::Right((outcome, _)) => Some(outcome),
            }
        };
        finished.unwrap_or_else(|| self.cancelled(task, &why))
    }
}

/// Why a task was cancelled by its `what_if` override at `at` ms (after "cancelled: ").
pub fn what_if_why(task: u32, at: u32) -> String {
    format!("what_if: task {task} at {at} ms")
}

/// A length in ms as text: whole numbers as they are (`100`), others to at most two decimals
/// (`337.5`), for labels; the events keep the exact times.
pub fn ms_text(ms: f64) -> String {
    if ms.fract() == 0.0 {
        format!("{ms}")
    } else {
        super::timeline::fixed_trimmed(ms, 2)
    }
}

/// What a code run says when the Python interpreter is not loaded where it runs.
pub const NOT_LOADED: &str = "the Python interpreter is not loaded";

/// Runs the scenario's pattern to the end, as the `main()` of an asyncio-shaped loop on the
/// context's clock; returns each task's outcome, in task order.
pub async fn run(ctx: &Ctx) -> Vec<Outcome> {
    let clock = ctx.clock.clone();
    let lp = Loop::new(move || clock.start_iteration());
    lp.run(main(ctx, &lp)).await
}

async fn main<'a>(ctx: &'a Ctx, lp: &Loop<'a>) -> Vec<Outcome> {
    match ctx.scenario.pattern {
        Pattern::Sequential => sequential::run(ctx).await,
        Pattern::Gather => gather::run(ctx, lp).await,
        Pattern::Semaphore => semaphore::run(ctx, lp).await,
        Pattern::Retry => retry::run(ctx, lp).await,
        Pattern::Fallback => fallback::run(ctx, lp).await,
        Pattern::Resource => resource::run(ctx, lp).await,
        Pattern::Pipeline => pipeline::run(ctx, lp).await,
        Pattern::Timeout => timeout::run(ctx, lp).await,
        Pattern::Race => race::run(ctx, lp).await,
        Pattern::AsCompleted => as_completed::run(ctx, lp).await,
        // Through the registered runner: the page's own module does not link the interpreter.
        Pattern::Code => match crate::core::py::runner::runner() {
            Some(run) => run(ctx, lp, &ctx.scenario.code).await,
            None => crate::core::py::runner::not_loaded(ctx, NOT_LOADED),
        },
    }
}
