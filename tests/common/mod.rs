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
