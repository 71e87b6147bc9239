//! scripts/asyncio_reference.py lists awaitlab queries with the makespan awaitlab predicts for
//! them, beside CPython's measured one. Those predictions must be what the virtual clock gives.

mod common;

use common::predict;

#[test]
fn the_asyncio_reference_scripts_predictions_match_the_virtual_clock() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/asyncio_reference.py");
    let script = std::fs::read_to_string(path).expect("read the reference script");
    let mut checked = 0;
    for line in script.lines().map(str::trim).filter(|l| l.starts_with("(\"pattern=")) {
        // ("pattern=...&...", 400),
        let (query, rest) = line[2..].split_once("\", ").expect("(\"query\", ms)");
        let predicted: f64 = rest.trim_end_matches("),").parse().expect("a number of ms");
        assert_eq!(predict(query).summary.makespan_ms, predicted, "{query}");
        checked += 1;
    }
    assert!(checked >= 4, "expected the canonical scenarios, found {checked}");
}
