//! Parameters: each bad value is rejected with a message naming the key and its range, the
//! form shows only what the pattern uses, and a link carries everything needed to reproduce a run.

mod common;

use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::{Backoff, ErrorMode, ParamError, Pattern, Scenario};
use common::pairs;

fn parse(q: &str) -> Result<Scenario, Vec<ParamError>> {
    Scenario::from_query(q)
}

fn only_error(q: &str) -> ParamError {
    let errors = parse(q).expect_err(q);
    assert_eq!(errors.len(), 1, "{q}: {errors:?}");
    errors.into_iter().next().expect("one error")
}

#[test]
fn the_bad_inputs_of_the_issue_are_rejected_naming_the_key_and_the_range() {
    let cases = [
        ("pattern=semaphore&limit=0", "limit", "limit must be a whole number from 1 to 100000 for the semaphore pattern (got \"0\")"),
        ("pattern=retry&retries=-1", "retries", "retries must be a whole number from 1 to 20 (got \"-1\")"),
        ("fail=2", "fail", "fail must be a number from 0 to 1 (got \"2\")"),
        ("pattern=timeout&timeout=0", "timeout", "timeout must be a whole number from 1 to 600000 (got \"0\")"),
        ("pattern=retry&delay=NaN", "delay", "delay must be a whole number from 0 to 600000 (got \"NaN\")"),
        ("pattern=backoff", "pattern", "pattern must be one of sequential, gather, semaphore, retry, fallback, resource, pipeline, timeout, race, as_completed, code (got \"backoff\")"),
        ("pattern=retry&backoff=linear", "backoff", "backoff must be one of constant, exponential (got \"linear\")"),
    ];
    for (q, key, message) in cases {
        let e = only_error(q);
        assert_eq!((e.key.as_str(), e.message.as_str()), (key, message), "{q}");
    }
}

#[test]
fn every_other_new_key_rejects_out_of_range_values() {
    for (q, key, needle) in [
        ("limit=100001", "limit", "from 1 to 100000"),
        ("limit=2.5", "limit", "from 1 to 100000"),
        ("retries=21", "retries", "from 1 to 20"),
        ("retries=0", "retries", "from 1 to 20"),
        ("delay=600001", "delay", "from 0 to 600000"),
        ("factor=0.5", "factor", "factor must be a number from 1 to 10"),
        ("factor=NaN", "factor", "from 1 to 10"),
        ("factor=inf", "factor", "from 1 to 10"),
        ("jitter=1.5", "jitter", "jitter must be a number from 0 to 1"),
        ("hold=yes", "hold", "hold must be 1 or 0"),
        ("errors=ignore", "errors", "errors must be one of collect, raise, fail_fast"),
        ("acquire=-5", "acquire", "from 0 to 600000"),
        ("release=x", "release", "from 0 to 600000"),
        ("process=1e9", "process", "from 0 to 600000"),
        ("save=", "save", "from 0 to 600000"),
        ("timeout=600001", "timeout", "from 1 to 600000"),
    ] {
        let e = only_error(q);
        assert_eq!(e.key, key, "{q}");
        assert!(e.message.contains(needle), "{q}: {}", e.message);
    }
}

#[test]
fn every_bad_value_is_reported_at_once_and_lenient_parsing_keeps_the_defaults() {
    let q = "pattern=retry&limit=0&retries=-1&fail=2&timeout=0&delay=NaN&backoff=linear";
    let errors = parse(q).unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["limit", "retries", "fail", "timeout", "delay", "backoff"]);
    let (s, lenient) = Scenario::parse_lenient(pairs(q));
    assert_eq!(lenient, errors);
    let d = Scenario::default();
    assert_eq!(s.pattern, Pattern::Retry);
    assert_eq!(
        (s.limit, s.retries, s.fail, s.timeout, s.delay, s.backoff),
        (None, d.retries, d.fail, d.timeout, d.delay, d.backoff)
    );
}

#[test]
fn good_values_parse_including_the_forms_json_and_the_js_api_use() {
    let s = parse("pattern=retry&retries=5&delay=0&backoff=exponential&factor=1.5&jitter=0.25&limit=4&hold=0").unwrap();
    assert_eq!(
        (s.retries, s.delay, s.backoff, s.factor, s.jitter, s.limit, s.hold),
        (5, 0, Backoff::Exponential, 1.5, 0.25, Some(4), false)
    );
    // JSON writes null, true and 2.0; the form may send an empty limit.
    let s = parse("pattern=retry&limit=null&hold=true&factor=2.0&retries=3.0").unwrap();
    assert_eq!((s.limit, s.hold, s.factor, s.retries), (None, true, 2.0, 3));
    assert_eq!(parse("pattern=resource&limit=").unwrap().limit, None);
    assert_eq!(parse("pattern=resource&limit=none").unwrap().limit, None);
    assert_eq!(parse("pattern=gather&errors=fail_fast").unwrap().errors, ErrorMode::FailFast);
}

#[test]
fn keys_of_other_patterns_are_accepted_so_links_survive_a_pattern_change() {
    let s = parse("pattern=gather&limit=5&retries=7&timeout=90&acquire=1").unwrap();
    assert_eq!(s.effective_limit(), None, "gather ignores limit");
    // ...but keeps it, so switching to semaphore uses it.
    let mut switched = s.clone();
    switched.pattern = Pattern::Semaphore;
    assert_eq!(switched.effective_limit(), Some(5));
    let q = s.to_query();
    for kv in ["limit=5", "retries=7", "timeout=90", "acquire=1"] {
        assert!(q.contains(kv), "{q} should keep {kv}");
    }
    assert_eq!(parse(&q).unwrap(), s);
}

#[test]
fn fields_list_only_what_the_pattern_uses() {
    let keys = |q: &str| -> Vec<&'static str> {
        parse(q)
            .unwrap()
            .fields()
            .iter()
            .map(|f| f.key)
            .filter(|k| !["pattern", "preset", "tasks", "min", "max", "fail", "seed", "source"].contains(k))
            .collect()
    };
    assert_eq!(keys("pattern=sequential&limit=3&retries=5"), Vec::<&str>::new());
    assert_eq!(keys("pattern=gather"), ["errors"]);
    assert_eq!(keys("pattern=semaphore"), ["limit"]);
    assert_eq!(keys("pattern=retry"), ["retries", "delay", "backoff", "jitter", "limit"]);
    assert_eq!(
        keys("pattern=retry&backoff=exponential&limit=2"),
        ["retries", "delay", "backoff", "factor", "jitter", "limit", "hold"]
    );
    assert_eq!(keys("pattern=fallback"), Vec::<&str>::new());
    assert_eq!(keys("pattern=resource"), ["limit", "acquire", "release"]);
    assert_eq!(keys("pattern=pipeline"), ["limit", "process", "save"]);
    assert_eq!(keys("pattern=timeout"), ["timeout"]);
    assert_eq!(keys("pattern=race"), Vec::<&str>::new());
    assert_eq!(keys("pattern=as_completed"), ["process"]);
    // The pattern choice lists every pattern.
    let s = Scenario::default();
    let pattern = s.fields().into_iter().find(|f| f.key == "pattern").unwrap();
    match pattern.kind {
        awaitlab::core::scenario::FieldKind::Choice(options) => assert_eq!(options.len(), Pattern::ALL.len()),
        other => panic!("pattern should be a choice, is {other:?}"),
    }
}

#[test]
fn links_carry_every_key_the_run_needs_and_reproduce_it() {
    for p in Pattern::BUILT_IN {
        let q = format!(
            "pattern={}&tasks=12&min=20&max=200&fail=0.3&seed=4&limit=3&retries=4&delay=15&backoff=exponential&factor=3&jitter=0.5&hold=0&errors=fail_fast&acquire=7&release=9&process=11&save=13&timeout=120",
            p.key()
        );
        let s = parse(&q).unwrap();
        let link = s.to_query();
        assert!(link.starts_with("v=1&"), "{link}");
        let back = parse(&link).unwrap();
        assert_eq!(back, s, "{p:?}");
        assert_eq!(run_virtual(&back).events, run_virtual(&s).events);
        // A link with only the keys the pattern uses, everything else at defaults, runs the same.
        let minimal: Vec<(&str, String)> = s.to_pairs().into_iter().filter(|(k, _)| s.is_relevant(k)).collect();
        let minimal = Scenario::parse(minimal.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(run_virtual(&minimal).events, run_virtual(&s).events, "{p:?}: a relevant key is missing");
        // value() answers for any key, used or not.
        assert_eq!(s.value("save"), "13");
    }
    // Defaults stay out of a link for keys the pattern does not use.
    let q = parse("pattern=gather").unwrap().to_query();
    assert_eq!(q, "v=1&pattern=gather&preset=random&tasks=10&seed=1&min=100&max=400&fail=0&source=sleep&clock=browser&errors=collect");
    let q = parse("pattern=retry").unwrap().to_query();
    assert!(q.ends_with("&limit=none&retries=3&delay=100&backoff=constant&jitter=0"), "{q}");
}

#[test]
fn old_links_keep_their_meaning() {
    let old = "v=1&pattern=gather&preset=random&tasks=10&seed=1&min=100&max=400&fail=0&source=sleep&clock=browser";
    let s = parse(old).unwrap();
    assert_eq!((s.pattern, s.errors, s.effective_limit()), (Pattern::Gather, ErrorMode::Collect, None));
}

#[test]
fn every_pattern_has_a_key_title_and_explanation() {
    let mut keys: Vec<&str> = Pattern::ALL.iter().map(|p| p.key()).collect();
    assert_eq!(keys.len(), 11);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 11);
    for p in Pattern::BUILT_IN {
        assert_eq!(parse(&format!("pattern={}", p.key())).unwrap().pattern, *p);
        let sentences = p.explain().matches(". ").count() + 1;
        assert!((2..=3).contains(&sentences), "{p:?}: {}", p.explain());
        assert!(!p.title().is_empty());
    }
}

#[test]
fn the_readmes_key_table_is_rendered_from_the_parameter_table() {
    let readme = include_str!("../README.md");
    let table = awaitlab::core::scenario::docs_table();
    assert!(readme.contains(&table), "README.md's URL key table is out of date; paste this in:\n{table}");
}

/// Each pattern's lesson line (above the runs) is its first sentence, whole and short enough for
/// one line at 1280 px; the rest follows it.
#[test]
fn every_pattern_s_lesson_splits_into_a_first_sentence_and_the_rest() {
    use awaitlab::core::scenario::Pattern;
    for p in Pattern::ALL {
        let (first, rest) = p.lesson();
        assert!(first.ends_with('.') && first.len() <= 200, "{p:?}: {first}");
        assert_eq!(format!("{first} {rest}").trim_end(), p.explain(), "{p:?}");
    }
}

/// The lessons are plain text (the page renders no markdown: no `backticks`, no `key=value`), and
/// a field they talk about is named as the form labels it: "Attempts", not `retries`.
#[test]
fn the_lessons_are_plain_text_and_name_fields_as_the_form_does() {
    use awaitlab::core::scenario::params::{param, PARAMS};
    for p in Pattern::ALL {
        let text = p.explain();
        assert!(!text.contains('`'), "{p:?}: {text}");
        for key in PARAMS.iter().map(|s| s.key) {
            assert!(!text.contains(&format!("{key}=")), "{p:?} writes {key}= : {text}");
        }
    }
    for (p, key) in [
        (Pattern::Gather, "errors"),
        (Pattern::Semaphore, "limit"),
        (Pattern::Retry, "retries"),
        (Pattern::Timeout, "timeout"),
    ] {
        let label = param(key).and_then(|s| s.form).expect("a form field").label;
        let label = label.trim_end_matches(" (ms)");
        assert!(p.explain().contains(label), "{p:?} names {key} as the form does, {label:?}: {}", p.explain());
    }
}

/// `limit=none` is no semaphore: retry, resource and pipeline may run without one, the semaphore
/// pattern cannot. It was read as the default 3 without a word; now it is a bad value like any
/// other: refused by `Scenario::parse` (the API, the form), and a link keeps the default and says
/// so. JSON's `null` stays "no value": the default, as the README says (the text `null` is none:
/// `the_text_null_is_none_so_the_semaphore_refuses_it_and_json_s_null_stays_no_value`).
#[test]
fn limit_none_is_no_semaphore_so_the_semaphore_pattern_refuses_it_by_name() {
    let (fixed, got_none, got_empty) = (
        "limit must be a whole number from 1 to 100000 for the semaphore pattern",
        "(got \"none\"); none, no semaphore, is only for retry, resource and pipeline",
        "(got \"\"); none, no semaphore, is only for retry, resource and pipeline",
    );
    for (q, got) in [
        ("pattern=semaphore&limit=none", got_none),
        ("limit=none&pattern=semaphore", got_none),
        ("pattern=semaphore&limit=", got_empty),
        (
            "pattern=semaphore&limit=%20none%20",
            "(got \" none \"); none, no semaphore, is only for retry, resource and pipeline",
        ),
    ] {
        let e = only_error(q);
        assert_eq!((e.key.as_str(), e.message), ("limit", format!("{fixed} {got}")), "{q}");
        // A link still opens, on the default, with the error for its notice.
        let decoded = awaitlab::core::scenario::query_pairs(q);
        let (s, errors) = Scenario::parse_lenient(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!((s.pattern, s.limit, errors.len()), (Pattern::Semaphore, Some(3), 1), "{q}");
    }
    assert_eq!(parse("pattern=semaphore").unwrap().limit, Some(3));
    // The patterns whose limit is optional still take none.
    for p in ["retry", "resource", "pipeline"] {
        assert_eq!(parse(&format!("pattern={p}&limit=none")).unwrap().limit, None, "{p}");
        assert_eq!(parse(&format!("pattern={p}&limit=")).unwrap().limit, None, "{p}");
    }
    // A pattern without a limit ignores the key, none included (a link survives a pattern change).
    assert_eq!(parse("pattern=gather&limit=none").unwrap().effective_limit(), None);
    // The message names every pattern whose limit is optional, and only those.
    let optional: Vec<Pattern> =
        Pattern::ALL.iter().copied().filter(|p| p.takes_limit() && *p != Pattern::Semaphore).collect();
    assert_eq!(optional, [Pattern::Retry, Pattern::Resource, Pattern::Pipeline]);
}

/// `awaitlab.run` and postMessage refuse `limit: "none"` on a semaphore, as they refuse any bad
/// value; `limit: null` is no value and keeps the default.
#[test]
fn the_js_api_and_postmessage_refuse_limit_none_for_the_semaphore() {
    use awaitlab::core::message::{params_pairs, parse_command, parse_scenario, Command};
    use serde_json::json;
    let scenario = |params: serde_json::Value| params_pairs(Some(&params)).and_then(|pairs| parse_scenario(&pairs));
    let none = scenario(json!({"pattern": "semaphore", "limit": "none"})).unwrap_err();
    assert!(
        none.starts_with("limit must be a whole number from 1 to 100000 for the semaphore pattern (got \"none\")"),
        "{none}"
    );
    let message = json!({"type": "awaitlab:run", "params": {"pattern": "semaphore", "limit": "none"}}).to_string();
    let Ok(Some(Command::Run(pairs))) = parse_command(&message) else { panic!("a run command") };
    assert_eq!(parse_scenario(&pairs), Err(none));
    assert_eq!(scenario(json!({"pattern": "semaphore", "limit": null})).unwrap().limit, Some(3));
    assert_eq!(scenario(json!({"pattern": "retry", "limit": "none"})).unwrap().limit, None);
}

/// The JS API and postMessage take the URL keys as numbers or strings; a boolean is an on/off
/// key's value (`hold: true`), not a number: `tasks: true` ran 1 task. It is refused by name, as
/// an array is.
#[test]
fn the_js_api_and_postmessage_refuse_a_boolean_for_a_number_by_name() {
    use awaitlab::core::message::{params_pairs, parse_command, parse_scenario};
    use serde_json::json;
    let scenario = |params: serde_json::Value| params_pairs(Some(&params)).and_then(|pairs| parse_scenario(&pairs));
    for (key, value) in [
        ("tasks", true),
        ("tasks", false),
        ("min", true),
        ("limit", false),
        ("fail", true),
        ("seed", true),
        ("pattern", true),
        ("v", true),
    ] {
        assert_eq!(
            scenario(json!({ key: value, "clock": "virtual" })),
            Err(format!("{key} must be a number or a string, not the boolean {value}")),
            "{key}: {value}"
        );
    }
    // An on/off key takes one, as a link's hold=true does; a key awaitlab does not know is named as unknown.
    let s = scenario(json!({"pattern": "retry", "limit": 2, "hold": false})).unwrap();
    assert!(!s.hold);
    assert!(scenario(json!({"hold": true})).unwrap().hold);
    assert!(scenario(json!({"bogus": true})).unwrap_err().starts_with("unknown key \"bogus\""));
    // postMessage reads the same params the same way.
    let message = json!({"type": "awaitlab:run", "params": {"tasks": true}}).to_string();
    assert_eq!(parse_command(&message), Err("tasks must be a number or a string, not the boolean true".into()));
}

/// White space around a value is read past in every channel, as links always have (`tasks=%203`
/// is 3, and so is `tasks: " 3"`, as JavaScript's `Number(" 3")` is): one parser, one rule, and
/// old links keep working. Inside a value it is refused.
#[test]
fn white_space_around_a_value_is_read_past_in_links_and_in_the_api_alike() {
    use awaitlab::core::message::{params_pairs, parse_scenario};
    use serde_json::json;
    assert_eq!(parse("tasks=%203").unwrap().tasks, 3);
    assert_eq!(parse("tasks=3%0A&pattern=%09retry").unwrap().pattern, Pattern::Retry);
    let api = |params: serde_json::Value| parse_scenario(&params_pairs(Some(&params)).unwrap());
    assert_eq!(
        api(json!({"tasks": " 3", "fail": " 0.5 ", "pattern": " retry"})).map(|s| (s.tasks, s.fail, s.pattern)),
        Ok((3, 0.5, Pattern::Retry))
    );
    assert_eq!(api(json!({"tasks": "3 4"})), Err("tasks must be a whole number from 1 to 100000 (got \"3 4\")".into()));
    assert!(parse("tasks=3%204").is_err());
}

/// The semaphore pattern's `limit` is a number of permits, never none: a bad value's message says
/// so for that pattern (it said "…, or none", which the semaphore refuses), whatever order the
/// keys come in, in links and in the API alike (one validation path). The patterns whose limit is
/// optional still offer none; a link still opens on the default, 3.
#[test]
fn a_bad_limit_on_the_semaphore_is_told_the_semaphore_s_range() {
    use awaitlab::core::message::{params_pairs, parse_scenario};
    use serde_json::json;
    let fixed = "limit must be a whole number from 1 to 100000 for the semaphore pattern";
    for (q, got) in [
        ("pattern=semaphore&limit=0", "\"0\""),
        ("limit=0&pattern=semaphore", "\"0\""),
        ("pattern=semaphore&limit=abc", "\"abc\""),
        ("tasks=0&limit=100001&pattern=semaphore", "\"100001\""),
    ] {
        let errors = parse(q).expect_err(q);
        let limit = errors.iter().find(|e| e.key == "limit").expect("limit is named");
        assert_eq!(limit.message, format!("{fixed} (got {got})"), "{q}");
        assert_eq!(errors.iter().filter(|e| e.key == "limit").count(), 1, "{q}: {errors:?}");
        let decoded = awaitlab::core::scenario::query_pairs(q);
        let (s, _) = Scenario::parse_lenient(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(s.limit, Some(3), "{q}");
    }
    // Errors stay in the order of their keys, the limit's once; a pattern too long to read is none.
    let keys: Vec<String> =
        parse("limit=0&tasks=0&pattern=semaphore").unwrap_err().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["limit", "tasks"]);
    let padded = format!("limit=0&pattern={}semaphore", "%20".repeat(5000));
    let errors = parse(&padded).unwrap_err();
    assert_eq!(errors[0].message, "limit must be a whole number from 1 to 100000, or none (got \"0\")");
    let api = parse_scenario(&params_pairs(Some(&json!({"pattern": "semaphore", "limit": 0}))).unwrap());
    assert_eq!(api, Err(format!("{fixed} (got \"0\")")));
    for p in ["retry", "resource", "pipeline", "gather"] {
        let e = only_error(&format!("pattern={p}&limit=0"));
        assert_eq!(e.message, "limit must be a whole number from 1 to 100000, or none (got \"0\")", "{p}");
    }
}

/// The text `null` reads as `none` (the form and links are text: JSON's null is no value only
/// where JSON carries it), so the semaphore refuses it as it refuses none, as it refuses `abc`:
/// typed in the form's limit it ran 3 without a word. A link keeps the default and says so. JSON's
/// null stays no value everywhere: `awaitlab.run`, postMessage, and a Run JSON's own params (a
/// semaphore's written before the link always carried its limit reads back on 3).
#[test]
fn the_text_null_is_none_so_the_semaphore_refuses_it_and_json_s_null_stays_no_value() {
    use awaitlab::core::message::{params_pairs, parse_scenario};
    use serde_json::json;
    for q in ["pattern=semaphore&limit=null", "limit=%20null&pattern=semaphore"] {
        let e = only_error(q);
        assert!(
            e.message.starts_with("limit must be a whole number from 1 to 100000 for the semaphore pattern (got \""),
            "{q}: {}",
            e.message
        );
        assert!(
            e.message.ends_with("); none, no semaphore, is only for retry, resource and pipeline"),
            "{}",
            e.message
        );
    }
    assert_eq!(parse("pattern=retry&limit=null").unwrap().limit, None, "retry may run without a semaphore");
    let api = |params: serde_json::Value| parse_scenario(&params_pairs(Some(&params)).unwrap());
    assert_eq!(api(json!({"pattern": "semaphore", "limit": null})).unwrap().limit, Some(3));
    assert!(api(json!({"pattern": "semaphore", "limit": "null"})).is_err(), "the string is text");
    let mut run = run_virtual(&parse("pattern=semaphore&tasks=3&clock=virtual").unwrap());
    run.scenario.params.insert("limit".into(), serde_json::Value::Null);
    assert_eq!(run.parsed_scenario().map(|s| s.limit), Ok(Some(3)));
    assert!(awaitlab::core::run::Run::from_json(&run.to_json()).is_ok(), "an old semaphore run imports");
}

/// The view keys take a boolean as a link takes `true`/`false`: those that are on/off in a link
/// (`embed`, `autoplay`, `predicted`, `controls`, `fetch`) do, as `hold` does; for the others
/// (`theme`, `speed`, `axis`, `guess`, `origin`, and the version `v`) a boolean is refused by name,
/// as it is for a number or a choice. They were read as 1 / 0 and then ignored without a word.
/// `awaitlab.run` leaves every view key to the page's link, whatever its value.
#[test]
fn a_view_key_takes_a_boolean_only_where_a_link_takes_true_or_false() {
    use awaitlab::core::message::{params_pairs, parse_command, parse_scenario, ViewOptions};
    use awaitlab::core::scenario::VIEW_KEYS;
    use serde_json::json;
    let scenario = |params: serde_json::Value| params_pairs(Some(&params)).and_then(|pairs| parse_scenario(&pairs));
    let on_off = ["embed", "autoplay", "predicted", "controls", "fetch"];
    for key in VIEW_KEYS {
        for value in [true, false] {
            let got = scenario(json!({ *key: value, "clock": "virtual" }));
            if on_off.contains(key) {
                assert_eq!(got.map(|s| s.clock.key()), Ok("virtual"), "{key}: {value}");
            } else {
                assert_eq!(got, Err(format!("{key} must be a number or a string, not the boolean {value}")), "{key}");
            }
        }
        // As a link reads them (the keys `ViewOptions` reads; `fetch` and `origin` are the embed policy's).
        if !["v", "origin", "fetch"].contains(key) {
            let link_takes = ViewOptions::read([(*key, "true")]).1.is_empty();
            assert_eq!(link_takes, on_off.contains(key), "{key}=true in a link");
        }
    }
    // Strings and numbers for the view keys are accepted as before, and postMessage reads the same.
    assert!(scenario(json!({"theme": "dark", "speed": 2, "embed": "1", "v": 1})).is_ok());
    let message = json!({"type": "awaitlab:run", "params": {"theme": true}}).to_string();
    assert_eq!(parse_command(&message), Err("theme must be a number or a string, not the boolean true".into()));
}
