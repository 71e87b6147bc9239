//! What the test files share: a scenario from a query string, as a link writes it. A test file
//! that uses it says `mod common;` (each file uses a part, hence the `dead_code` allowance).
#![allow(dead_code)]

pub mod python;

use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::Scenario;

/// The scenario `query` (`key=value&...`, as [`Scenario::to_query`] writes it) describes;
/// panics naming the query and every error if it is not valid.
pub fn scenario(query: &str) -> Scenario {
    Scenario::from_query(query).unwrap_or_else(|e| panic!("{query}: {e:?}"))
}

/// The predicted run (virtual clock) of the scenario `query` describes.
pub fn predict(query: &str) -> Run {
    run_virtual(&scenario(query))
}

/// `query`'s `(key, value)` pairs, undecoded: for [`Scenario::parse_lenient`] and for tests that
/// hand the parser a pair as it is.
pub fn pairs(query: &str) -> Vec<(&str, &str)> {
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect()
}

/// Patterns and error modes with failures, backoffs, permits, deadlines and cancellations: the
/// scenarios whose generated Python is run by CPython (core_code_python) and by awaitlab's own
/// interpreter (core_py_interp).
pub const PYTHON_SCENARIOS: &[&str] = &[
    "pattern=retry&retries=3&delay=30&backoff=exponential&factor=2&jitter=0.5&tasks=5&fail=0.5&min=20&max=80&seed=4",
    "pattern=retry&retries=3&delay=25&tasks=5&fail=0.5&min=20&max=60&limit=2&hold=0&seed=2",
    "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=20&max=80&seed=3",
    "pattern=timeout&timeout=60&tasks=6&fail=0.2&min=20&max=120&seed=5",
    "pattern=race&tasks=5&min=20&max=120&seed=6",
    "pattern=as_completed&process=20&tasks=5&fail=0.3&min=20&max=120&seed=7",
    "pattern=gather&errors=fail_fast&tasks=6&fail=0.3&min=20&max=120&seed=8",
    "pattern=gather&errors=raise&tasks=5&fail=0.3&min=20&max=120&seed=8",
    "pattern=sequential&tasks=4&fail=0.3&min=20&max=60&seed=9",
    "pattern=fallback&tasks=5&fail=0.5&min=20&max=120&seed=10",
    "pattern=resource&acquire=20&release=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=11",
    "pattern=pipeline&process=20&save=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=12",
];

/// `what_if` cancels in every pattern (a task cancelled while it works, waits for a permit, backs
/// off, acquires, processes; at 0 ms; after its time has passed, in a sequence; before a
/// TaskGroup's error; in a race before any finish): run by CPython (core_code_python) and by
/// awaitlab's interpreter (core_py_interp: `cancellable`'s `loop.call_later(left, task.cancel)`).
pub const PYTHON_WHAT_IF_SCENARIOS: &[&str] = &[
    "pattern=gather&tasks=4&min=20&max=120&seed=1&what_if=0:cancel@0,2:cancel@60",
    "pattern=gather&errors=fail_fast&tasks=6&fail=0.3&min=20&max=120&seed=8&what_if=2:cancel@30",
    "pattern=gather&errors=raise&tasks=5&fail=0.3&min=20&max=120&seed=8&what_if=0:cancel@50,3:cancel@100",
    "pattern=semaphore&limit=2&tasks=6&fail=0.3&min=20&max=80&seed=3&what_if=3:cancel@100,5:cancel@50",
    "pattern=retry&retries=3&delay=30&backoff=exponential&factor=2&jitter=0.5&tasks=5&fail=0.5&min=20&max=80&seed=4&what_if=0:cancel@70",
    "pattern=fallback&tasks=5&fail=0.5&min=20&max=120&seed=10&what_if=0:cancel@90",
    "pattern=resource&acquire=20&release=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=11&what_if=1:cancel@50,3:cancel@100",
    "pattern=pipeline&process=20&save=10&limit=2&tasks=4&fail=0.3&min=20&max=60&seed=12&what_if=2:cancel@75",
    "pattern=timeout&timeout=60&tasks=6&fail=0.2&min=20&max=120&seed=5&what_if=0:cancel@40,5:cancel@20",
    "pattern=race&tasks=5&min=20&max=120&seed=6&what_if=0:cancel@10",
    "pattern=as_completed&process=20&tasks=5&fail=0.3&min=20&max=120&seed=7&what_if=1:cancel@100",
    "pattern=sequential&tasks=4&fail=0.3&min=20&max=60&seed=9&what_if=1:cancel@70,3:cancel@100",
];
