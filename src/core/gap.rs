//! Why a measured run differs from its prediction, in words a learner can check: timers that
//! fire late, the 4 ms clamp on nested timers, background-tab throttling.

use rustc_hash::FxHashMap;

use super::event::{Event, Kind, Phase};
use super::run::Summary;
use super::spans::{spans, Step};

/// A measured span counts as hit by the 4 ms clamp when it was planned shorter than this…
const CLAMP_MS: f64 = 4.0;
/// …and took at least this long.
const CLAMPED_AT_LEAST_MS: f64 = 3.5;
/// A timer this late means the page was throttled (a hidden tab runs timers about once a second).
const THROTTLED_MS: f64 = 500.0;

/// How the timed spans of a measured run compare with the same spans predicted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lateness {
    /// Timed spans (work and backoff) found in both runs.
    pub spans: u32,
    /// Mean of measured minus predicted duration, ms.
    pub mean_ms: f64,
    /// Largest measured minus predicted duration, ms.
    pub max_ms: f64,
    /// Spans planned under 4 ms that took at least 3.5 ms.
    pub clamped: u32,
}

/// How long each timed span (work, backoff) that ended with a result or an error took.
fn durations(events: &[Event]) -> FxHashMap<(u32, u32, Phase), f64> {
    let mut done = FxHashMap::default();
    for step in spans(events) {
        if let Step::Close { event: e, begin: Some(begin), .. } = step {
            if matches!(e.phase, Phase::Work | Phase::Backoff) && matches!(e.kind, Kind::End | Kind::Fail) {
                done.insert((e.task, e.attempt, e.phase), e.t - begin.t);
            }
        }
    }
    done
}

/// Compares the timed spans of `measured` with those of `predicted`.
pub fn lateness(predicted: &[Event], measured: &[Event]) -> Lateness {
    let planned = durations(predicted);
    let mut l = Lateness::default();
    let mut sum = 0.0;
    for (key, took) in durations(measured) {
        let Some(&plan) = planned.get(&key) else { continue };
        let late = took - plan;
        l.spans += 1;
        sum += late;
        l.max_ms = l.max_ms.max(late);
        if plan < CLAMP_MS && took >= CLAMPED_AT_LEAST_MS {
            l.clamped += 1;
        }
    }
    if l.spans > 0 {
        l.mean_ms = sum / f64::from(l.spans);
    }
    l
}

/// The causes this comparison points to, as sentences (empty when the run kept to the plan).
pub fn causes(l: &Lateness) -> Vec<String> {
    let mut out = Vec::new();
    if l.spans == 0 {
        return out;
    }
    if l.max_ms >= THROTTLED_MS {
        out.push(format!(
            "A timer fired {:.0} ms late: the page was probably in a background tab (browsers run its timers about once a second) or the machine was very busy.",
            l.max_ms
        ));
    }
    if l.clamped > 0 {
        out.push(format!(
            "{} sleep{} planned under 4 ms took at least 4 ms: browsers clamp timers nested five deep to 4 ms.",
            l.clamped,
            if l.clamped == 1 { "" } else { "s" }
        ));
    }
    if l.mean_ms >= 0.05 {
        out.push(format!(
            "On average each sleep ended {:.1} ms after its planned time (at most {:.1} ms): a timer never fires early, and its callback waits for the event loop to be free.",
            l.mean_ms, l.max_ms
        ));
    }
    out
}

/// A run's tasks by how they ended, when not with a result.
fn outcome_counts(s: &Summary) -> [(u32, &'static str); 3] {
    [(s.cancelled, "cancelled"), (s.timed_out, "timed out"), (s.failed_on_their_own(), "failed")]
}

/// Whether the two runs' tasks ended differently (cancelled, timed out or failed).
pub fn outcomes_differ(predicted: &Summary, measured: &Summary) -> bool {
    outcome_counts(predicted).map(|c| c.0) != outcome_counts(measured).map(|c| c.0)
}

/// Why the measured run's outcomes differ from the prediction's, when they do (a sleep run: its
/// plan is the same on both clocks, so only timing can change them).
pub fn outcomes(predicted: &Summary, measured: &Summary) -> Option<String> {
    if !outcomes_differ(predicted, measured) {
        return None;
    }
    let (p, m) = (outcome_counts(predicted), outcome_counts(measured));
    let differ: Vec<usize> = (0..p.len()).filter(|&i| p[i].0 != m[i].0).collect();
    let list =
        |c: &[(u32, &str); 3]| differ.iter().map(|&i| format!("{} {}", c[i].0, c[i].1)).collect::<Vec<_>>().join(", ");
    Some(format!(
        "The measured run ended with {} where the prediction has {}: its timers fired a little late, and when two of them are due within a few ms of each other (a task's end and a deadline, one task's failure and another's end), a late one can change which comes first, and with it what is cancelled or times out.",
        list(&m),
        list(&p)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(task: u32, start: f64, end: f64) -> [Event; 2] {
        let e = |t, kind| Event { t, task, attempt: 1, kind, phase: Phase::Work, detail: Default::default(), line: 0 };
        [e(start, Kind::Begin), e(end, Kind::End)]
    }

    #[test]
    fn late_timers_clamped_sleeps_and_throttling_are_named() {
        let predicted: Vec<Event> = [span(0, 0.0, 100.0), span(1, 100.0, 101.0)].concat();
        let measured: Vec<Event> = [span(0, 0.2, 101.4), span(1, 101.4, 105.6)].concat();
        let l = lateness(&predicted, &measured);
        assert_eq!((l.spans, l.clamped), (2, 1));
        assert!((l.mean_ms - 2.2).abs() < 1e-9, "{l:?}");
        let text = causes(&l).join(" ");
        assert!(text.contains("clamp timers nested five deep"), "{text}");
        assert!(text.contains("2.2 ms after its planned time (at most 3.2 ms)"), "{text}");
        assert!(!text.contains("background tab"));

        let hidden = lateness(&predicted, &[span(0, 0.0, 1_100.0), span(1, 1_100.0, 1_101.0)].concat());
        assert!(causes(&hidden)[0].contains("background tab"));
    }

    #[test]
    fn outcomes_that_timing_changed_are_named_with_both_counts() {
        let predicted = Summary { tasks: 6, failures: 6, cancelled: 5, ..Summary::default() };
        let measured = Summary { tasks: 6, failures: 5, cancelled: 4, ..Summary::default() };
        let text = outcomes(&predicted, &measured).expect("a note");
        assert!(
            text.starts_with("The measured run ended with 4 cancelled where the prediction has 5 cancelled:"),
            "{text}"
        );
        assert_eq!(outcomes(&predicted, &predicted), None);
    }

    #[test]
    fn a_run_on_time_needs_no_explanation() {
        let events: Vec<Event> = span(0, 0.0, 50.0).to_vec();
        assert!(causes(&lateness(&events, &events)).is_empty());
    }
}
