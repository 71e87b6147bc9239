//! Hostile and broken Run JSON: every case gets a clear error (never a panic), and good runs
//! with odd text are kept as data. The UI renders labels and details only as text (Yew escapes
//! them), so a script string in a run never runs.

mod common;

use awaitlab::core::export::{chrome_trace, timeline_svg};
use awaitlab::core::run::{run_virtual, Run, MAX_RUN_BYTES};
use awaitlab::core::scenario::Scenario;
use serde_json::{json, Value};

fn good() -> Value {
    let s = Scenario::parse([("pattern", "gather"), ("tasks", "3"), ("seed", "4"), ("clock", "virtual")]).unwrap();
    serde_json::from_str(&run_virtual(&s).to_json()).unwrap()
}

fn good_run() -> Run {
    Run::from_json(&good().to_string()).unwrap()
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut v = good();
    f(&mut v);
    v.to_string()
}

/// `(case, input, words the error must contain)`.
fn corpus() -> Vec<(&'static str, String, &'static str)> {
    let text = good().to_string();
    vec![
        ("empty file", String::new(), "not valid JSON"),
        ("not JSON", "hello".into(), "not valid JSON"),
        ("truncated JSON", text[..text.len() / 2].to_string(), "not valid JSON"),
        ("a JSON array", "[1,2,3]".into(), "not a JSON object"),
        ("a JSON string", "\"<script>alert(1)</script>\"".into(), "not a JSON object"),
        (
            "no format",
            with(|v| {
                v.as_object_mut().unwrap().remove("format");
            }),
            "no \"format\"",
        ),
        ("other format", with(|v| v["format"] = json!("perfetto")), "format is \"perfetto\""),
        ("unknown version", with(|v| v["version"] = json!(99)), "version 99 is newer"),
        ("version 0", with(|v| v["version"] = json!(0)), "version 0"),
        ("version as text", with(|v| v["version"] = json!("1")), "version must be a whole number"),
        ("negative version", with(|v| v["version"] = json!(-1)), "version must be a whole number"),
        ("NaN literal", text.replacen("\"t\":0", "\"t\":NaN", 1), "not valid JSON"),
        ("huge number", text.replacen("\"t\":0", "\"t\":1e400", 1), "not valid JSON"),
        ("huge but finite time", with(|v| v["events"][0]["t"] = json!(1e300)), "event out of range"),
        ("negative time", with(|v| v["events"][0]["t"] = json!(-5)), "event out of range"),
        ("task out of range", with(|v| v["events"][0]["task"] = json!(7)), "event out of range"),
        ("task too big for u32", with(|v| v["events"][0]["task"] = json!(1u64 << 40)), "not a valid run"),
        ("unknown kind", with(|v| v["events"][0]["kind"] = json!("explode")), "not a valid run"),
        ("event as string", with(|v| v["events"][0] = json!("<img src=x onerror=alert(1)>")), "not a valid run"),
        ("events not a list", with(|v| v["events"] = json!({"a": 1})), "not a valid run"),
        (
            "events out of order",
            with(|v| {
                let evs = v["events"].as_array_mut().unwrap();
                let last = evs.len() - 1;
                evs.swap(0, last);
            }),
            "out of order",
        ),
        ("bad scenario param", with(|v| v["scenario"]["params"]["tasks"] = json!(-3)), "tasks"),
        (
            "script in a param",
            with(|v| v["scenario"]["params"]["pattern"] = json!("<script>alert(1)</script>")),
            "pattern",
        ),
        ("NaN fail in params", with(|v| v["scenario"]["params"]["fail"] = json!("NaN")), "fail"),
        ("wrong label count", with(|v| v["labels"] = json!(["a"])), "lane labels"),
        ("huge label", with(|v| v["labels"] = json!(["x".repeat(20_000), "b", "c"])), "at most"),
        // Valid JSON, skipped without recursion (no stack to overflow), and not a run.
        ("deep nesting", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), "not a JSON object"),
        // Nesting in a field awaitlab skips is skipped without recursion; in one it reads, it is
        // refused at the first level that has the wrong type.
        (
            "deep nesting in a skipped field",
            with(|v| v["scenario"]["params"]["url"] = json!("")).replacen(
                '{',
                &format!("{{\"extra\":{}1{},", "[".repeat(100_000), "]".repeat(100_000)),
                1,
            ),
            "url must not be empty",
        ),
        (
            "deep nesting in the events",
            with(|v| v["events"] = json!([0])).replacen(
                "\"events\":[0]",
                &format!("\"events\":{}{}", "[".repeat(100_000), "]".repeat(100_000)),
                1,
            ),
            "not a valid run",
        ),
        ("too big", " ".repeat(MAX_RUN_BYTES + 1), "MB"),
        // awaitlab's other exports, picked by mistake: say what they are and what to import.
        ("the Chrome trace export", chrome_trace(&good_run()), "a Chrome trace"),
        ("the SVG export", timeline_svg(&good_run()), "an SVG picture"),
        ("an XML file", "<?xml version=\"1.0\"?><note/>".into(), "not valid JSON"),
    ]
}

#[test]
fn every_hostile_file_gets_a_clear_error() {
    for (case, input, words) in corpus() {
        match Run::from_json(&input) {
            Ok(_) => panic!("{case}: accepted"),
            Err(e) => assert!(e.contains(words), "{case}: error {e:?} should mention {words:?}"),
        }
    }
}

#[test]
fn script_strings_in_labels_and_details_are_kept_as_plain_data() {
    let input = with(|v| {
        v["labels"] = json!(["<script>alert(1)</script>", "\" onmouseover=\"alert(2)", "javascript:alert(3)"]);
        v["events"][0]["detail"] = json!("<img src=x onerror=alert(4)>");
    });
    let run = Run::from_json(&input).expect("odd text is still a run");
    assert_eq!(run.label(0), "<script>alert(1)</script>");
    assert_eq!(run.events[0].detail, "<img src=x onerror=alert(4)>");
}

#[test]
fn a_forged_summary_is_recomputed_from_the_events() {
    let input = with(|v| v["summary"]["makespan_ms"] = json!(1e308));
    let run = Run::from_json(&input).unwrap();
    assert!(run.summary.makespan_ms < 10_000.0);
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let input = with(|v| v["comment"] = json!("written by hand"));
    assert!(Run::from_json(&input).is_ok());
}

#[test]
fn a_huge_event_time_is_refused_in_a_message_of_readable_length() {
    let input = with(|v| v["events"][0]["t"] = json!(1e308));
    let err = Run::from_json(&input).expect_err("a time past the run's end");
    assert!(err.contains("at 1e308 ms"), "{err}");
    assert!(err.len() < 200, "{} bytes: {err}", err.len());
}

/// A file whose events were removed or edited still imports when they are a run its scenario can
/// record (the summary is recomputed from them), but where its own summary disagrees it says so,
/// in the status line after where the run came from: nothing changes silently.
#[test]
fn a_file_whose_summary_disagrees_with_its_events_imports_saying_so() {
    use awaitlab::core::message::ViewOptions;
    use awaitlab::core::page::{Action, State};
    use awaitlab::core::view;
    use std::rc::Rc;

    assert_eq!(good_run().import_note, None, "an exported run imports as it was, with nothing to say");
    // The last task's events removed: a run of two tasks' work, where the file says three.
    let cut = with(|v| v["events"].as_array_mut().unwrap().retain(|e| e["task"] != 2));
    let run = Run::from_json(&cut).expect("its events are still a run of its scenario");
    assert_eq!(run.summary.attempts, 2);
    let note = run.import_note.clone().expect("the file's summary and its events disagree");
    assert!(note.contains("summary") && note.contains("attempts 3 (events: 2)"), "{note}");
    let s = Rc::new(State::from_url(&[])).step(Action::Import(run, Some("imported from cut.json".into())));
    let said = view::status(&s, &ViewOptions::default());
    assert!(said.starts_with("Run #1 was imported from cut.json: ") && said.ends_with(&note), "{said}");

    // A figure edited by hand: named, with what the events give.
    let forged = Run::from_json(&with(|v| v["summary"]["makespan_ms"] = json!(1e308))).unwrap();
    let note = forged.import_note.expect("an edited makespan");
    assert!(note.contains("makespan_ms 1e308 (events: "), "{note}");
    // A browser run's figures (float noise of clock readings, `707.2000000001863`) are said to
    // the microsecond, as the page reports them, the file's own as well: not 123.456789012.
    let noisy = with(|v| {
        v["clock"] = json!("browser");
        for e in v["events"].as_array_mut().unwrap() {
            if e["t"].as_f64().unwrap() > 0.0 {
                e["t"] = json!(e["t"].as_f64().unwrap() + 0.123456789012);
            }
        }
        v["summary"]["makespan_ms"] = json!(500.000456789);
        v["summary"]["busy_ms"] = json!(1);
    });
    let noisy = Run::from_json(&noisy).expect("a browser run");
    let (makespan, busy) = (noisy.summary.makespan_ms, noisy.summary.busy_ms);
    assert!(format!("{makespan}").contains("456789"), "float noise to round: {makespan}");
    let micro = |ms: f64| (ms * 1000.0).round() / 1000.0;
    let note = noisy.import_note.expect("an edited makespan and busy time");
    assert!(note.contains(&format!("makespan_ms 500 (events: {})", micro(makespan))), "{note}");
    assert!(note.contains(&format!("busy_ms 1 (events: {})", micro(busy))), "{note}");
    assert!(!note.contains("456789") && !note.contains("4567"), "{note}");
    // A summary that is no summary at all.
    let odd = Run::from_json(&with(|v| v["summary"] = json!("fast"))).unwrap();
    assert!(odd.import_note.is_some_and(|n| n.contains("summary")));

    // Nothing to compare: a file without a summary, or one written before `cancelled` and
    // `timed_out` were added to it, imports as before.
    let none = with(|v| {
        v.as_object_mut().unwrap().remove("summary");
    });
    assert_eq!(Run::from_json(&none).unwrap().import_note, None);
    let older = with(|v| {
        let summary = v["summary"].as_object_mut().unwrap();
        summary.remove("cancelled");
        summary.remove("timed_out");
    });
    assert_eq!(Run::from_json(&older).unwrap().import_note, None);
}

/// Times in a refusal read as the page writes them, to the microsecond: a browser run's float
/// sums left "events out of order: 1053.1999999999534 ms after 1266.3999999999069 ms". Two times
/// that would read the same are written in full, so the message still shows which is earlier.
#[test]
fn times_in_an_import_refusal_are_to_the_microsecond_unless_that_hides_the_order() {
    let swapped = |a: f64, b: f64| {
        with(|v| {
            let evs = v["events"].as_array_mut().unwrap();
            evs[1]["t"] = json!(a);
            evs[2]["t"] = json!(b);
        })
    };
    let why = Run::from_json(&swapped(1.1999999999534, 0.3999999999069)).unwrap_err();
    assert!(why.contains("events out of order: 0.4 ms after 1.2 ms"), "{why}");
    let why = Run::from_json(&swapped(1.0000001, 1.0000000001)).unwrap_err();
    assert!(why.contains("events out of order: 1.0000000001 ms after 1.0000001 ms"), "{why}");
}

/// A task whose end (`done`, `failed` or `fallback`) was removed from the file: its events are
/// still a run of its scenario, so it imports (nothing recorded is lost), and the status line says
/// which task has no end, as it names a summary that disagrees. It said nothing: the summary
/// counts a task with or without its end. Every run a built-in pattern records ends each task.
#[test]
fn a_task_without_its_end_imports_saying_which() {
    use awaitlab::core::message::ViewOptions;
    use awaitlab::core::page::{Action, State};
    use awaitlab::core::view;
    use std::rc::Rc;

    let cut = with(|v| v["events"].as_array_mut().unwrap().retain(|e| !(e["task"] == 1 && e["kind"] == "done")));
    let run = Run::from_json(&cut).expect("its events are still a run of its scenario");
    let note = run.import_note.clone().expect("a task without its end is said");
    assert_eq!(note, "Task 1 has no end in its file (no done, failed or fallback event).");
    let s = Rc::new(State::from_url(&[])).step(Action::Import(run, Some("imported from cut.json".into())));
    let said = view::status(&s, &ViewOptions::default());
    assert!(said.starts_with("Run #1 was imported from cut.json: ") && said.ends_with(&note), "{said}");
    // Many: how many, and the first.
    let many = Scenario::parse([("pattern", "gather"), ("tasks", "12"), ("clock", "virtual")]).unwrap();
    let mut v: Value = serde_json::from_str(&run_virtual(&many).to_json()).unwrap();
    v["events"].as_array_mut().unwrap().retain(|e| e["kind"] != "done" || e["task"].as_u64() == Some(11));
    let note = Run::from_json(&v.to_string()).unwrap().import_note.unwrap_or_default();
    assert_eq!(note, "11 tasks, from task 0, have no end in its file (no done, failed or fallback event).");
    // No false alarm: every pattern's runs, with failures, retries, timeouts and cancels, end each task.
    for q in common::PYTHON_SCENARIOS.iter().chain(common::PYTHON_WHAT_IF_SCENARIOS).chain(&["preset=breakfast"]) {
        let run = common::predict(&format!("{q}&clock=virtual"));
        assert_eq!(Run::from_json(&run.to_json()).map(|r| r.import_note), Ok(None), "{q}");
    }
}
