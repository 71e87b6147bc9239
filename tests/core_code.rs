//! The code panel: Python and Rust for the current scenario, with its values filled in.

mod common;

use awaitlab::core::code::{python, rust};
use awaitlab::core::event::Kind;
use awaitlab::core::scenario::{Pattern, Scenario};
use common::scenario;

#[test]
fn semaphore_code_shows_the_limit_in_both_languages() {
    let s = scenario("pattern=semaphore&limit=3&tasks=12&min=100&max=100");
    let py = python(&s);
    assert!(py.contains("asyncio.Semaphore(3)"), "{py}");
    assert!(py.contains("async with sem:") && py.contains("N = 12") && py.contains("DURATIONS_MS = [100] * N"), "{py}");
    let rs = rust(&s);
    assert!(rs.contains("Semaphore::new(3)") && rs.contains("ctx.permit(task, 1)"), "{rs}");
    assert!(rs.contains("(0..12)"), "{rs}");
}

#[test]
fn retry_code_follows_attempts_delay_backoff_jitter_and_hold() {
    let s = scenario("pattern=retry&retries=4&delay=40&backoff=exponential&factor=3&jitter=0.5&tasks=5");
    let py = python(&s);
    assert!(
        py.contains("range(1, 4 + 1)")
            && py.contains("40 * 3 ** (attempt - 1)")
            && py.contains("1 - 0.5 * JITTER[i][attempt - 1]"),
        "{py}"
    );
    assert!(!py.contains("Semaphore"), "{py}");
    assert!(rust(&s).contains("attempt >= 4") && rust(&s).contains("40 ms × 3^(attempt − 1)"));

    let held = python(&scenario("pattern=retry&limit=2&hold=1"));
    let freed = python(&scenario("pattern=retry&limit=2&hold=0"));
    // hold=1 puts the whole retry loop inside `async with sem`; hold=0 only each attempt.
    assert!(held.find("async with sem").unwrap() < held.find("for attempt").unwrap(), "{held}");
    assert!(freed.find("async with sem").unwrap() > freed.find("for attempt").unwrap(), "{freed}");
    assert!(rust(&scenario("pattern=retry&limit=2&hold=0")).contains("permit = None; // hold=0"));
    assert!(!rust(&scenario("pattern=retry&limit=2&hold=1")).contains("permit = None; // hold=0"));
}

#[test]
fn each_pattern_shows_its_own_idiom_and_values() {
    for (q, py_needle, rs_needle) in [
        ("pattern=sequential&tasks=5", "for i in range(N)", "for task in 0..5"),
        ("pattern=gather", "return_exceptions=True", "aio::gather"),
        ("pattern=gather&errors=raise", "await asyncio.gather(*tasks)", "aio::wait_all"),
        ("pattern=gather&errors=fail_fast", "asyncio.TaskGroup()", "add_done_callback"),
        ("pattern=fallback", "async def safe_process(coro, default=None)", "Kind::Fallback"),
        ("pattern=resource&acquire=250&release=125", "asyncio.sleep(0.25)  # acquire", "Phase::Release, 125"),
        ("pattern=resource&limit=2", "asyncio.Semaphore(2)", "Semaphore::new(2)"),
        ("pattern=pipeline&process=30&save=5", "asyncio.sleep(0.03)", "Phase::Save, 5"),
        ("pattern=timeout&timeout=250", "asyncio.wait_for(work(i), timeout=0.25)", "attempt_within(task, 1, 250)"),
        ("pattern=race", "FIRST_COMPLETED", "first.wait()"),
        ("pattern=as_completed&process=15", "asyncio.as_completed(tasks)", "sleep(15.0)"),
        ("pattern=gather&preset=breakfast", "(\"brew coffee\", 3)", "(0..2)"),
        ("pattern=gather&fail=0.25&min=10&max=90&seed=7", "if i in FAILING:", "aio::gather"),
    ] {
        let s = scenario(q);
        assert!(python(&s).contains(py_needle), "{q}: python lacks {py_needle}:\n{}", python(&s));
        assert!(rust(&s).contains(rs_needle), "{q}: rust lacks {rs_needle}:\n{}", rust(&s));
    }
}

#[test]
fn every_pattern_has_code_that_names_its_source_file_and_runs_main() {
    for p in Pattern::BUILT_IN {
        let s = scenario(&format!("pattern={}", p.key()));
        assert!(python(&s).contains("\nasyncio.run(main())\n"), "{p:?}");
        assert!(python(&s).ends_with("print(f\"makespan_ms={(time.perf_counter() - start) * 1000:.1f}\")\n"), "{p:?}");
        assert!(python(&s).contains("async def main()"), "{p:?}");
        assert!(rust(&s).contains(&format!("src/core/patterns/{}.rs", p.key())), "{p:?}");
    }
}

#[test]
fn cpu_work_has_its_rust_beside_its_python() {
    // offload=workers: Python's process pool, and the Rust's pool of Web Workers of the same size.
    let s = scenario("pattern=gather&source=cpu&offload=workers&workers=3&tasks=6");
    assert!(python(&s).contains("ProcessPoolExecutor(max_workers=3)"), "{}", python(&s));
    let rs = rust(&s);
    assert!(rs.contains("over a pool of\n// 3 Web Workers"), "{rs}");
    assert!(rs.contains("let place = acquire.await;") && rs.contains("let out = job.await;"), "{rs}");
    assert!(!rs.contains("burn(units)"), "{rs}");
    // offload=inline: compute(ms) on the loop in Python, burn(units) on the loop in Rust.
    let s = scenario("pattern=gather&source=cpu&tasks=6");
    assert!(python(&s).contains("compute(ms)  # called inline"));
    let rs = rust(&s);
    assert!(rs.contains("burn(units);") && !rs.contains("acquire.await"), "{rs}");
    // Without source=cpu, none of it.
    let rs = rust(&scenario("pattern=gather&tasks=6"));
    assert!(!rs.contains("CpuWork"), "{rs}");
}

/// A program that waits for something that never happens (an `Event` nobody sets): CPython's
/// `asyncio.run` waits forever. The prediction used to end quietly at that instant (makespan 0 ms,
/// nothing failed); it now stops the tasks still waiting, at their line, and says why.
#[test]
fn a_deadlocked_program_s_prediction_says_it_never_finishes() {
    let src = "import asyncio\n\nasync def waiter(e):\n    await e.wait()\n\nasync def main():\n    e = asyncio.Event()\n    t = asyncio.create_task(waiter(e))\n    await asyncio.sleep(0.1)\n    await t\n\nasyncio.run(main())\n";
    let s = Scenario::parse([("pattern", "code"), ("code", src)]).expect("a code scenario");
    let run = awaitlab::core::run::run_virtual(&s);
    // Its Run JSON reads back (an open span would be refused, as the page refused it).
    let run = awaitlab::core::run::Run::from_json(&run.to_json()).expect("a Run JSON that reads back");
    let cancels: Vec<(u32, String)> =
        run.events.iter().filter(|e| e.kind == Kind::Cancel).map(|e| (e.task, e.detail.to_string())).collect();
    assert_eq!(cancels, [(1, "a deadlock".to_string())], "the waiter's Event.wait span closes");
    let marks: Vec<(u32, Kind, String, u32)> = run
        .events
        .iter()
        .filter(|e| matches!(e.kind, Kind::Print | Kind::Failed))
        .map(|e| (e.task, e.kind, e.detail.to_string(), e.line))
        .collect();
    assert_eq!(
        marks,
        [
            // main() was last seen at its sleep (awaiting a task records nothing).
            (
                0,
                Kind::Print,
                "awaitlab stopped the program: a deadlock: no task can go on and no timer is due".to_string(),
                9
            ),
            (0, Kind::Failed, "stopped: a deadlock".to_string(), 9),
            (1, Kind::Failed, "stopped: a deadlock".to_string(), 4),
        ]
    );
    assert!(run.events.iter().all(|e| e.t <= 100.0 + 1e-9), "the marks come at the stall, 100 ms");
    assert_eq!(run.summary.failures, 2);
}
