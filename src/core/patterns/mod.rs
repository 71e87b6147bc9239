//! The patterns, each written once against [`Clock`] and run unchanged on the virtual clock (the
//! predicted timeline) and on the browser clock (the measured one).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::clock::Clock;
use super::event::{Kind, Phase, Recorder};
use super::scenario::{Pattern, Scenario};
use super::workload::{Attempt, Workload};

pub mod gather;
pub mod sequential;

/// What a task's work returns: a value (as text) or an error message.
pub type Outcome = Result<String, String>;

/// The future returned by [`Work::run`].
pub type WorkFuture = Pin<Box<dyn Future<Output = Outcome>>>;

/// Performs one attempt's work: a sleep on the run's clock, or (in the browser) a real request.
pub trait Work {
    fn run(&self, plan: &Attempt) -> WorkFuture;
}

/// Work that sleeps for the planned duration, then succeeds or fails as planned.
pub struct SleepWork<C: Clock>(pub C);

impl<C: Clock> Work for SleepWork<C> {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        let sleep = self.0.sleep(f64::from(plan.duration_ms));
        let (fails, ms) = (plan.fails, plan.duration_ms);
        Box::pin(async move {
            sleep.await;
            if fails {
                Err(format!("simulated error after {ms} ms"))
            } else {
                Ok(format!("{ms} ms"))
            }
        })
    }
}

/// Everything a pattern needs: the clock, where to record, what to run.
pub struct Ctx<C: Clock> {
    pub clock: C,
    pub rec: Recorder,
    pub scenario: Scenario,
    pub workload: Workload,
    pub work: Rc<dyn Work>,
}

impl<C: Clock> Ctx<C> {
    /// A context whose tasks sleep on `clock`; the recorder's time 0 is now.
    pub fn new(clock: C, scenario: Scenario) -> Self {
        let work = Rc::new(SleepWork(clock.clone()));
        Self::with_work(clock, scenario, work)
    }

    /// A context whose tasks do `work`.
    pub fn with_work(clock: C, scenario: Scenario, work: Rc<dyn Work>) -> Self {
        let rec = Recorder::new(&clock);
        let workload = scenario.workload();
        Ctx { clock, rec, scenario, workload, work }
    }

    /// One attempt of `task`'s work, recorded as a `work` span.
    pub async fn attempt(&self, task: u32, attempt: u32) -> Outcome {
        let plan = self.workload.attempt(task, attempt);
        let span = self.rec.begin(task, attempt, Phase::Work);
        let outcome = self.work.run(&plan).await;
        match &outcome {
            Ok(v) => span.end_with(v.clone()),
            Err(e) => span.fail(e.clone()),
        }
        outcome
    }

    /// Records how a task finished.
    pub fn finish(&self, task: u32, outcome: &Outcome) {
        match outcome {
            Ok(v) => self.rec.record(task, 0, Kind::Done, Phase::Task, v.clone()),
            Err(e) => self.rec.record(task, 0, Kind::Failed, Phase::Task, e.clone()),
        }
    }

    /// A task with one attempt, its outcome recorded.
    pub async fn single(&self, task: u32) -> Outcome {
        let outcome = self.attempt(task, 1).await;
        self.finish(task, &outcome);
        outcome
    }
}

/// Runs the scenario's pattern to the end; returns each task's outcome, in task order.
pub async fn run<C: Clock>(ctx: &Ctx<C>) -> Vec<Outcome> {
    match ctx.scenario.pattern {
        Pattern::Sequential => sequential::run(ctx).await,
        Pattern::Gather => gather::run(ctx).await,
    }
}
