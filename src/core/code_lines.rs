//! Every recorded event → the line of the code panel's code that causes it, so the code can follow
//! the timeline: the permit wait is `async with sem:`, a `work` span is the `await asyncio.sleep` in
//! `work`, its failure the `raise`, a backoff the pause's sleep, a timeout the `wait_for`, a
//! cancellation `t.cancel()` (race) or the TaskGroup, a `what_if` cancel the timer armed in
//! `cancellable` (`ctx.until_cancelled` in the Rust), a `done` mark the task's `return`, a `failed`
//! mark where the task's error ends it (the `except` of the sequential loop, retry's last `raise`,
//! `__aexit__` letting it through, ...).
//!
//! Line numbers are never written down: each statement is found in the generated text by a marker
//! substring (within its function, for Python), so they follow the code as it changes. Lines are
//! 1-based. `None` when the event has no statement in that code (say, a cancellation a pattern
//! never makes, or a failure in the breakfast preset, which cannot fail).

use super::code::{python, rust};
use super::event::{Event, Kind, Phase};
use super::patterns::WHAT_IF_CANCELLED;
use super::scenario::{ErrorMode, Offload, Pattern, Preset, Scenario, Source};

/// A statement an event can point to; where it is depends on the language and the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// `async with sem:` — a permit wait.
    Permit,
    /// The work's sleep (or the call of the work, in Rust).
    Work,
    /// The planned failure's `raise`.
    Raise,
    /// The task's own `return` (a `done` mark).
    Return,
    /// Where a failed task's error ends it: the sequential loop's `except`, retry's last `raise`,
    /// `__aexit__`'s `return False`, the pipeline's fetch; else the planned `raise`.
    Failed,
    /// The backoff pause.
    Backoff,
    /// `__aenter__`'s sleep.
    Acquire,
    /// `__aexit__`'s sleep.
    Release,
    /// The pipeline's fetch.
    Fetch,
    /// The pipeline's process stage, or as_completed's `process(result)`.
    Process,
    /// The pipeline's save.
    Save,
    /// `asyncio.wait_for`: the deadline.
    WaitFor,
    /// What cancels a task: race's `t.cancel()`, or the TaskGroup.
    Cancel,
    /// fallback's `return default`.
    Fallback,
    /// `source=cpu&offload=workers`: the wait for a free worker (`run_in_executor`'s queue).
    Pool,
    /// A `what_if` cancel: the timer `cancellable` arms (`ctx.until_cancelled` in the Rust).
    WhatIf,
}

impl Site {
    const ALL: [Site; 16] = [
        Site::Permit,
        Site::Work,
        Site::Raise,
        Site::Return,
        Site::Failed,
        Site::Backoff,
        Site::Acquire,
        Site::Release,
        Site::Fetch,
        Site::Process,
        Site::Save,
        Site::WaitFor,
        Site::Cancel,
        Site::Fallback,
        Site::Pool,
        Site::WhatIf,
    ];
}

/// Whether a `wait` span of `s` is the wait for a CPU worker rather than for a permit: it closes
/// naming the worker. Its begin names nothing, so with a semaphore too a begin is taken as the
/// permit's (the pool's begins in the same instant as the permit's end).
fn waits_for_worker(s: &Scenario, e: &Event) -> bool {
    s.source == Source::Cpu
        && s.offload == Offload::Workers
        && (e.detail.starts_with("worker") || s.effective_limit().is_none())
}

/// Whether `e` is the work of a `what_if` cancel: the task's `cancelled: what_if` mark, or a span
/// of a task with a cancel time closed with `cancel` at or after that time (before it, something
/// else cancelled the task: a race's winner, a TaskGroup's error).
fn by_what_if(s: &Scenario, e: &Event) -> bool {
    match e.kind {
        Kind::Failed => e.detail.starts_with(WHAT_IF_CANCELLED),
        Kind::Cancel => s.what_if.cancel_at(e.task).is_some_and(|at| e.t >= f64::from(at) - 1e-9),
        _ => false,
    }
}

/// The statement that causes `e` in a run of `s` (the same in both languages).
pub fn site(s: &Scenario, e: &Event) -> Option<Site> {
    if by_what_if(s, e) {
        return Some(Site::WhatIf);
    }
    let cancelling =
        matches!(s.pattern, Pattern::Race) || (s.pattern == Pattern::Gather && s.errors == ErrorMode::FailFast);
    Some(match (e.phase, e.kind) {
        // A deadline that passed while its job waited for a worker (`timeout` on workers).
        (Phase::Wait, Kind::Timeout) => Site::WaitFor,
        (Phase::Wait, _) if waits_for_worker(s, e) => Site::Pool,
        (Phase::Wait, _) => Site::Permit,
        (Phase::Backoff, _) => Site::Backoff,
        (Phase::Acquire, _) => Site::Acquire,
        (Phase::Release, _) => Site::Release,
        (Phase::Fetch, Kind::Fail) => Site::Raise,
        (Phase::Fetch, _) => Site::Fetch,
        (Phase::Process, _) => Site::Process,
        (Phase::Save, _) => Site::Save,
        (Phase::Work, Kind::Fail) => Site::Raise,
        (Phase::Work, Kind::Timeout) => Site::WaitFor,
        (Phase::Work, Kind::Cancel) => return cancelling.then_some(Site::Cancel),
        (Phase::Work, _) => Site::Work,
        (Phase::Task, Kind::Done) => Site::Return,
        (Phase::Task, Kind::Fallback) => Site::Fallback,
        (Phase::Task, Kind::Failed) if e.detail.starts_with("cancelled") => return cancelling.then_some(Site::Cancel),
        (Phase::Task, Kind::Failed) if s.pattern == Pattern::Timeout && e.detail.starts_with("TimeoutError") => {
            Site::WaitFor
        }
        (Phase::Task, Kind::Failed) => Site::Failed,
        (Phase::Task, _) => return None,
    })
}

/// Where a site's statement is in Python: `(function whose body holds it, marker)`.
fn python_marker(s: &Scenario, site: Site) -> Option<(Option<&'static str>, &'static str)> {
    let work = Some("async def work(");
    Some(match site {
        Site::Permit => (None, "async with sem:"),
        Site::Work => match (s.source, s.offload) {
            (Source::Cpu, Offload::Inline) if s.preset == Preset::Random => (work, "compute(ms)"),
            (Source::Cpu, Offload::Workers) if s.preset == Preset::Random => (work, "run_in_executor("),
            _ => (work, "await asyncio.sleep("),
        },
        Site::Raise => (work, "raise RuntimeError("),
        Site::Return => match s.pattern {
            Pattern::Semaphore => (Some("async def bounded("), "return await work("),
            Pattern::Retry => (Some("async def with_retry("), "return await work("),
            Pattern::Fallback => (Some("async def safe_process("), "return await coro"),
            Pattern::Resource => (Some("async def use("), "return await work("),
            Pattern::Pipeline => (Some("async def process_item("), "return data"),
            Pattern::Timeout => (Some("async def with_deadline("), "return await asyncio.wait_for("),
            _ => (work, "return "),
        },
        Site::Failed => match s.pattern {
            Pattern::Sequential => (Some("async def main("), "except Exception"),
            Pattern::Retry => (Some("async def with_retry("), "raise  # out of attempts"),
            Pattern::Resource => (Some("async def __aexit__("), "return False"),
            Pattern::Pipeline => (Some("async def process_item("), "await fetch(i)"),
            _ => (work, "raise RuntimeError("),
        },
        Site::Backoff => (Some("async def with_retry("), "await asyncio.sleep(pause"),
        Site::Acquire => (Some("async def __aenter__("), "await asyncio.sleep("),
        Site::Release => (Some("async def __aexit__("), "await asyncio.sleep("),
        Site::Fetch => (Some("async def process_item("), "await fetch(i)"),
        Site::Process if s.pattern == Pattern::AsCompleted => (Some("async def main("), "await process(result)"),
        Site::Process => (Some("async def process_item("), "await process(i, data)"),
        Site::Save => (Some("async def process_item("), "await save(item)"),
        Site::WaitFor => (None, "asyncio.wait_for("),
        Site::Cancel if s.pattern == Pattern::Race => (Some("async def main("), ".cancel()"),
        Site::Cancel => (None, "asyncio.TaskGroup()"),
        Site::Fallback => (Some("async def safe_process("), "return default"),
        Site::Pool => (work, "run_in_executor("),
        Site::WhatIf => (Some("async def cancellable("), "current_task().cancel"),
    })
}

/// Where a site's statement is in the Rust: a marker of its line.
fn rust_marker(s: &Scenario, site: Site) -> Option<&'static str> {
    let spawned = matches!(s.pattern, Pattern::Sequential | Pattern::Gather | Pattern::Race | Pattern::AsCompleted);
    let cpu = (s.source == Source::Cpu).then_some(s.offload);
    Some(match site {
        // The CPU work's own lines (`code::rust_cpu`), after the pattern's.
        Site::Work if cpu == Some(Offload::Inline) => "burn(units)",
        Site::Raise if cpu == Some(Offload::Inline) => "outcome(units, fails",
        Site::Work if cpu == Some(Offload::Workers) => "let out = job.await",
        Site::Raise if cpu == Some(Offload::Workers) => "out // Err",
        Site::Pool => "acquire.await",
        Site::Permit => "ctx.permit(",
        Site::Work | Site::Raise if spawned => "ctx.single(task)",
        Site::Raise if s.pattern == Pattern::Pipeline => "ctx.fetch(",
        Site::Work | Site::Raise => "ctx.attempt",
        Site::Return | Site::Failed => match s.pattern {
            _ if spawned => "ctx.single(task)",
            Pattern::Fallback => "ctx.finish(task",
            Pattern::Retry if site == Site::Failed => "return outcome;",
            _ => "ctx.gather_each(",
        },
        Site::Backoff => "ctx.backoff(",
        Site::Acquire => "Phase::Acquire",
        Site::Release => "Phase::Release",
        Site::Fetch => "ctx.fetch(",
        Site::Process => "Phase::Process",
        Site::Save => "Phase::Save",
        Site::WaitFor => "attempt_within(",
        Site::Cancel => "t.cancel(",
        Site::Fallback => "Kind::Fallback",
        Site::WhatIf if s.pattern == Pattern::Resource => "unless_cancelled(&mut deadline",
        Site::WhatIf => "ctx.until_cancelled(task",
    })
}

/// The 1-based line holding `marker` in Python `code`; with `within`, only in the body of the first
/// block whose header holds `within` (the lines indented deeper than it, up to the next one that is
/// not).
fn find_python(code: &str, within: Option<&str>, marker: &str) -> Option<usize> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = code.lines().enumerate();
    if let Some(header) = within {
        let (_, head) = lines.by_ref().find(|(_, l)| l.contains(header))?;
        let depth = indent(head);
        return lines
            .take_while(|(_, l)| l.trim().is_empty() || indent(l) > depth)
            .find(|(_, l)| l.contains(marker))
            .map(|(i, _)| i + 1);
    }
    lines.find(|(_, l)| l.contains(marker)).map(|(i, _)| i + 1)
}

/// The 1-based line of the first line of `code` holding `marker`.
fn find_line(code: &str, marker: &str) -> Option<usize> {
    code.lines().position(|l| l.contains(marker)).map(|i| i + 1)
}

/// Each site's line in the Python and the Rust of one scenario, found once: for mapping a whole
/// run's events (`CodeLines::new` generates the code; the lookups are then cheap).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeLines {
    scenario: Scenario,
    python: Vec<(Site, usize)>,
    rust: Vec<(Site, usize)>,
}

impl CodeLines {
    /// The lines of `code::python(s)` and `code::rust(s)`.
    pub fn new(s: &Scenario) -> Self {
        let (py, rs) = (python(s), rust(s));
        let python = Site::ALL
            .iter()
            .filter_map(|&site| {
                let (within, marker) = python_marker(s, site)?;
                Some((site, find_python(&py, within, marker)?))
            })
            .collect();
        let rust = Site::ALL.iter().filter_map(|&site| Some((site, find_line(&rs, rust_marker(s, site)?)?))).collect();
        CodeLines { scenario: s.clone(), python, rust }
    }

    /// The 1-based line of the Python whose statement causes `e`.
    pub fn python(&self, e: &Event) -> Option<usize> {
        // A code run's events carry the line of the reader's program that caused them.
        if self.scenario.pattern == Pattern::Code {
            return (e.line > 0).then_some(e.line as usize);
        }
        let site = site(&self.scenario, e)?;
        self.python.iter().find(|(s, _)| *s == site).map(|(_, line)| *line)
    }

    /// The 1-based line of the Rust whose statement causes `e`.
    pub fn rust(&self, e: &Event) -> Option<usize> {
        let site = site(&self.scenario, e)?;
        self.rust.iter().find(|(s, _)| *s == site).map(|(_, line)| *line)
    }
}

/// The 1-based line of `code::python(s)` whose statement causes `e` (generates the code: for many
/// events, build a [`CodeLines`] once).
pub fn python_line(s: &Scenario, e: &Event) -> Option<usize> {
    if s.pattern == Pattern::Code {
        return (e.line > 0).then_some(e.line as usize);
    }
    let (within, marker) = python_marker(s, site(s, e)?)?;
    find_python(&python(s), within, marker)
}

/// The 1-based line of `code::rust(s)` whose statement causes `e` (generates the code: for many
/// events, build a [`CodeLines`] once).
pub fn rust_line(s: &Scenario, e: &Event) -> Option<usize> {
    find_line(&rust(s), rust_marker(s, site(s, e)?)?)
}
