//! "What if": per-(task, attempt) overrides of a workload's plan, kept in the link as `what_if`.
//!
//! Grammar, version 1 (the link's `v=1`; a later grammar bumps `PARAMS_VERSION` and keeps
//! reading this one):
//!
//! ```text
//! what_if = entry ("," entry)*                       at most MAX_OVERRIDES entries
//! entry   = TASK "." ATTEMPT ":" change ("+" speed)?  one attempt's plan
//!         | TASK ":cancel@" MS                        the task is cancelled MS ms after the run starts
//! change  = outcome | speed
//! outcome = "fail" | "ok"                             the attempt fails / succeeds whatever was drawn
//! speed   = "x2" | "half"                             its duration doubles (at most 600000 ms) / halves (rounded down)
//! ```
//!
//! Numbers are plain digits without leading zeros (`TASK` from 0, `ATTEMPT` from 1 to 20, `MS`
//! from 0 to 3600000). Entries are strictly in order of task, then attempt, a task's cancel
//! (attempt 0) first, so each target appears once and a value has one spelling:
//! `what_if=1:cancel@150,1.1:fail,3.2:ok+x2`. Whether `TASK` is one of the scenario's tasks is
//! checked with the other keys (`Scenario::check_together`).
//!
//! The overrides change the plan itself ([`crate::core::workload::Workload::attempt`]), so the
//! virtual and the browser clock, the code panel and the budget all see the same plan. A cancel
//! is `loop.call_at(MS, task.cancel)`: the task's work is dropped at that instant (its open spans
//! close with `cancel`) and it gets a `failed` mark whose detail starts with `cancelled`; a task
//! that has finished by then is not affected, and one that has not started yet never starts.

use std::fmt;

use serde::{Serialize, Serializer};

use super::budget::MAX_OVERRIDES;
use super::scenario::{MAX_DURATION_MS, MAX_RETRIES};
use super::workload::Attempt;

/// Latest cancel time, ms after the run starts.
pub const MAX_CANCEL_MS: u32 = 3_600_000;

/// How an attempt's outcome is forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Fail,
    Ok,
}

/// How an attempt's duration is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// ×2 (at most [`MAX_DURATION_MS`]).
    Slower,
    /// ÷2, rounded down.
    Faster,
}

/// What an entry changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// An attempt's plan: its outcome, its speed, or both.
    Plan { outcome: Option<Outcome>, speed: Option<Speed> },
    /// The whole task is cancelled this many ms after the run starts.
    CancelAt(u32),
}

/// One override: `attempt` 0 for a task-level cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Override {
    pub task: u32,
    pub attempt: u32,
    pub change: Change,
}

/// A scenario's overrides, in canonical order. Empty for every link without `what_if`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhatIf(Vec<Override>);

impl Serialize for WhatIf {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Fail => "fail",
        Outcome::Ok => "ok",
    }
}

fn speed_text(s: Speed) -> &'static str {
    match s {
        Speed::Slower => "x2",
        Speed::Faster => "half",
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.change {
            Change::CancelAt(ms) => write!(f, "{}:cancel@{ms}", self.task),
            Change::Plan { outcome, speed } => {
                write!(f, "{}.{}:", self.task, self.attempt)?;
                let parts: Vec<&str> = outcome.map(outcome_text).into_iter().chain(speed.map(speed_text)).collect();
                f.write_str(&parts.join("+"))
            }
        }
    }
}

impl fmt::Display for WhatIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, o) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{o}")?;
        }
        Ok(())
    }
}

/// A plain number without sign or leading zero, in `lo..=hi`.
fn number(text: &str, what: &str, lo: u32, hi: u32) -> Result<u32, String> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    match text.parse::<u32>() {
        Ok(n) if canonical && (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("{what} must be a whole number from {lo} to {hi} without leading zeros (got \"{text}\")")),
    }
}

fn parse_entry(entry: &str) -> Result<Override, String> {
    let bad = || format!("\"{entry}\" is not TASK.ATTEMPT:CHANGE or TASK:cancel@MS");
    let (target, change) = entry.split_once(':').ok_or_else(bad)?;
    if let Some(ms) = change.strip_prefix("cancel@") {
        if target.contains('.') {
            return Err(format!("\"{entry}\": cancel applies to a whole task, written TASK:cancel@MS"));
        }
        let task = number(target, "a task", 0, u32::MAX - 1)?;
        return Ok(Override {
            task,
            attempt: 0,
            change: Change::CancelAt(number(ms, "a cancel time", 0, MAX_CANCEL_MS)?),
        });
    }
    let (task, attempt) = target.split_once('.').ok_or_else(bad)?;
    let (task, attempt) = (number(task, "a task", 0, u32::MAX - 1)?, number(attempt, "an attempt", 1, MAX_RETRIES)?);
    let (mut outcome, mut speed) = (None, None);
    let parts: Vec<&str> = change.split('+').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "fail" | "ok" if i == 0 => outcome = Some(if *part == "fail" { Outcome::Fail } else { Outcome::Ok }),
            "x2" | "half" if i == parts.len() - 1 && speed.is_none() => {
                speed = Some(if *part == "x2" { Speed::Slower } else { Speed::Faster })
            }
            _ => {
                return Err(format!(
                "\"{entry}\": a change is fail, ok, x2 or half, or an outcome then a speed (fail+x2), got \"{change}\""
            ))
            }
        }
    }
    if parts.len() > 2 || (parts.len() == 2 && (outcome.is_none() || speed.is_none())) {
        return Err(format!("\"{entry}\": at most one outcome then one speed, as fail+x2 (got \"{change}\")"));
    }
    Ok(Override { task, attempt, change: Change::Plan { outcome, speed } })
}

impl WhatIf {
    /// Reads a `what_if` value; the message says what is wrong (the caller names the key).
    pub fn parse(text: &str) -> Result<WhatIf, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(WhatIf::default());
        }
        let entries: Vec<&str> = text.split(',').collect();
        if entries.len() > MAX_OVERRIDES {
            return Err(format!("at most {MAX_OVERRIDES} overrides (got {})", entries.len()));
        }
        let mut out: Vec<Override> = Vec::with_capacity(entries.len());
        for entry in entries {
            let o = parse_entry(entry)?;
            if let Some(last) = out.last() {
                if (last.task, last.attempt) >= (o.task, o.attempt) {
                    return Err(format!(
                        "\"{entry}\" comes after \"{last}\": entries go in order of task, then attempt (a task's cancel first), each once"
                    ));
                }
            }
            out.push(o);
        }
        Ok(WhatIf(out))
    }

    /// Whether there are no overrides (a link without `what_if`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The overrides, in order.
    pub fn entries(&self) -> &[Override] {
        &self.0
    }

    /// The highest task named, if any.
    pub fn max_task(&self) -> Option<u32> {
        self.0.iter().map(|o| o.task).max()
    }

    /// Keeps only the overrides of tasks below `tasks`.
    pub fn retain_tasks(&mut self, tasks: u32) {
        self.0.retain(|o| o.task < tasks);
    }

    fn find(&self, task: u32, attempt: u32) -> Option<&Override> {
        self.0.binary_search_by_key(&(task, attempt), |o| (o.task, o.attempt)).ok().map(|i| &self.0[i])
    }

    /// When `task` is cancelled, ms after the run starts.
    pub fn cancel_at(&self, task: u32) -> Option<u32> {
        match self.find(task, 0)?.change {
            Change::CancelAt(ms) => Some(ms),
            Change::Plan { .. } => None,
        }
    }

    /// `plan` with its override applied.
    pub fn apply(&self, plan: &mut Attempt) {
        let Some(Change::Plan { outcome, speed }) = self.find(plan.task, plan.attempt).map(|o| o.change) else {
            return;
        };
        if let Some(o) = outcome {
            plan.fails = o == Outcome::Fail;
        }
        plan.duration_ms = match speed {
            Some(Speed::Slower) => plan.duration_ms.saturating_mul(2).min(MAX_DURATION_MS),
            Some(Speed::Faster) => plan.duration_ms / 2,
            None => plan.duration_ms,
        };
    }

    /// These overrides with `task`'s attempt `attempt` changed as `f` says (`None` removes its
    /// override), kept in canonical order; `attempt` 0 is the task's cancel.
    pub fn with(&self, task: u32, attempt: u32, change: Option<Change>) -> WhatIf {
        let mut out: Vec<Override> =
            self.0.iter().filter(|o| (o.task, o.attempt) != (task, attempt)).copied().collect();
        let empty = matches!(change, Some(Change::Plan { outcome: None, speed: None }));
        if let (Some(change), false) = (change, empty) {
            // `out` is in canonical order (as `parse` and this insert keep it), so one insert keeps it.
            let at = out.partition_point(|o| (o.task, o.attempt) < (task, attempt));
            out.insert(at, Override { task, attempt, change });
        }
        WhatIf(out)
    }

    /// The plan override of `task`'s attempt `attempt`, if any.
    pub fn plan_of(&self, task: u32, attempt: u32) -> Option<(Option<Outcome>, Option<Speed>)> {
        match self.find(task, attempt)?.change {
            Change::Plan { outcome, speed } => Some((outcome, speed)),
            Change::CancelAt(_) => None,
        }
    }

    /// What was changed for `task`'s attempt `attempt`, in words (for a bar's title), if anything.
    pub fn describe(&self, task: u32, attempt: u32) -> Option<String> {
        let mut parts = Vec::new();
        if let Some((outcome, speed)) = self.plan_of(task, attempt) {
            parts.extend(outcome.map(|o| match o {
                Outcome::Fail => "made to fail",
                Outcome::Ok => "made to succeed",
            }));
            parts.extend(speed.map(|s| match s {
                Speed::Slower => "twice as slow",
                Speed::Faster => "twice as fast",
            }));
        }
        let cancel = self.cancel_at(task).map(|ms| format!("task cancelled at {ms} ms"));
        parts.extend(cancel.as_deref());
        (!parts.is_empty()).then(|| format!("what if: {}", parts.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_back_canonical_values() {
        for text in ["", "0.1:fail", "1:cancel@150,1.1:fail,3.2:ok+x2", "2.20:half", "0:cancel@0"] {
            assert_eq!(WhatIf::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_what_is_not_canonical() {
        for bad in [
            "1.1:fail,1.1:x2",
            "2.1:fail,1.1:fail",
            "1.1:x2+fail",
            "01.1:fail",
            "1.0:fail",
            "1.21:fail",
            "1.1:",
            "1.1:fail+ok",
            "1.1:cancel@5",
            "1:cancel@3600001",
            "1:fail",
            "1.1:fail,",
            "-1.1:fail",
        ] {
            assert!(WhatIf::parse(bad).is_err(), "{bad}");
        }
        let many: Vec<String> = (0..=MAX_OVERRIDES).map(|t| format!("{t}.1:fail")).collect();
        assert!(WhatIf::parse(&many.join(",")).unwrap_err().contains("at most"));
    }

    #[test]
    fn applies_outcome_and_speed() {
        let w = WhatIf::parse("0.1:fail+x2,1.1:ok+half").unwrap();
        let mut a = Attempt { task: 0, attempt: 1, duration_ms: 101, fails: false };
        w.apply(&mut a);
        assert_eq!((a.duration_ms, a.fails), (202, true));
        let mut b = Attempt { task: 1, attempt: 1, duration_ms: 101, fails: true };
        w.apply(&mut b);
        assert_eq!((b.duration_ms, b.fails), (50, false));
        let mut c = Attempt { task: 1, attempt: 2, duration_ms: 101, fails: true };
        w.apply(&mut c);
        assert_eq!((c.duration_ms, c.fails), (101, true));
    }

    #[test]
    fn with_keeps_order_and_removes() {
        let w = WhatIf::default().with(3, 1, Some(Change::Plan { outcome: Some(Outcome::Fail), speed: None }));
        let w = w.with(1, 0, Some(Change::CancelAt(40)));
        assert_eq!(w.to_string(), "1:cancel@40,3.1:fail");
        assert_eq!(w.with(1, 0, None).to_string(), "3.1:fail");
        assert_eq!(w.describe(1, 2).unwrap(), "what if: task cancelled at 40 ms");
    }
}
