//! Every event a pattern records maps to the line of the code panel's code that causes it: for a
//! few scenarios of every pattern, each recorded event's Python (and Rust) line exists and holds
//! the statement a reader expects there.

use awaitlab::core::code::{python, rust};
use awaitlab::core::code_lines::{python_line, rust_line, CodeLines};
use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::{ErrorMode, Offload, Pattern, Preset, Scenario, Source};

fn scenario(q: &str) -> Scenario {
    Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))).expect("valid")
}

/// A few scenarios per pattern, between them recording every kind of event the pattern can.
const SCENARIOS: &[&str] = &[
    "pattern=sequential&tasks=4&fail=0.5&min=10&max=50&seed=3",
    "pattern=sequential&preset=breakfast",
    "pattern=gather&tasks=6&fail=0.4&min=10&max=50",
    "pattern=gather&errors=raise&tasks=6&fail=0.4&min=10&max=50",
    "pattern=gather&errors=fail_fast&tasks=6&fail=0.4&min=10&max=50",
    "pattern=gather&preset=breakfast",
    "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=10&max=50",
    "pattern=retry&retries=3&delay=20&tasks=6&fail=0.6&min=10&max=50",
    "pattern=retry&retries=4&delay=20&backoff=exponential&jitter=0.5&tasks=5&fail=0.7&limit=2&hold=0",
    "pattern=retry&retries=2&delay=20&tasks=4&fail=1&limit=2&hold=1",
    "pattern=retry&retries=3&preset=breakfast",
    "pattern=fallback&tasks=6&fail=0.5&min=10&max=50",
    "pattern=resource&acquire=10&release=5&tasks=5&fail=0.4&min=10&max=50",
    "pattern=resource&acquire=10&release=5&tasks=5&fail=0.4&limit=2",
    "pattern=pipeline&process=10&save=5&tasks=5&fail=0.4&min=10&max=50",
    "pattern=pipeline&process=10&save=5&tasks=5&fail=0.4&limit=2",
    "pattern=timeout&timeout=30&tasks=6&fail=0.3&min=10&max=50",
    "pattern=race&tasks=5&fail=0.3&min=10&max=50",
    "pattern=race&tasks=3&min=20&max=20",
    "pattern=race&preset=breakfast",
    "pattern=as_completed&process=10&tasks=6&fail=0.3&min=10&max=50",
    // what_if cancels: in the work, a permit wait, a backoff, a resource's body, a race (first
    // done), a TaskGroup, and in a sequence, a task whose time passed before it started.
    "pattern=gather&tasks=4&min=20&max=120&seed=1&what_if=0:cancel@0,2:cancel@60",
    "pattern=gather&errors=fail_fast&tasks=6&fail=0.3&min=20&max=120&seed=8&what_if=2:cancel@30",
    "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=20&max=80&seed=3&what_if=3:cancel@100,5:cancel@50",
    "pattern=retry&retries=3&delay=30&jitter=0.5&tasks=5&fail=0.5&min=20&max=80&seed=4&what_if=0:cancel@70",
    "pattern=resource&acquire=20&release=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=11&what_if=1:cancel@50",
    "pattern=race&tasks=5&min=20&max=120&seed=6&what_if=0:cancel@10",
    "pattern=sequential&tasks=4&fail=0.3&min=20&max=60&seed=9&what_if=1:cancel@70,3:cancel@100",
];

/// Whether `e` is a `what_if` cancel's: the task's `cancelled: what_if` mark, or a span closed
/// with `cancel` at the task's cancel time.
fn by_what_if(s: &Scenario, e: &Event) -> bool {
    (e.kind == Kind::Failed && e.detail.starts_with("cancelled: what_if"))
        || (e.kind == Kind::Cancel && s.what_if.cancel_at(e.task).is_some_and(|at| e.t >= f64::from(at)))
}

fn cancelled(e: &Event) -> bool {
    e.kind == Kind::Failed && e.detail.starts_with("cancelled")
}

/// What the Python line of `e` must hold, said independently of the mapping's own markers.
fn python_statement(s: &Scenario, e: &Event) -> &'static str {
    let breakfast = s.preset == Preset::Breakfast;
    let cancel = if s.pattern == Pattern::Race { "t.cancel()" } else { "async with asyncio.TaskGroup() as tg:" };
    if by_what_if(s, e) {
        return "call_later(left, asyncio.current_task().cancel)";
    }
    match (e.phase, e.kind) {
        (Phase::Wait, _) => "async with sem:",
        (Phase::Backoff, _) => "await asyncio.sleep(pause_ms / 1000)",
        (Phase::Acquire, _) => "# acquire",
        (Phase::Release, _) => "# release",
        (Phase::Fetch, Kind::Fail) | (Phase::Work, Kind::Fail) => "raise RuntimeError(",
        (Phase::Fetch, _) => "data = await fetch(i)",
        (Phase::Process, _) if s.pattern == Pattern::AsCompleted => "await process(result)",
        (Phase::Process, _) => "item = await process(i, data)",
        (Phase::Save, _) => "await save(item)",
        (Phase::Work, Kind::Timeout) => "asyncio.wait_for(work(i)",
        (Phase::Work, Kind::Cancel) => cancel,
        (Phase::Work, _) if breakfast => "await asyncio.sleep(seconds)",
        (Phase::Work, _) => "await asyncio.sleep(ms / 1000)",
        (Phase::Task, Kind::Fallback) => "return default",
        (Phase::Task, Kind::Failed) if cancelled(e) => cancel,
        (Phase::Task, Kind::Failed) => match s.pattern {
            Pattern::Sequential => "except Exception as e:",
            Pattern::Retry => "raise  # out of attempts",
            Pattern::Resource => "return False  # let the error through",
            Pattern::Pipeline => "data = await fetch(i)",
            Pattern::Timeout if e.detail.starts_with("TimeoutError") => "asyncio.wait_for(work(i)",
            _ => "raise RuntimeError(",
        },
        (Phase::Task, Kind::Done) => match s.pattern {
            Pattern::Semaphore | Pattern::Resource => "return await work(i)",
            Pattern::Retry if breakfast => "return await work(i)",
            Pattern::Retry => "return await work(i, attempt)",
            Pattern::Fallback => "return await coro",
            Pattern::Pipeline => "return data",
            Pattern::Timeout => "return await asyncio.wait_for(",
            _ if breakfast => "return f\"{seconds * 1000:.0f} ms\"",
            _ => "return f\"{ms} ms\"",
        },
        other => panic!("no statement expected for {other:?}"),
    }
}

/// What the Rust line of `e` must hold.
fn rust_statement(s: &Scenario, e: &Event) -> &'static str {
    let spawned = matches!(s.pattern, Pattern::Sequential | Pattern::Gather | Pattern::Race | Pattern::AsCompleted);
    if by_what_if(s, e) {
        return if s.pattern == Pattern::Resource {
            "unless_cancelled(&mut deadline"
        } else {
            "ctx.until_cancelled(task"
        };
    }
    match (e.phase, e.kind) {
        (Phase::Wait, _) => "ctx.permit(",
        (Phase::Backoff, _) => "ctx.backoff(task",
        (Phase::Acquire, _) => "Phase::Acquire",
        (Phase::Release, _) => "Phase::Release",
        (Phase::Fetch, _) => "ctx.fetch(item",
        (Phase::Process, _) => "Phase::Process",
        (Phase::Save, _) => "Phase::Save",
        (Phase::Work, Kind::Timeout) => "ctx.attempt_within(task",
        (Phase::Work, Kind::Cancel) => "t.cancel(",
        (Phase::Task, Kind::Failed) if cancelled(e) => "t.cancel(",
        (Phase::Work, _) if spawned => "ctx.single(task)",
        (Phase::Work, _) => "ctx.attempt",
        (Phase::Task, Kind::Fallback) => "Kind::Fallback",
        (Phase::Task, _) if spawned => "ctx.single(task)",
        (Phase::Task, Kind::Done) if s.pattern == Pattern::Fallback => "ctx.finish(task",
        (Phase::Task, Kind::Failed) if s.pattern == Pattern::Retry => "return outcome;",
        (Phase::Task, Kind::Failed) if e.detail.starts_with("TimeoutError") => "ctx.attempt_within(task",
        (Phase::Task, _) => "ctx.gather_each(lp",
    }
}

fn line(code: &str, n: usize) -> &str {
    code.lines().nth(n - 1).unwrap_or_else(|| panic!("line {n} is past the end of:\n{code}"))
}

#[test]
fn every_recorded_event_maps_to_the_statement_that_causes_it() {
    let mut seen = std::collections::BTreeSet::new();
    for q in SCENARIOS {
        let s = scenario(q);
        let (py, rs) = (python(&s), rust(&s));
        let lines = CodeLines::new(&s);
        let run = run_virtual(&s);
        for e in &run.events {
            let what = format!("{q}: {:?} {:?} of task {} ({})", e.kind, e.phase, e.task, e.detail.as_str());
            let n = lines.python(e).unwrap_or_else(|| panic!("{what}: no Python line in\n{py}"));
            let expected = python_statement(&s, e);
            assert!(line(&py, n).contains(expected), "{what}: Python line {n} is {:?}, not {expected:?}", line(&py, n));
            assert_eq!(python_line(&s, e), Some(n), "{what}: python_line agrees with CodeLines");
            let n = lines.rust(e).unwrap_or_else(|| panic!("{what}: no Rust line in\n{rs}"));
            let expected = rust_statement(&s, e);
            assert!(line(&rs, n).contains(expected), "{what}: Rust line {n} is {:?}, not {expected:?}", line(&rs, n));
            assert_eq!(rust_line(&s, e), Some(n), "{what}: rust_line agrees with CodeLines");
            seen.insert(format!(
                "{} {:?} {:?}{}",
                s.pattern.key(),
                e.phase,
                e.kind,
                if by_what_if(&s, e) {
                    " (what_if)"
                } else if cancelled(e) {
                    " (cancelled)"
                } else {
                    ""
                }
            ));
        }
    }
    // The scenarios between them record every kind of event each pattern can.
    for needed in [
        "sequential Task Failed",
        "gather Work Cancel",
        "gather Task Failed (cancelled)",
        "semaphore Wait End",
        "retry Backoff End",
        "retry Task Failed",
        "fallback Task Fallback",
        "resource Acquire Begin",
        "resource Release End",
        "pipeline Fetch Fail",
        "pipeline Save End",
        "timeout Work Timeout",
        "timeout Work Fail",
        "race Work Cancel",
        "race Task Failed (cancelled)",
        "as_completed Process End",
        "as_completed Task Failed",
        "gather Work Cancel (what_if)",
        "gather Task Failed (what_if)",
        "semaphore Wait Cancel (what_if)",
        "retry Backoff Cancel (what_if)",
        "resource Work Cancel (what_if)",
        "race Task Failed (what_if)",
        "race Task Failed (cancelled)",
        "sequential Task Failed (what_if)",
    ] {
        assert!(seen.contains(needed), "no scenario records {needed}: {seen:?}");
    }
}

#[test]
fn events_with_no_statement_map_to_nothing() {
    // The breakfast never fails: it has no `raise` to point at.
    let s = scenario("pattern=gather&preset=breakfast");
    let failed =
        Event { t: 0.0, task: 0, attempt: 1, kind: Kind::Fail, phase: Phase::Work, detail: "boom".into(), line: 0 };
    assert_eq!(python_line(&s, &failed), None);
    // A cancellation in a pattern that never cancels (an aborted run) points nowhere.
    let s = scenario("pattern=gather");
    assert_eq!(s.errors, ErrorMode::Collect);
    let cancel = Event { kind: Kind::Cancel, ..failed };
    assert_eq!(python_line(&s, &cancel), None);
    assert_eq!(rust_line(&s, &cancel), None);
}

/// `source=cpu` (issue 14): the work is `compute(ms)` inline or `run_in_executor` on a pool in
/// the Python, and `cpu::CpuWork`'s `burn(units)` or the worker's job in the Rust, whose wait for
/// a free worker is its own `wait` span.
const CPU_SCENARIOS: &[&str] = &[
    "pattern=gather&source=cpu&tasks=4&fail=0.5&min=10&max=50&seed=3",
    "pattern=gather&source=cpu&offload=workers&workers=2&tasks=5&fail=0.4&min=10&max=50",
    "pattern=semaphore&limit=3&source=cpu&offload=workers&workers=2&tasks=5&fail=0.4&min=10&max=50",
    "pattern=retry&retries=3&delay=20&source=cpu&offload=workers&workers=2&tasks=4&fail=0.6&min=10&max=50",
    "pattern=sequential&source=cpu&tasks=3&fail=0.5&min=10&max=50",
    "pattern=timeout&timeout=30&source=cpu&offload=workers&workers=2&tasks=5&fail=0.4&min=10&max=50",
    "pattern=pipeline&source=cpu&offload=workers&workers=2&tasks=4&fail=0.4&min=10&max=50",
];

/// What the Python and the Rust lines of a CPU run's work, failure or worker wait must hold.
fn cpu_statements(s: &Scenario, e: &Event) -> Option<(&'static str, &'static str)> {
    let workers = s.offload == Offload::Workers;
    let worker_wait = e.detail.starts_with("worker") || (workers && s.effective_limit().is_none());
    Some(match (e.phase, e.kind) {
        // A deadline passed while the job computed or waited for its worker.
        (Phase::Work | Phase::Wait, Kind::Timeout) => ("asyncio.wait_for(", "attempt_within("),
        (Phase::Wait, _) if worker_wait => {
            ("await loop.run_in_executor(pool, compute, ms)", "let place = acquire.await;")
        }
        (Phase::Work | Phase::Fetch, Kind::Fail) if workers => ("raise RuntimeError(", "out // Err"),
        (Phase::Work, Kind::Fail) => ("raise RuntimeError(", "outcome(units, fails, None)"),
        (Phase::Work, _) if workers => ("await loop.run_in_executor(pool, compute, ms)", "let out = job.await;"),
        (Phase::Work, _) => ("    compute(ms)  # called inline", "burn(units);"),
        _ => return None,
    })
}

#[test]
fn a_cpu_runs_work_maps_to_compute_or_the_pool_in_both_languages() {
    let mut seen = std::collections::BTreeSet::new();
    for q in CPU_SCENARIOS {
        let s = scenario(q);
        assert_eq!(s.source, Source::Cpu, "{q}");
        let (py, rs) = (python(&s), rust(&s));
        let lines = CodeLines::new(&s);
        for e in &run_virtual(&s).events {
            let what = format!("{q}: {:?} {:?} of task {} ({})", e.kind, e.phase, e.task, e.detail.as_str());
            let (py_expected, rs_expected) =
                cpu_statements(&s, e).unwrap_or_else(|| (python_statement(&s, e), rust_statement(&s, e)));
            let n = lines.python(e).unwrap_or_else(|| panic!("{what}: no Python line in\n{py}"));
            assert!(
                line(&py, n).contains(py_expected),
                "{what}: Python line {n} is {:?}, not {py_expected:?}",
                line(&py, n)
            );
            let n = lines.rust(e).unwrap_or_else(|| panic!("{what}: no Rust line in\n{rs}"));
            assert!(
                line(&rs, n).contains(rs_expected),
                "{what}: Rust line {n} is {:?}, not {rs_expected:?}",
                line(&rs, n)
            );
            assert_eq!(rust_line(&s, e), Some(n), "{what}: rust_line agrees with CodeLines");
            seen.insert(format!("{:?} {:?} {}", s.offload, e.phase, e.detail.starts_with("worker")));
        }
    }
    for needed in
        ["Inline Work false", "Workers Work false", "Workers Wait true", "Workers Wait false", "Workers Fetch false"]
    {
        assert!(seen.contains(needed), "no scenario records {needed}: {seen:?}");
    }
}
