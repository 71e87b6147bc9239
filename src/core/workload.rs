//! Seeded task plans: how long each attempt of each task takes and whether it fails.
//!
//! Every (task, attempt) pair draws from its own PCG stream keyed by the seed, so a plan does not
//! depend on the order tasks run in, on how many tasks there are, or on the clock: the same seed
//! gives the same plan in the predicted and the measured run, today and in any later version.
//! The mapping from random bits to values below is ours (not a library's distribution), so it
//! cannot change under us.

use rand_core::RngCore;
use rand_pcg::Pcg32;

use super::what_if::WhatIf;

/// One attempt of one task, as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub task: u32,
    /// From 1.
    pub attempt: u32,
    /// How long the work takes, in whole milliseconds.
    pub duration_ms: u32,
    /// Whether this attempt ends in an error.
    pub fails: bool,
}

/// A named task with a fixed duration (the article's "brew coffee, 3 s").
#[derive(Debug, Clone, PartialEq)]
pub struct FixedTask {
    pub label: &'static str,
    pub duration_ms: u32,
}

/// The tasks a scenario runs and how each attempt turns out: the drawn plan ([`Tasks`]) with the
/// link's "what if" overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub tasks: Tasks,
    /// Empty for every link without `what_if`, so such a plan is exactly the drawn one.
    pub what_if: WhatIf,
}

impl From<Tasks> for Workload {
    fn from(tasks: Tasks) -> Self {
        Workload { tasks, what_if: WhatIf::default() }
    }
}

/// The tasks, as drawn from the scenario (before any override).
#[derive(Debug, Clone, PartialEq)]
pub enum Tasks {
    /// `tasks` tasks, durations uniform in `[min_ms, max_ms]`, each attempt failing with
    /// probability `fail`, all drawn from `seed`.
    Random { tasks: u32, min_ms: u32, max_ms: u32, fail: f64, seed: u64 },
    /// Named tasks with fixed durations that never fail.
    Fixed(&'static [FixedTask]),
}

/// Uniform in [0, 1) from 53 random bits.
fn unit(rng: &mut Pcg32) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

impl Workload {
    /// Number of tasks.
    pub fn len(&self) -> u32 {
        match &self.tasks {
            Tasks::Random { tasks, .. } => *tasks,
            Tasks::Fixed(t) => t.len() as u32,
        }
    }

    /// Whether there are no tasks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A task's lane label.
    pub fn label(&self, task: u32) -> String {
        match &self.tasks {
            Tasks::Fixed(t) => t.get(task as usize).map_or_else(|| format!("task {task}"), |t| t.label.into()),
            Tasks::Random { .. } => format!("task {task}"),
        }
    }

    /// A random stream for one (task, attempt, purpose); `purpose` separates e.g. jitter from work.
    pub fn stream(&self, task: u32, attempt: u32, purpose: u32) -> Pcg32 {
        let seed = match &self.tasks {
            Tasks::Random { seed, .. } => *seed,
            Tasks::Fixed(_) => 0,
        };
        let stream = (u64::from(task) << 32) | (u64::from(attempt) << 8) | u64::from(purpose & 0xff);
        Pcg32::new(seed ^ 0x9e37_79b9_7f4a_7c15, stream)
    }

    /// The plan for attempt `attempt` (from 1) of `task`, with its `what_if` override applied.
    pub fn attempt(&self, task: u32, attempt: u32) -> Attempt {
        let mut plan = self.drawn(task, attempt);
        self.what_if.apply(&mut plan);
        plan
    }

    /// When `task` is cancelled by a `what_if` override, ms after the run starts.
    pub fn cancel_at(&self, task: u32) -> Option<u32> {
        self.what_if.cancel_at(task)
    }

    /// The plan as drawn from the seed, before any override.
    pub fn drawn(&self, task: u32, attempt: u32) -> Attempt {
        match &self.tasks {
            Tasks::Fixed(t) => {
                Attempt { task, attempt, duration_ms: t.get(task as usize).map_or(0, |t| t.duration_ms), fails: false }
            }
            Tasks::Random { min_ms, max_ms, fail, .. } => {
                let mut rng = self.stream(task, attempt, 0);
                let span = u64::from(max_ms.saturating_sub(*min_ms)) + 1;
                let duration_ms = min_ms + (unit(&mut rng) * span as f64) as u32;
                let fails = unit(&mut rng) < *fail;
                Attempt { task, attempt, duration_ms: duration_ms.min(*max_ms), fails }
            }
        }
    }

    /// A number in [0, 1) for `task`'s attempt, for a pattern's own seeded choices (jitter).
    pub fn unit(&self, task: u32, attempt: u32, purpose: u32) -> f64 {
        unit(&mut self.stream(task, attempt, purpose))
    }
}

/// The article's opening example: brewing coffee takes 3 s, frying eggs 2 s.
pub const BREAKFAST: &[FixedTask] =
    &[FixedTask { label: "brew coffee", duration_ms: 3000 }, FixedTask { label: "fry eggs", duration_ms: 2000 }];

#[cfg(test)]
mod tests {
    use super::*;

    fn random(seed: u64, fail: f64) -> Workload {
        Tasks::Random { tasks: 100, min_ms: 10, max_ms: 20, fail, seed }.into()
    }

    #[test]
    fn durations_stay_in_range_and_cover_both_ends() {
        let w = random(7, 0.0);
        let d: Vec<u32> = (0..100).map(|i| w.attempt(i, 1).duration_ms).collect();
        assert!(d.iter().all(|&x| (10..=20).contains(&x)));
        assert!(d.contains(&10) && d.contains(&20), "{d:?}");
    }

    #[test]
    fn failure_probability_is_respected_at_the_extremes_and_roughly_between() {
        assert!((0..100).all(|i| !random(1, 0.0).attempt(i, 1).fails));
        assert!((0..100).all(|i| random(1, 1.0).attempt(i, 1).fails));
        let w: Workload = Tasks::Random { tasks: 10_000, min_ms: 1, max_ms: 1, fail: 0.3, seed: 5 }.into();
        let n = (0..10_000).filter(|&i| w.attempt(i, 1).fails).count();
        assert!((2_700..3_300).contains(&n), "{n} of 10000 failed at p=0.3");
    }

    #[test]
    fn a_plan_depends_on_seed_task_and_attempt_only() {
        let a = random(42, 0.5);
        let b: Workload = Tasks::Random { tasks: 3, min_ms: 10, max_ms: 20, fail: 0.5, seed: 42 }.into();
        assert_eq!(a.attempt(2, 1), b.attempt(2, 1));
        assert_ne!(
            (0..20).map(|i| a.attempt(i, 1).duration_ms).collect::<Vec<_>>(),
            (0..20).map(|i| random(43, 0.5).attempt(i, 1).duration_ms).collect::<Vec<_>>()
        );
    }
}
