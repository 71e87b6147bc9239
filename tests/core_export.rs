//! Exports of a run: the Run JSON reads back as the same run (so its replay is identical), the
//! Chrome trace is Trace Event JSON with a track per task and a concurrency counter, and the SVG
//! stands alone with its text escaped.

mod common;

use awaitlab::core::export::{chrome_trace, timeline_svg};
use awaitlab::core::replay::Replay;
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::timeline::LabelPlace::{At, Left, Right};
use common::scenario;
use serde_json::Value;

#[test]
fn run_json_reads_back_as_the_same_run_and_replays_identically() {
    for query in [
        "pattern=gather&tasks=8&seed=3&clock=virtual",
        "pattern=retry&tasks=5&fail=0.5&retries=3&seed=11&clock=virtual",
        "pattern=semaphore&tasks=9&limit=3&seed=2&clock=virtual",
        "preset=breakfast&pattern=gather&clock=virtual",
    ] {
        let run = run_virtual(&scenario(query));
        let back = Run::from_json(&run.to_json()).expect(query);
        assert_eq!(back, run, "{query}");
        let (mut a, mut b) = (Replay::new(&run.events), Replay::new(&back.events));
        a.play();
        b.play();
        for _ in 0..50 {
            a.tick(17.0);
            b.tick(17.0);
            assert_eq!((a.cursor, a.position), (b.cursor, b.position));
        }
    }
}

#[test]
fn chrome_trace_has_a_track_per_task_spans_in_microseconds_and_a_concurrency_counter() {
    let run = run_virtual(&scenario("pattern=semaphore&tasks=4&limit=2&min=100&max=100&clock=virtual"));
    let trace: Value = serde_json::from_str(&chrome_trace(&run)).expect("JSON");
    let events = trace["traceEvents"].as_array().expect("traceEvents array");
    let threads: Vec<(u64, String)> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| (e["tid"].as_u64().unwrap(), e["args"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(threads, (0..4).map(|t| (t + 1, format!("task {t}"))).collect::<Vec<_>>());
    let work: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X" && e["name"] == "work").collect();
    assert_eq!(work.len(), 4);
    for w in &work {
        assert_eq!(w["dur"].as_f64(), Some(100_000.0), "100 ms is 100000 µs");
        assert_eq!(w["pid"], 1);
        assert_eq!(w["args"]["attempt"], 1);
        assert_eq!(w["args"]["outcome"], "end");
    }
    // Tasks 2 and 3 waited for a permit for 100 ms.
    assert!(events.iter().any(|e| e["ph"] == "X" && e["name"] == "wait" && e["dur"].as_f64() == Some(100_000.0)));
    let done = events.iter().filter(|e| e["ph"] == "i" && e["name"] == "done").count();
    assert_eq!(done, 4);
    let counter: Vec<(f64, u64)> = events
        .iter()
        .filter(|e| e["ph"] == "C" && e["name"] == "concurrency")
        .map(|e| (e["ts"].as_f64().unwrap(), e["args"]["in_flight"].as_u64().unwrap()))
        .collect();
    assert_eq!(counter.first(), Some(&(0.0, 2)));
    assert_eq!(counter.iter().map(|c| c.1).max(), Some(2));
    assert_eq!(counter.last().map(|c| c.1), Some(0));
    // Every event has the fields the Trace Event format requires.
    for e in events {
        assert!(e["ph"].is_string() && e["pid"].is_u64() && e["name"].is_string(), "{e}");
        if e["ph"] != "M" {
            assert!(e["ts"].is_number(), "{e}");
        }
    }
}

#[test]
fn retries_and_failures_show_as_attempts_and_failed_instants_in_the_trace() {
    let run = run_virtual(&scenario("pattern=retry&tasks=6&fail=0.6&retries=2&seed=5&clock=virtual"));
    let trace: Value = serde_json::from_str(&chrome_trace(&run)).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let failed_attempts =
        events.iter().filter(|e| e["ph"] == "X" && e["name"] == "work" && e["args"]["outcome"] == "fail").count();
    assert_eq!(failed_attempts as u32, run.summary.failed_attempts);
    let failed = events.iter().filter(|e| e["ph"] == "i" && e["name"] == "failed").count();
    assert_eq!(failed as u32, run.summary.failures);
}

#[test]
fn the_svg_stands_alone_with_inline_styles_and_escaped_text() {
    let run = run_virtual(&scenario("pattern=gather&tasks=3&seed=1&clock=virtual"));
    let svg = timeline_svg(&run);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(!svg.contains("class="), "no stylesheet needed");
    assert!(svg.matches("<rect").count() >= 3 + 2);
    let mut hostile = run.clone();
    hostile.labels = vec!["<script>alert(1)</script>".into(), "a & b".into(), "\"q\"".into()];
    let svg = timeline_svg(&hostile);
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(svg.contains("a &amp; b"));
}

#[test]
fn the_svg_draws_the_planned_rest_of_cancelled_work_and_an_axis_that_reaches_it() {
    // Seed 4: task 4 wins at 106 ms; the other five were planned to run up to 390 ms.
    let run = run_virtual(&scenario("pattern=race&tasks=6&min=100&max=400&seed=4&clock=virtual"));
    let svg = timeline_svg(&run);
    assert_eq!(svg.matches("stroke-dasharray=\"3 2\"").count(), 5, "one planned rest per cancelled task");
    assert_eq!(svg.matches("planned to run until").count(), 5);
    let longest = run.timeline().extent();
    assert!(longest > 300.0, "{longest}");
    assert!(svg.contains(">400 ms</text>"), "the axis reaches past the longest planned end: {longest} ms");
    // A gather cancels nothing: no planned rest.
    assert!(!timeline_svg(&run_virtual(&scenario("pattern=gather&tasks=3&seed=1&clock=virtual")))
        .contains("planned to run"));
}

/// Failures are not told by colour alone: each failed, cancelled or timed-out bar ends in the
/// page's mark (`end_mark_path`), and the legend lists those states with their marks.
#[test]
fn the_svg_marks_failures_with_the_pages_shapes_and_lists_them_in_its_legend() {
    use awaitlab::core::event::Kind;
    let run = run_virtual(&scenario("pattern=retry&tasks=4&fail=0.5&retries=2&min=100&max=100&seed=4&clock=virtual"));
    let failed = run.timeline().bars.iter().filter(|b| b.close == Some(Kind::Fail)).count();
    assert!(failed > 0);
    let svg = timeline_svg(&run);
    let marks = svg.matches("<path d=\"M").count() - 1; // the concurrency strip is a path too
    assert_eq!(marks, failed + 1, "a × per failed attempt, and one in the legend");
    assert!(svg.contains(">failed</text>"), "the legend names the state");
    // A race's losers are cancelled: a slash each, and the legend says so.
    let race = timeline_svg(&run_virtual(&scenario("pattern=race&tasks=6&min=100&max=400&seed=4&clock=virtual")));
    assert!(race.contains(">cancelled</text>"));
    assert!(!race.contains(">failed</text>"));
}

/// `awaitlab:finished` (and `awaitlab.summary()`) report a measured run's milliseconds to the
/// microsecond, without the float noise of sums of clock readings (`707.2`, not
/// `707.2000000001863`), in the summary's documented shape; the Run JSON keeps what was recorded.
#[test]
fn the_finished_message_reports_milliseconds_without_float_noise_and_the_run_json_keeps_them() {
    use awaitlab::core::message::finished;
    use awaitlab::core::scenario::ClockKind;
    let s = scenario("pattern=semaphore&tasks=6&limit=2&seed=5");
    // Times as a browser measures them: differences of `performance.now()` readings.
    let start = 81_234.567_891;
    let mut events = run_virtual(&s).events;
    for (i, e) in events.iter_mut().enumerate() {
        e.t = (start + e.t + 0.1 * i as f64) - start;
    }
    let run = Run::new(&s, ClockKind::Browser, events);
    let noisy = |v: f64| format!("{v}").split('.').nth(1).is_some_and(|d| d.len() > 3);
    assert!(noisy(run.summary.makespan_ms) || noisy(run.summary.busy_ms), "{:?}", run.summary);

    let message = finished(3, &run);
    assert_eq!(
        (message["type"].as_str(), message["run"].as_u64(), message["clock"].as_str()),
        (Some("awaitlab:finished"), Some(3), Some("browser"))
    );
    let summary = &message["summary"];
    let recorded: Value = serde_json::from_str(&run.to_json()).expect("json");
    let keys = |v: &Value| v.as_object().expect("an object").keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(summary), keys(&recorded["summary"]), "the documented shape: the Run JSON's summary");
    for key in ["makespan_ms", "busy_ms"] {
        let (reported, exact) = (summary[key].as_f64().expect(key), recorded["summary"][key].as_f64().expect(key));
        assert!(!noisy(reported) && (reported - exact).abs() <= 0.0005, "{key}: {reported} for {exact}");
    }
    assert_eq!(summary["peak_concurrency"], recorded["summary"]["peak_concurrency"]);
    // The Run JSON is unchanged: its events and summary read back bit for bit.
    let back = Run::from_json(&run.to_json()).expect("reads back");
    assert_eq!(back.events, run.events);
    assert_eq!(back.summary.busy_ms.to_bits(), run.summary.busy_ms.to_bits());
}

/// The permit limit is drawn as the page draws it: a dashed line labelled `limit N` in the strip
/// (on the page's scale, `Timeline::strip_scale`). A run without a limit has none. Before,
/// the SVG of a retry under `limit=2` had no limit at all.
#[test]
fn the_svg_draws_the_permit_limit_in_its_strip_as_the_page_does() {
    let svg = timeline_svg(&run_virtual(&scenario("pattern=retry&tasks=6&limit=2&fail=0.4&seed=3&clock=virtual")));
    assert_eq!(svg.matches(">limit 2</text>").count(), 1, "{svg}");
    assert_eq!(svg.matches("stroke-dasharray=\"5 3\"").count(), 1);
    let semaphore = timeline_svg(&run_virtual(&scenario("pattern=semaphore&tasks=5&limit=3&seed=2&clock=virtual")));
    assert!(semaphore.contains(">limit 3</text>"), "the semaphore's own limit");
    assert!(!timeline_svg(&run_virtual(&scenario("pattern=gather&tasks=3&seed=1&clock=virtual"))).contains(">limit "));
}

/// The limit's label goes where the curve leaves it room, as on the page
/// (`Timeline::limit_label_place`): a semaphore's curve runs along the limit's line from the start
/// and steps down from it at the end, where the label sat over the steps.
#[test]
fn the_limit_label_sits_clear_of_the_curve_s_steps() {
    let run = run_virtual(&scenario("pattern=semaphore&tasks=8&limit=3&clock=virtual"));
    let tl = run.timeline();
    // [(0, 3), (153, 3), … (481, 3), (726, 2), (755, 1), (780, 0)]: along the line, then down.
    assert_eq!((tl.peak(), tl.end), (3, 780.0));
    // The label 60 ms wide: at the left, where the curve is flat on the line, not over the steps.
    assert_eq!(tl.limit_label_place(3, (5.0, 65.0), (740.0, 800.0)), Left);
    let svg = timeline_svg(&run);
    let label = svg.split("<text").find(|t| t.contains(">limit 3</text>")).expect("a label");
    assert!(label.contains("text-anchor=\"start\"") && label.contains(" x=\"144.00\""), "{label}");
    // The curve above the line at the left (under a retry's hold=0 more than the limit can be
    // in flight), or changing there: the right.
    let mut other = run.timeline();
    other.concurrency = vec![(0.0, 5), (100.0, 3), (500.0, 3), (550.0, 0)];
    assert_eq!(other.limit_label_place(3, (0.0, 60.0), (740.0, 800.0)), Right);
    // … and where the right changes too, past the last change over the line (7.5 ms: 60 / 8).
    assert_eq!(other.limit_label_place(3, (0.0, 60.0), (540.0, 600.0)), At(107.5));
    assert_eq!(other.limit_label_place(4, (0.0, 60.0), (540.0, 600.0)), At(107.5));
    other.concurrency = vec![(0.0, 1), (20.0, 2), (40.0, 3), (700.0, 0)];
    assert_eq!(other.limit_label_place(3, (0.0, 60.0), (740.0, 800.0)), Right);
    // A measured run's tasks start a little apart, before the label begins (4 px in).
    other.concurrency = vec![(0.1, 1), (0.2, 2), (0.3, 3), (726.0, 2), (755.0, 1), (780.0, 0)];
    assert_eq!(other.limit_label_place(3, (5.0, 65.0), (740.0, 800.0)), Left);
    // A measured run's permit changing hands 0.1 ms apart dips the curve under both ends: the
    // label goes past the first change after which the curve stays clear under it, by 7.5 ms
    // (60 / 8): 97.6, past the dip at 90–90.1 ms.
    other.concurrency = vec![(0.0, 3), (40.0, 2), (40.1, 3), (90.0, 2), (90.1, 3), (726.0, 2), (755.0, 1), (780.0, 0)];
    assert_eq!(other.limit_label_place(3, (5.0, 65.0), (740.0, 800.0)), At(97.6));
    // Tasks starting 0.3 and 5 ms in, the label's left span (0, 60) covering both: past the
    // second, not 2.8 ms after it (7.5 ms past the first), where the step stood at its first letter.
    other.concurrency = vec![(0.3, 1), (5.0, 2), (5.0, 3), (726.0, 2), (755.0, 1), (780.0, 0)];
    assert_eq!(other.limit_label_place(3, (0.0, 60.0), (740.0, 800.0)), At(12.5));
    // No clear span between the ends: the end with fewer changes (12 under the left, 10 under
    // the right); where the dips stop after 70 ms, past them.
    let dips: Vec<(f64, u32)> =
        (0..80).flat_map(|i| [(f64::from(i) * 10.0, 2), (f64::from(i) * 10.0 + 0.1, 3)]).collect();
    other.concurrency = dips.clone();
    assert_eq!(other.limit_label_place(3, (5.0, 65.0), (740.0, 800.0)), Right);
    other.concurrency = [dips, vec![(795.0, 0)]].concat();
    other.concurrency.retain(|c| c.0 <= 70.0 || c.0 >= 790.0);
    assert_eq!(other.limit_label_place(3, (5.0, 65.0), (740.0, 800.0)), At(77.5));
    // A window starts where it starts: zoomed in past the first 100 ms, the left is fine.
    other.concurrency = vec![(0.0, 5), (100.0, 3), (500.0, 3), (550.0, 0)];
    assert_eq!(other.limit_label_place(3, (200.0, 260.0), (540.0, 600.0)), Left);
}
