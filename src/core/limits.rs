//! Limits the browser imposes without saying so, detected from a measured run's events.
//!
//! Chromium opens at most 6 connections per host over HTTP/1.1; further requests to that host
//! wait, unseen, for one to free up: a hidden semaphore. A fetch run shows it as many requests in
//! flight while only 6 are ever being *served* at once. A request's service time is estimated as
//! the last `planned` milliseconds before it ended (the mock API and the test server answer after
//! the planned duration, which the request carries as `ms`), so waiting in the browser's queue
//! does not count as being served. Only the middle half of that estimate is used: a busy page
//! reads a response late, which shifts the estimate later by up to a quarter of it without
//! inventing overlaps that did not happen.

use super::event::{Event, Kind};
use super::scenario::{Scenario, Source};
use super::spans::{spans, Step};

/// Chromium's connections per host over HTTP/1.1.
pub const HTTP1_CONNECTIONS_PER_HOST: u32 = 6;

/// What the gap note says when a run hits the limit.
pub const HTTP1_LIMIT_NOTE: &str = "Chromium allows 6 connections per host over HTTP/1.1: a hidden semaphore. \
     More requests were in flight, but only 6 were ever being served at once; the rest queued inside the browser.";

/// Peak concurrency of a fetch run's requests, seen two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestConcurrency {
    /// Most requests started and not yet finished at once (what the code asked for).
    pub in_flight: u32,
    /// Most requests being served at once, each taken as the planned duration before it ended.
    pub served: u32,
}

fn peak(mut points: Vec<(f64, i32)>) -> u32 {
    // Ends before starts at the same instant: touching intervals do not overlap.
    points.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut best) = (0i64, 0i64);
    for (_, d) in points {
        now += i64::from(d);
        best = best.max(now);
    }
    best as u32
}

/// The request concurrency of a `source=fetch` run (`None` for other sources). Requests are the
/// `work` and `fetch` spans; only those that ended with a response (`end` or `fail`) have a
/// service time, and only those that took at least 3/4 of their planned time (an endpoint that
/// ignores `ms` says nothing about connections).
pub fn request_concurrency(scenario: &Scenario, events: &[Event]) -> Option<RequestConcurrency> {
    if scenario.source != Source::Fetch {
        return None;
    }
    let workload = scenario.workload();
    let (mut flight, mut served) = (Vec::new(), Vec::new());
    for step in spans(events) {
        let Step::Close { event: e, begin: Some(begin), .. } = step else { continue };
        if !e.phase.is_planned_work() {
            continue;
        }
        let begin = begin.t;
        flight.extend([(begin, 1), (e.t, -1)]);
        if matches!(e.kind, Kind::End | Kind::Fail) && e.task < workload.len() {
            let planned = f64::from(workload.attempt(e.task, e.attempt.max(1)).duration_ms);
            let (from, to) = (e.t - 0.75 * planned, e.t - 0.25 * planned);
            if planned > 0.0 && from >= begin {
                served.extend([(from, 1), (to, -1)]);
            }
        }
    }
    Some(RequestConcurrency { in_flight: peak(flight), served: peak(served) })
}

/// The note to show when a measured fetch run hit the browser's per-host connection limit: only
/// 6 requests served at once while more were in flight.
pub fn hidden_limit_note(scenario: &Scenario, events: &[Event]) -> Option<&'static str> {
    let c = request_concurrency(scenario, events)?;
    (c.served == HTTP1_CONNECTIONS_PER_HOST && c.in_flight > HTTP1_CONNECTIONS_PER_HOST).then_some(HTTP1_LIMIT_NOTE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::event::Phase;

    fn scenario(tasks: u32) -> Scenario {
        let q = format!("pattern=gather&tasks={tasks}&min=200&max=200&source=fetch");
        Scenario::from_query(&q).unwrap()
    }

    /// `tasks` requests of 200 ms all started at 0, served `per_round` at a time.
    fn rounds(tasks: u32, per_round: u32) -> Vec<Event> {
        rounds_read_late(tasks, per_round, |_| 0.0)
    }

    /// As [`rounds`], each response read `late(task)` ms after it arrived (a busy page).
    fn rounds_read_late(tasks: u32, per_round: u32, late: impl Fn(u32) -> f64) -> Vec<Event> {
        let mut events = Vec::new();
        for task in 0..tasks {
            events.push(Event {
                t: 0.1,
                task,
                attempt: 1,
                kind: Kind::Begin,
                phase: Phase::Work,
                detail: Default::default(),
                line: 0,
            });
        }
        for task in 0..tasks {
            let t = 201.0 * f64::from(task / per_round + 1) + f64::from(task % per_round) * 0.3 + late(task);
            events.push(Event {
                t,
                task,
                attempt: 1,
                kind: Kind::End,
                phase: Phase::Work,
                detail: Default::default(),
                line: 0,
            });
        }
        events.sort_by(|a, b| a.t.total_cmp(&b.t));
        events
    }

    #[test]
    fn six_served_while_twenty_four_in_flight_is_the_hidden_limit() {
        let c = request_concurrency(&scenario(24), &rounds(24, 6)).unwrap();
        assert_eq!(c, RequestConcurrency { in_flight: 24, served: 6 });
        assert_eq!(hidden_limit_note(&scenario(24), &rounds(24, 6)), Some(HTTP1_LIMIT_NOTE));
    }

    #[test]
    fn responses_read_late_on_a_busy_page_still_show_six() {
        // Up to 45 ms late, differently for each request (under 1/4 of 200 ms).
        let events = rounds_read_late(24, 6, |t| f64::from((t * 37) % 46));
        assert_eq!(request_concurrency(&scenario(24), &events).unwrap().served, 6);
        assert_eq!(hidden_limit_note(&scenario(24), &events), Some(HTTP1_LIMIT_NOTE));
    }

    #[test]
    fn an_endpoint_that_ignores_the_planned_time_says_nothing() {
        let mut events = rounds(24, 6);
        for e in &mut events {
            if e.kind == Kind::End {
                e.t /= 4.0;
            }
        }
        assert_eq!(hidden_limit_note(&scenario(24), &events), None);
    }

    #[test]
    fn all_served_at_once_is_not_limited() {
        let c = request_concurrency(&scenario(24), &rounds(24, 24)).unwrap();
        assert_eq!(c, RequestConcurrency { in_flight: 24, served: 24 });
        assert_eq!(hidden_limit_note(&scenario(24), &rounds(24, 24)), None);
    }

    #[test]
    fn six_requests_or_a_sleep_run_say_nothing() {
        assert_eq!(hidden_limit_note(&scenario(6), &rounds(6, 6)), None);
        let mut sleep = scenario(24);
        sleep.source = Source::Sleep;
        assert_eq!(request_concurrency(&sleep, &rounds(24, 6)), None);
    }
}
