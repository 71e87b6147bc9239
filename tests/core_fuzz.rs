//! Generated inputs at every untrusted entry point: a link's query, a params object
//! (`message::params_pairs`), a Run JSON (`Run::from_json`) and a postMessage command
//! (`message::parse_command`). Each input must finish within [`TIME_PER_INPUT`] without a panic,
//! and what is accepted must round-trip: scenario → link → the same scenario, run → Run JSON →
//! the same run, floats bit for bit.
//!
//! A few hundred cases per entry point by default (a few seconds); `AWAITLAB_FUZZ_CASES=100000`
//! runs that many, and `AWAITLAB_FUZZ_SEED` picks another sequence (a failure prints its seed
//! and case, so it can be replayed).

use std::time::{Duration, Instant};

use awaitlab::core::budget;
use awaitlab::core::export::{chrome_trace, timeline_svg};
use awaitlab::core::message::{params_pairs, parse_command};
use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::{ClockKind, Scenario};
use rand_core::RngCore;
use rand_pcg::Pcg32;
use serde_json::{json, Value};

/// Generous for a debug build; a release build takes a fraction of it.
const TIME_PER_INPUT: Duration = Duration::from_secs(3);
/// Accepted scenarios up to this many planned events are also run (bigger ones are slow in a
/// debug build; `tests/core_budget.rs` runs the largest kinds).
const RUN_EVENTS: u64 = 4_000;

fn cases() -> u64 {
    std::env::var("AWAITLAB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(250)
}

fn seed() -> u64 {
    std::env::var("AWAITLAB_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(11)
}

/// Runs `check` on `cases()` generated inputs, naming the seed and case of any that fails.
fn fuzz(name: &str, check: impl Fn(&mut Gen)) {
    let (seed, cases) = (seed(), cases());
    for case in 0..cases {
        let mut g = Gen(Pcg32::new(seed, case));
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&mut g)));
        let elapsed = started.elapsed();
        let replay = format!("{name}: AWAITLAB_FUZZ_SEED={seed}, case {case}");
        assert!(outcome.is_ok(), "{replay} panicked");
        assert!(elapsed < TIME_PER_INPUT, "{replay} took {elapsed:?}");
    }
}

struct Gen(Pcg32);

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A float from random bits: any value, or one in [0, 1) or [1, 10].
    fn float(&mut self) -> f64 {
        let bits = self.0.next_u64();
        match self.below(4) {
            0 => f64::from_bits(bits),
            1 => (bits >> 11) as f64 / (1u64 << 53) as f64,
            2 => 1.0 + 9.0 * ((bits >> 11) as f64 / (1u64 << 53) as f64),
            _ => *self.pick(&[0.0, -0.0, 5e-324, 1e-300, 1e300, f64::MAX, 86_400_000.5, 0.1, 1.0]),
        }
    }
    /// Text for a value: plausible, borderline or junk.
    fn text(&mut self) -> String {
        let words = [
            "0",
            "1",
            "-0",
            "2",
            "3",
            "10",
            "20",
            "21",
            "100000",
            "100001",
            "10000",
            "600000",
            "600001",
            "50.0",
            "50.5",
            "5e1",
            "1e400",
            "NaN",
            "inf",
            "-1",
            "",
            " 7 ",
            "none",
            "null",
            "true",
            "gather",
            "retry",
            "semaphore",
            "resource",
            "pipeline",
            "timeout",
            "race",
            "as_completed",
            "sequential",
            "fallback",
            "breakfast",
            "random",
            "virtual",
            "browser",
            "fetch",
            "sleep",
            "exponential",
            "constant",
            "fail_fast",
            "collect",
            "api/item/{id}",
            "https://example.com/{id}",
            "x",
            "{id}",
            "9007199254740991",
            "9007199254740992",
            "9007199254740990.6",
            "50.0000000000000001",
            "0x10",
            "+5",
            "é",
            "\u{0}",
            "<script>",
        ];
        match self.below(6) {
            0 => self.float().to_string(),
            1 => self.0.next_u32().to_string(),
            2 => "z".repeat(self.below(6000)),
            _ => self.pick(&words).to_string(),
        }
    }
    fn key(&mut self) -> String {
        let keys = Scenario::KEYS.iter().chain(["v", "embed", "theme", "bogus", "", "tasks "].iter());
        let keys: Vec<&str> = keys.copied().collect();
        if self.chance(5) {
            return "k".repeat(self.below(200));
        }
        self.pick(&keys).to_string()
    }
    /// A link's pairs: mostly known keys, sometimes many, repeated or unknown ones.
    fn query(&mut self) -> Vec<(String, String)> {
        let n = if self.chance(3) { self.below(500) } else { self.below(12) };
        let mut pairs: Vec<(String, String)> = (0..n).map(|_| (self.key(), self.text())).collect();
        if self.chance(60) {
            // Keep runs affordable: most generated links ask for the virtual clock and few tasks.
            pairs.push(("clock".into(), "virtual".into()));
            pairs.push(("tasks".into(), self.below(40).to_string()));
        }
        pairs
    }
    fn json_value(&mut self, depth: usize) -> Value {
        match self.below(if depth > 2 { 5 } else { 7 }) {
            0 => json!(self.float()),
            1 => json!(self.0.next_u64() >> self.below(64)),
            2 => json!(self.chance(50)),
            3 => Value::Null,
            4 => json!(self.text()),
            5 => Value::Array((0..self.below(4)).map(|_| self.json_value(depth + 1)).collect()),
            _ => Value::Object((0..self.below(4)).map(|_| (self.key(), self.json_value(depth + 1))).collect()),
        }
    }
}

/// Parses a query string as the browser does: `&`-separated pairs, percent-decoded.
fn decode(query: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(b)) => (out.push(b), i += 3),
                (b, _) => (out.push(b), i += 1),
            };
        }
        String::from_utf8(out).expect("links are UTF-8")
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

fn parse(pairs: &[(String, String)]) -> (Scenario, Vec<String>) {
    let (s, errors) = Scenario::parse_lenient(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    (s, errors.into_iter().map(|e| e.message).collect())
}

/// What every accepted scenario must do: reopen from its own link identically and, when small
/// enough to run here, make a run within its bounds that imports back bit for bit.
fn check_scenario(s: &Scenario) {
    let (again, errors) = parse(&decode(&s.to_query()));
    assert!(errors.is_empty(), "{}: {errors:?}", s.to_query());
    assert_eq!(&again, s, "{}", s.to_query());
    assert_eq!(again.fail.to_bits(), s.fail.to_bits());
    if budget::max_events(s, ClockKind::Virtual) <= RUN_EVENTS {
        let mut virt = s.clone();
        virt.clock = ClockKind::Virtual;
        let run = run_virtual(&virt);
        assert!(run.events.len() as u64 <= budget::max_events(s, ClockKind::Virtual));
        assert!(run.summary.makespan_ms <= budget::max_makespan_ms(s), "{}", s.to_query());
        check_run_round_trip(&run);
    }
}

/// An accepted run exports, reads back as itself, and draws.
fn check_run_round_trip(run: &Run) {
    let text = run.to_json();
    let back = Run::from_json(&text).unwrap_or_else(|e| panic!("{e}: {}", &text[..text.len().min(400)]));
    assert_eq!(&back, run);
    assert_eq!(back.to_json(), text, "bit for bit");
    check_drawable(&back);
}

fn check_drawable(run: &Run) {
    assert!(run.summary.peak_concurrency <= run.summary.tasks && run.summary.failures <= run.summary.tasks);
    assert!(run.timeline().extent().is_finite());
    assert!(timeline_svg(run).ends_with("</svg>"));
    let trace = chrome_trace(run);
    assert!(trace.len() <= 400 + run.events.len() * 600, "{} bytes for {} events", trace.len(), run.events.len());
}

#[test]
fn links_and_form_values() {
    fuzz("query", |g| {
        let pairs = g.query();
        let (s, errors) = parse(&pairs);
        assert!(errors.len() <= budget::MAX_KEYS + 8);
        let strict = Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(strict.is_ok(), errors.is_empty());
        check_scenario(&s);
    });
}

#[test]
fn params_objects() {
    fuzz("params", |g| {
        let mut params = serde_json::Map::new();
        let most = if g.chance(3) { 100 } else { 10 };
        for _ in 0..g.below(most) {
            let value = if g.chance(70) { json!(g.text()) } else { g.json_value(1) };
            params.insert(g.key(), value);
        }
        params.insert("clock".into(), json!("virtual"));
        let Ok(pairs) = params_pairs(Some(&Value::Object(params))) else { return };
        check_scenario(&parse(&pairs).0);
    });
}

/// A small valid run's JSON, then a few random edits of its events, scenario or text.
fn mutated_run(g: &mut Gen) -> String {
    let pattern = *g.pick(&["gather", "retry", "semaphore", "resource", "pipeline", "timeout", "race", "as_completed"]);
    let tasks = (1 + g.below(6)).to_string();
    let s = Scenario::parse([("pattern", pattern), ("tasks", tasks.as_str()), ("fail", "0.5"), ("clock", "virtual")])
        .unwrap();
    let mut v: Value = serde_json::from_str(&run_virtual(&s).to_json()).unwrap();
    if g.chance(30) {
        v["clock"] = json!("browser");
    }
    for _ in 0..g.below(4) {
        mutate(g, &mut v);
    }
    let mut text = v.to_string();
    if g.chance(15) {
        let mut chars: Vec<char> = text.chars().collect();
        let at = g.below(chars.len());
        match g.below(3) {
            0 => chars.truncate(at),
            1 => chars.insert(at, *g.pick(&['{', '}', '[', '"', ',', '0', '-', 'e', '\\'])),
            _ => {
                chars.remove(at);
            }
        }
        text = chars.into_iter().collect();
    }
    text
}

fn mutate(g: &mut Gen, v: &mut Value) {
    let events = v["events"].as_array_mut().unwrap();
    let n = events.len();
    let i = g.below(n);
    match g.below(9) {
        0 => events[i]["t"] = json!(g.float()),
        1 => events[i]["task"] = json!(g.below(10)),
        2 => events[i]["attempt"] = json!(g.below(5)),
        3 => {
            events[i]["kind"] =
                json!(*g.pick(&["begin", "end", "fail", "cancel", "timeout", "done", "failed", "fallback"]))
        }
        4 => {
            events[i]["phase"] =
                json!(*g.pick(&["work", "wait", "backoff", "acquire", "release", "fetch", "process", "save", "task"]))
        }
        5 => {
            events.remove(i);
        }
        6 => {
            let copy = events[i].clone();
            events.insert(i, copy);
        }
        7 => events.swap(i, g.below(n)),
        _ => {
            let key = g.key();
            v["scenario"]["params"][key] = g.json_value(2);
        }
    }
}

#[test]
fn run_json_texts() {
    fuzz("run", |g| {
        if let Ok(run) = Run::from_json(&mutated_run(g)) {
            check_run_round_trip(&run);
        }
    });
}

#[test]
fn post_message_commands() {
    fuzz("command", |g| {
        let kind = *g.pick(&["hello", "run", "set", "play", "pause", "seek", "load", "eval", "ready"]);
        let mut message = json!({"type": format!("awaitlab:{kind}")});
        match g.below(4) {
            0 => message["params"] = g.json_value(0),
            1 => message["ms"] = g.json_value(1),
            2 => message["run"] = json!(mutated_run(g)),
            _ => message["run"] = serde_json::from_str(&mutated_run(g)).unwrap_or(Value::Null),
        }
        let text = if g.chance(10) { g.text() } else { message.to_string() };
        if let Ok(Some(awaitlab::core::message::Command::Run(pairs) | awaitlab::core::message::Command::Set(pairs))) =
            parse_command(&text)
        {
            check_scenario(&parse(&pairs).0);
        }
    });
}
