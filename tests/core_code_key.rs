//! The `code` key (issue 15's contract): a program's two spellings (plain, and compressed in
//! links), its limits, hostile values, and code runs' events in a Run JSON.

mod common;

use awaitlab::core::budget::{MAX_CODE_LINK_BYTES, MAX_SOURCE_BYTES};
use awaitlab::core::event::{Event, Kind, Phase};
use awaitlab::core::run::Run;
use awaitlab::core::scenario::{program, ClockKind, Pattern, Scenario};
use common::scenario;

const BREAKFAST: &str = "import asyncio\n\nasync def coffee():\n    await asyncio.sleep(3)\n\n\
                         async def eggs():\n    await asyncio.sleep(2)\n\n\
                         async def main():\n    await asyncio.gather(coffee(), eggs())\n\nasyncio.run(main())\n";

/// The one error `query` gets, as (key, message).
fn only_error(query: &str) -> (String, String) {
    let errors = Scenario::from_query(query).expect_err(query);
    assert_eq!(errors.len(), 1, "{query}: {errors:?}");
    (errors[0].key.clone(), errors[0].message.clone())
}

fn code_scenario(source: &str) -> Scenario {
    Scenario::parse([("pattern", "code"), ("code", source)]).unwrap()
}

#[test]
fn a_link_carries_the_program_compressed_and_reads_back_the_same_scenario() {
    let s = code_scenario(BREAKFAST);
    assert_eq!((s.pattern, s.code.as_str()), (Pattern::Code, BREAKFAST));
    let link = s.to_query();
    let value = link.split('&').find_map(|p| p.strip_prefix("code=")).unwrap();
    assert!(value.starts_with('!'), "{value}");
    assert!(value.len() < BREAKFAST.len(), "{} bytes compressed, {} plain", value.len(), BREAKFAST.len());
    assert!(value[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{value}");
    assert_eq!(scenario(&link), s);
}

#[test]
fn plain_and_compressed_values_are_the_same_program_everywhere() {
    let link = program::to_link(BREAKFAST);
    assert_eq!(code_scenario(&link), code_scenario(BREAKFAST));
    // The Run JSON carries the plain source, and its scenario reads back.
    let run = Run::new(&code_scenario(BREAKFAST), ClockKind::Virtual, Vec::new());
    assert_eq!(run.scenario.params["code"], BREAKFAST);
    assert_eq!(run.parsed_scenario().unwrap().code, BREAKFAST);
}

#[test]
fn scenarios_without_code_write_and_read_as_before() {
    let s = scenario("pattern=gather&tasks=3");
    assert!(!s.to_query().contains("code"), "{}", s.to_query());
    let run = Run::new(&s, ClockKind::Virtual, Vec::new());
    assert!(!run.scenario.params.contains_key("code"));
    // The embed's view flag is no program: old embed links open as before.
    assert_eq!(scenario("pattern=gather&code=1&embed=1"), scenario("pattern=gather"));
}

#[test]
fn a_code_scenario_needs_a_program() {
    let (key, message) = only_error("pattern=code");
    assert_eq!(key, "code");
    assert!(message.contains("needs a program"), "{message}");
    // A lenient parse (opening a link) falls back to a pattern that runs.
    let (s, _) = Scenario::parse_lenient([("pattern", "code")]);
    assert_ne!(s.pattern, Pattern::Code);
}

#[test]
fn hostile_values_get_a_clear_message_and_no_panic() {
    let bad_base64 = only_error("pattern=code&code=!not*base64");
    assert!(bad_base64.1.contains("not base64url"), "{bad_base64:?}");
    let not_deflate = only_error("pattern=code&code=!AAAA");
    assert!(not_deflate.1.contains("does not inflate"), "{not_deflate:?}");

    let deflate = |bytes: &[u8]| miniz_oxide::deflate::compress_to_vec(bytes, 9);
    // A bomb: 10 MB of spaces deflate to about 10 KB, within the link limit.
    let bomb = link_of_bytes(&deflate(&vec![b' '; 10_000_000]));
    assert!(bomb.len() <= MAX_CODE_LINK_BYTES, "{} bytes", bomb.len());
    let (_, message) = only_error(&format!("pattern=code&code={bomb}"));
    assert!(message.contains(&format!("more than {MAX_SOURCE_BYTES} bytes")), "{message}");

    let (_, message) = only_error(&format!("pattern=code&code={}", link_of_bytes(&deflate(&[0x66, 0xff, 0xfe]))));
    assert!(message.contains("not UTF-8"), "{message}");

    let paste = "x = 1\n".repeat(100_000 / 6);
    let (_, message) = only_error(&format!("pattern=code&code={}", paste.replace('\n', "%0A")));
    assert!(message.contains("at most 65536 bytes"), "{message}");

    let long_link = format!("!{}", "A".repeat(MAX_CODE_LINK_BYTES + 4));
    let (_, message) = only_error(&format!("pattern=code&code={long_link}"));
    assert!(message.contains("compressed program may have at most"), "{message}");
}

/// A `code` link value for already-deflated `packed` bytes (to_link deflates text itself).
fn link_of_bytes(packed: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::from("!");
    for chunk in packed.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn event(t: f64, task: u32, attempt: u32, kind: Kind, phase: Phase, detail: &str, line: u32) -> Event {
    Event { t, task, attempt, kind, phase, detail: detail.into(), line }
}

#[test]
fn a_code_runs_events_export_and_import_with_lanes_named_by_its_spawn_marks() {
    let s = code_scenario(BREAKFAST);
    let events = vec![
        event(0.0, 0, 0, Kind::Spawn, Phase::Task, "main()", 13),
        event(0.0, 1, 0, Kind::Spawn, Phase::Task, "coffee()", 10),
        event(0.0, 2, 0, Kind::Spawn, Phase::Task, "eggs()", 10),
        event(0.0, 1, 1, Kind::Begin, Phase::Work, "", 4),
        event(0.0, 2, 1, Kind::Begin, Phase::Work, "", 7),
        event(2000.0, 2, 1, Kind::End, Phase::Work, "", 7),
        event(2000.0, 2, 0, Kind::Print, Phase::Task, "eggs ready", 8),
        event(2000.0, 2, 0, Kind::Done, Phase::Task, "None", 7),
        event(3000.0, 1, 1, Kind::End, Phase::Work, "", 4),
        event(3000.0, 1, 0, Kind::Done, Phase::Task, "None", 4),
        event(3000.0, 0, 0, Kind::Done, Phase::Task, "None", 10),
    ];
    let run = Run::new(&s, ClockKind::Virtual, events);
    assert_eq!(run.summary.tasks, 3);
    assert_eq!(run.labels, ["main()", "coffee()", "eggs()"]);
    assert_eq!(run.summary.makespan_ms, 3000.0);
    let json = run.to_json();
    assert!(json.contains("\"line\":8"), "{json}");
    let back = Run::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, run);
    // An event on a lane no spawn mark made is refused, saying why without an end a program
    // does not have (it said "its virtual runs end by inf ms").
    let stray = json.replacen("\"task\":2,", "\"task\":7,", 1);
    let why = Run::from_json(&stray).unwrap_err();
    assert!(why.contains("event out of range: task 7 at 0 ms (this scenario has 3 tasks)"), "{why}");
    assert!(!why.contains("inf"), "{why}");
}

#[test]
fn a_code_runs_nested_spans_import_back_and_its_task_counts_once_in_flight() {
    // The reader's `__aenter__` sleeps inside its acquire span: two spans open on one lane, which
    // a pattern never records (the page reads the interpreter module's prediction through import).
    let s = code_scenario(BREAKFAST);
    let events = vec![
        event(0.0, 0, 0, Kind::Spawn, Phase::Task, "main()", 9),
        event(0.0, 0, 1, Kind::Begin, Phase::Acquire, "", 9),
        event(0.0, 0, 2, Kind::Begin, Phase::Work, "sleep(0.5)", 3),
        event(500.0, 0, 2, Kind::End, Phase::Work, "", 3),
        event(500.0, 0, 1, Kind::End, Phase::Acquire, "", 9),
        event(500.0, 0, 3, Kind::Begin, Phase::Work, "sleep(1)", 10),
        event(1500.0, 0, 3, Kind::End, Phase::Work, "", 10),
        event(1500.0, 0, 0, Kind::Done, Phase::Task, "None", 9),
    ];
    let run = Run::new(&s, ClockKind::Virtual, events);
    assert_eq!((run.summary.peak_concurrency, run.summary.busy_ms), (1, 1500.0));
    let back = Run::from_json(&run.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, run);
}

/// `code` beside another pattern is read the same from a script (`awaitlab.run`, postMessage `run`
/// and `set`: `message::parse_scenario`) as from a link, in either spelling: the pattern runs, and
/// the program stays a value of the scenario that the pattern ignores, kept as a link keeps any
/// such value (so switching back to `pattern=code` finds it). The run never ran it, so its Run JSON
/// leaves it out (it held the program, which read as if it had run).
#[test]
fn code_beside_another_pattern_reads_the_same_from_a_script_and_from_a_link() {
    use awaitlab::core::message::parse_scenario;
    use awaitlab::core::page::State;
    let plain = vec![("pattern".to_string(), "gather".to_string()), ("code".to_string(), BREAKFAST.to_string())];
    let script = parse_scenario(&plain).expect("a gather scenario");
    let compressed = format!("pattern=gather&code={}", program::to_link(BREAKFAST));
    assert_eq!(script, scenario(&compressed), "a link with the compressed program");
    assert_eq!(&script, State::from_url(&plain).scenario(), "a link with the plain program, as the page opens it");
    assert_eq!((script.pattern, script.code.as_str()), (Pattern::Gather, BREAKFAST));
    assert!(!script.is_relevant("code"), "gather ignores the program");
    // It runs gather's ten seeded tasks, not the program's two.
    let run = awaitlab::core::run::run_virtual(&Scenario { clock: ClockKind::Virtual, ..script.clone() });
    assert_eq!(run.summary.tasks, 10);
    assert_eq!(run.scenario.params["pattern"], "gather");
    assert_eq!(run.scenario.params.get("code"), None, "the Run JSON holds no program that never ran");
    let ran = Scenario { clock: ClockKind::Virtual, code: String::new(), ..script.clone() };
    assert_eq!(run.parsed_scenario().unwrap(), ran);
    assert!(awaitlab::core::page::same_values(&ran, &script), "the page sees the run as the form's values");
    // The link keeps the program for a switch back to pattern=code.
    assert_eq!(scenario(&script.to_query()).code, BREAKFAST);
}

/// A program with no `pattern` is a code scenario from a link as from a script
/// (`awaitlab.run({code})`), in either spelling; a `code=1` flag alone is still the view flag.
/// Before, such a link showed the default pattern and its program was lost, with only a console
/// warning that `code` was no flag.
#[test]
fn a_link_with_a_program_and_no_pattern_is_a_code_scenario_as_a_script_is() {
    use awaitlab::core::message::{parse_scenario, ViewOptions};
    use awaitlab::core::page::State;
    let plain = vec![("code".to_string(), BREAKFAST.to_string())];
    let script = parse_scenario(&plain).expect("a code scenario");
    assert_eq!((script.pattern, script.code.as_str()), (Pattern::Code, BREAKFAST));
    let opened = State::from_url(&plain);
    assert_eq!((opened.scenario(), &opened.notice), (&script, &None), "the plain program, as the page opens it");
    assert_eq!(script, scenario(&format!("code={}", program::to_link(BREAKFAST))), "the compressed program");
    assert_eq!(ViewOptions::read([("code", BREAKFAST)]).1, Vec::<String>::new(), "a program is no bad flag");
    for flag in ["1", "0"] {
        let (s, errors) = Scenario::parse_lenient([("code", flag)]);
        assert_eq!((s.pattern, errors.len()), (Pattern::Gather, 0), "code={flag} is the view flag");
    }
    // An empty program is not run: the editor opens on the default pattern's Python
    // (tests/core_code_entry.rs).
    let empty = State::from_url(&[("code".to_string(), String::new())]);
    assert_eq!(empty.scenario().pattern, Pattern::Code);
    assert_eq!(empty.notice, None, "as the Pattern menu's \"Your own code\" opens it");
}
