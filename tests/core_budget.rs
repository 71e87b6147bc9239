//! The budget (src/core/budget.rs): every input gets a clear refusal or a correct result, fast,
//! with no panic; and the budget's bounds hold for the runs valid scenarios make.

mod common;

use std::time::{Duration, Instant};

use awaitlab::core::budget::{self, MAX_EVENTS};
use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::export::{chrome_trace, timeline_svg};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::{ClockKind, Scenario, DEFAULT_URL};
use awaitlab::core::timeline::{fit_window, ticks, ticks_between, Timeline};
use common::{pairs, scenario};
use serde_json::{json, Value};

fn refusal(query: &str) -> String {
    match Scenario::from_query(query) {
        Ok(s) => panic!("{query} was accepted as {s:?}"),
        Err(errors) => errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "),
    }
}

/// The Run JSON of `query`'s virtual run as a `Value`, to edit.
fn run_value(query: &str) -> Value {
    serde_json::from_str(&run_virtual(&scenario(query)).to_json()).unwrap()
}

fn import_error(v: &Value) -> String {
    Run::from_json(&v.to_string()).map(|_| String::new()).expect_err("refused")
}

#[test]
fn ticks_end_for_zero_subnormal_huge_and_non_finite_spans() {
    for span in [0.0, 5e-324, f64::MIN_POSITIVE, 1e-300, 1e300, f64::MAX, f64::INFINITY, f64::NAN, -1.0] {
        let t = ticks(span, 8);
        assert!(!t.is_empty() && t.len() <= 17, "ticks({span}): {} ticks", t.len());
        assert!(t.iter().all(|x| x.is_finite()), "ticks({span}): {t:?}");
    }
    for (from, to) in [(0.0, 5e-324), (1e300, 1.0000000001e300), (1e17, 1e17 + 16.0), (0.0, f64::MAX), (5.0, f64::NAN)]
    {
        let t = ticks_between(from, to, 8);
        assert!(!t.is_empty() && t.len() <= 17, "ticks_between({from}, {to}): {} ticks", t.len());
    }
    assert_eq!(ticks(1000.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0], "round spans are unchanged");
}

#[test]
fn zooming_an_axis_shorter_than_a_millisecond_does_not_panic() {
    assert_eq!(fit_window(0.1, 0.2, 0.4), None, "the whole axis is under 1 ms: nothing to zoom into");
    assert_eq!(fit_window(-50.0, 50.0, 400.0), Some((0.0, 100.0)));
    assert_eq!(fit_window(390.0, 390.5, 400.0), Some((390.0, 391.0)), "at least 1 ms wide");
    assert_eq!(fit_window(0.0, f64::NAN, 400.0), None);
}

#[test]
fn a_run_ending_at_a_subnormal_time_is_refused_or_drawn_without_panic() {
    let mut v = run_value("pattern=gather&tasks=2&min=0&max=0&clock=virtual");
    let last = v["events"].as_array().unwrap().len() - 1;
    v["events"][last]["t"] = json!(5e-324);
    assert!(import_error(&v).contains("event out of range"), "a virtual run of 0 ms tasks ends at 0");
    // Measured in a browser, a run of 0 ms tasks can end a little after 0.
    v["clock"] = json!("browser");
    v["scenario"]["params"]["clock"] = json!("browser");
    let run = Run::from_json(&v.to_string()).expect("a browser run may end late");
    let started = Instant::now();
    assert!(timeline_svg(&run).contains("</svg>"));
    assert!(chrome_trace(&run).contains("traceEvents"));
    assert!(run.timeline().extent().is_finite());
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_hundred_thousand_unknown_keys_are_refused_at_once_in_a_few_words() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("key{i}")).collect();
    let started = Instant::now();
    let (_, errors) = Scenario::parse_lenient(keys.iter().map(|k| (k.as_str(), "1")));
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    let text: usize = errors.iter().map(|e| e.message.len()).sum();
    assert!(text < 64 * 1024, "{text} bytes of errors");
    assert!(errors.last().unwrap().message.contains("more than 64 parameters"), "{:?}", errors.last());
    let long_key = "k".repeat(10_000);
    assert!(refusal(&format!("{long_key}=1")).contains("keys are at most 64"));
    assert!(refusal(&format!("url={}", "a".repeat(100_000))).contains("values are at most 4096"));
}

#[test]
fn scenarios_past_the_event_budget_are_refused_naming_it() {
    let q = "pattern=retry&clock=virtual&tasks=100000&fail=1&retries=20&min=1&max=1&delay=1&limit=1&hold=0";
    let started = Instant::now();
    let message = refusal(q);
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    assert!(message.contains(&format!("more than {MAX_EVENTS} events")), "{message}");
    // Real requests may all fail, whatever the plan: the worst case counts in the browser.
    let fetch = "pattern=retry&tasks=10000&retries=20&limit=3&hold=0&source=fetch&fail=0";
    assert!(refusal(fetch).contains("if every request failed"));
    // What worked before and stays: every pattern at 100,000 tasks but retries that fail a lot.
    for q in [
        "pattern=resource&tasks=100000&clock=virtual&limit=10",
        "pattern=pipeline&tasks=100000&clock=virtual&limit=10",
        "pattern=retry&tasks=100000&clock=virtual&retries=20&fail=0",
        "pattern=retry&tasks=100000&clock=virtual&fail=0.3&limit=10&hold=0",
        "pattern=retry&tasks=10000&retries=20&fail=1",
    ] {
        scenario(q);
    }
}

#[test]
fn an_imported_run_that_declares_many_tasks_exports_a_trace_as_small_as_its_events() {
    let mut v = run_value("pattern=gather&tasks=1&clock=virtual");
    v["scenario"]["params"]["tasks"] = json!(100_000);
    let run = Run::from_json(&v.to_string()).expect("a run may record fewer tasks than it declares");
    let started = Instant::now();
    let trace = chrome_trace(&run);
    assert!(trace.len() < 4_000, "{} bytes", trace.len());
    assert!(timeline_svg(&run).len() < 200_000);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn a_link_whose_first_url_lacks_id_opens_with_the_default_and_reopens() {
    let (s, errors) = Scenario::parse_lenient(pairs("source=fetch&url=x&url=y&tasks=2"));
    assert_eq!(s.url, DEFAULT_URL);
    assert!(errors.iter().any(|e| e.key == "url" && e.message.contains("{id}")), "{errors:?}");
    assert_eq!(Scenario::from_query(&s.to_query()), Ok(s));
}

#[test]
fn long_runs_import_back_the_same() {
    for q in [
        "pattern=sequential&tasks=145&min=600000&max=600000&clock=virtual",
        "pattern=timeout&tasks=3&min=600000&max=600000&timeout=600000&clock=virtual",
    ] {
        let run = run_virtual(&scenario(q));
        let text = run.to_json();
        let back = Run::from_json(&text).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(back.to_json(), text, "{q}");
    }
}

#[test]
fn a_run_file_over_fifty_mb_of_a_valid_scenario_imports_back() {
    let run = run_virtual(&scenario("pattern=retry&tasks=10000&fail=1&retries=20&clock=virtual"));
    let text = run.to_json();
    assert!(text.len() > 50_000_000, "{} bytes", text.len());
    let back = Run::from_json(&text).expect("imports");
    assert_eq!(back.events.len(), run.events.len());
    assert_eq!(back.summary, run.summary);
}

/// Floats written from bits that serde_json's default parser reads one unit off about one time in
/// nine (the issue saw 2,276 of 20,000 scenarios change).
fn awkward_floats(n: usize) -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

#[test]
fn every_float_survives_export_and_import_bit_for_bit() {
    for (i, x) in awkward_floats(300).into_iter().enumerate() {
        let q = format!(
            "pattern=retry&tasks=3&fail={x}&jitter={x}&factor={}&backoff=exponential&clock=virtual",
            1.0 + 9.0 * x
        );
        let s = scenario(&q);
        assert_eq!(s.fail.to_bits(), x.to_bits(), "the link's text reads back exactly");
        assert_eq!(scenario(&s.to_query()), s, "case {i}: link round trip");
        // A browser run's times are arbitrary floats.
        let mut events = run_virtual(&s).events;
        let mut t = 0.0;
        for e in &mut events {
            t += x * 3.7;
            e.t = t;
        }
        let run = Run::new(&s, ClockKind::Browser, events);
        let text = run.to_json();
        let back = Run::from_json(&text).unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_eq!(back.parsed_scenario().unwrap().fail.to_bits(), x.to_bits(), "case {i}");
        let bits = |r: &Run| r.events.iter().map(|e| e.t.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&run), "case {i}: event times");
        assert_eq!(back.to_json(), text);
    }
}

fn span(t: f64, task: u32, kind: Kind, phase: Phase) -> Value {
    json!({"t": t, "task": task, "attempt": if phase == Phase::Task { 0 } else { 1 }, "kind": kind, "phase": phase})
}

#[test]
fn inconsistent_events_are_refused_naming_the_problem() {
    let base = run_value("pattern=gather&tasks=2&min=100&max=100&clock=virtual");
    let with_events = |events: Vec<Value>| {
        let mut v = base.clone();
        v["events"] = Value::Array(events);
        import_error(&v)
    };
    use {Kind::*, Phase::*};
    let cases = [
        (vec![span(0.0, 0, Begin, Work)], "never ends"),
        (vec![span(0.0, 0, Begin, Work), span(0.0, 0, Begin, Work), span(100.0, 0, End, Work)], "twice"),
        (vec![span(100.0, 0, End, Work)], "never began"),
        (vec![span(0.0, 0, Begin, Work), span(0.0, 0, Begin, Acquire)], "two spans in flight"),
        (vec![span(100.0, 0, Done, Task), span(100.0, 0, Failed, Task)], "finishes twice"),
        (vec![span(100.0, 0, Done, Work)], "task-level event"),
        (vec![span(0.0, 5, Begin, Work)], "event out of range"),
        (vec![span(-1.0, 0, Begin, Work)], "event out of range"),
        (vec![span(100.5, 0, Done, Task)], "event out of range"),
    ];
    for (events, words) in cases {
        let e = with_events(events.clone());
        assert!(e.contains(words), "{events:?}: {e:?} should say {words:?}");
    }
    let mut v = base.clone();
    v["scenario"]["seed"] = json!(u64::MAX);
    assert!(import_error(&v).contains("scenario.seed"));
    let mut v = base.clone();
    v["events"][0]["attempt"] = json!(7);
    assert!(import_error(&v).contains("attempt 7"));
    let run = Run::from_json(&base.to_string()).unwrap();
    assert!(run.summary.peak_concurrency <= run.summary.tasks);
}

#[test]
fn whole_numbers_are_read_exactly_and_minus_zero_is_zero() {
    for q in [
        "seed=9007199254740990.6",
        "tasks=50.0000000000000001",
        "tasks=5e-1",
        "tasks=+5",
        "tasks=0x10",
        "seed=9007199254740992",
    ] {
        assert!(refusal(q).contains("whole number"), "{q}");
    }
    for (q, tasks) in
        [("tasks=50", 50), ("tasks=50.0", 50), ("tasks=5e1", 50), ("tasks=500e-1", 50), ("tasks=0050", 50)]
    {
        assert_eq!(scenario(q).tasks, tasks, "{q}");
    }
    assert_eq!(scenario("seed=9007199254740991").seed, (1 << 53) - 1);
    let s = scenario("fail=-0&pattern=retry");
    assert!(s.fail.is_sign_positive() && s.to_query().contains("fail=0&"), "{}", s.to_query());
}

#[test]
fn no_valid_run_exceeds_its_scenarios_bounds() {
    let queries = [
        "pattern=retry&tasks=40&fail=0.7&retries=6&limit=3&hold=0&delay=30&backoff=exponential&factor=3&jitter=0.5",
        "pattern=retry&tasks=40&fail=1&retries=4&limit=2&hold=1&delay=600000&backoff=exponential&factor=10",
        "pattern=semaphore&tasks=30&limit=1&min=0&max=600000",
        "pattern=resource&tasks=20&limit=4&fail=0.5&acquire=600000&release=3",
        "pattern=pipeline&tasks=20&limit=2&fail=0.5&process=600000&save=600000",
        "pattern=as_completed&tasks=30&process=600000&fail=0.2",
        "pattern=timeout&tasks=30&timeout=150&min=100&max=200",
        "pattern=sequential&tasks=30&fail=0.5",
        "pattern=race&tasks=30",
        "pattern=gather&errors=fail_fast&tasks=30&fail=0.2",
        "pattern=fallback&tasks=30&fail=0.5",
        "pattern=semaphore&preset=breakfast&limit=1",
    ];
    for q in queries {
        let s = scenario(&format!("{q}&clock=virtual"));
        let run = run_virtual(&s);
        assert!(
            run.events.len() as u64 <= budget::max_events(&s, ClockKind::Virtual),
            "{q}: {} events",
            run.events.len()
        );
        assert!(run.summary.makespan_ms <= budget::max_makespan_ms(&s), "{q}: {} ms", run.summary.makespan_ms);
        let back = Run::from_json(&run.to_json()).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(back, run, "{q}");
    }
}

#[test]
fn a_whole_run_left_open_is_drawn_up_to_its_last_event() {
    let events = vec![Event {
        t: 5.0,
        task: 0,
        attempt: 1,
        kind: Kind::Begin,
        phase: Phase::Work,
        detail: Default::default(),
        line: 0,
    }];
    let tl = Timeline::build(1, &events, f64::INFINITY);
    assert_eq!((tl.bars[0].end, tl.extent()), (5.0, 5.0));
}
