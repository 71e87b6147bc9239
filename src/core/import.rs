//! Reading a Run JSON back ([`Run::from_json`]).
//!
//! The text is read field by field into typed values, never into a `serde_json::Value` of the
//! whole file (a 50 MB file took 830 MB that way), and every list is capped while it is read.
//! The run is then checked against what a run of its scenario can be ([`budget`]): as many
//! events as its plan allows, times within its longest makespan, and spans that begin before
//! they close, close once and never overlap on one lane. The summary is recomputed, not trusted.

use std::fmt;
use std::marker::PhantomData;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::budget::{self, MAX_EVENTS, MAX_KEYS, MAX_LABEL_BYTES, MAX_RUN_BYTES};
use super::event::{Event, Kind, Phase, Text};
use super::export::phase_name;
use super::run::{lanes, to_microsecond, Run, RunScenario, Summary, RUN_FORMAT, RUN_VERSION};
use super::scenario::{ClockKind, Pattern, Scenario, MAX_TASKS};
use super::spans::{spans, Step};

/// The top level of a Run JSON, each field kept as text until the ones before it are checked
/// (a file of another format gets "format is …", not an error about its events). `summary` is
/// only compared with the one the events give ([`summary_note`]); unknown fields are skipped
/// without being stored.
#[derive(Deserialize)]
struct RunFile<'a> {
    #[serde(borrow)]
    format: Option<&'a RawValue>,
    #[serde(borrow)]
    version: Option<&'a RawValue>,
    #[serde(borrow)]
    scenario: Option<&'a RawValue>,
    #[serde(borrow)]
    clock: Option<&'a RawValue>,
    #[serde(borrow)]
    labels: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Option<&'a RawValue>,
    #[serde(borrow)]
    calibration: Option<&'a RawValue>,
    #[serde(borrow)]
    summary: Option<&'a RawValue>,
    /// Only to tell a Chrome trace ([`super::export::chrome_trace`]) from a run.
    #[serde(borrow, rename = "traceEvents")]
    trace_events: Option<&'a RawValue>,
}

/// What to do instead when the file is one of awaitlab's other exports.
const IMPORT_THE_RUN_JSON: &str = ", which awaitlab cannot read back: import the run's Run JSON instead";

/// `scenario`: its parameters (at most [`MAX_KEYS`], each a number, string, boolean or null) and
/// its seed.
#[derive(Deserialize)]
struct ScenarioFile {
    #[serde(deserialize_with = "capped_params")]
    params: Map<String, Value>,
    seed: u64,
}

/// Reads a Run JSON; see the module docs. Every problem is an error message, never a panic.
pub fn read_run(text: &str) -> Result<Run, String> {
    if text.len() > MAX_RUN_BYTES {
        let (mb, max) = (text.len() as f64 / 1e6, MAX_RUN_BYTES as f64 / 1e6);
        return Err(format!("the file is {mb:.1} MB; awaitlab reads runs up to {max:.1} MB"));
    }
    let file = read_top(text)?;
    let version = check_header(&file)?;
    let scenario_file: ScenarioFile = field(file.scenario, "scenario")?;
    let clock: ClockKind = field(file.clock, "clock")?;
    let labels = match file.labels {
        Some(raw) => read_list(raw, MAX_TASKS as usize, "lane labels")?,
        None => Vec::new(),
    };
    let Some(events) = file.events else { return Err("not a valid run: it has no \"events\"".into()) };
    let mut events: Vec<Event> = read_list(events, MAX_EVENTS as usize, "events")?;
    let mut run = Run {
        format: RUN_FORMAT.into(),
        version,
        scenario: RunScenario { params: scenario_file.params, seed: scenario_file.seed },
        clock,
        labels,
        events: Vec::new(),
        summary: Summary::default(),
        calibration: match file.calibration {
            Some(raw) => Some(field(Some(raw), "calibration")?),
            None => None,
        },
        import_note: None,
    };
    let scenario =
        run.parsed_scenario().map_err(|errs| errs.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))?;
    check_scenario(&run, &scenario, lanes(&scenario, &events))?;
    for label in &mut run.labels {
        if let Some(tidy) = budget::tidy_label(label) {
            *label = tidy;
        }
    }
    tidy_details(&mut events);
    check_events(&events, &scenario, clock)?;
    run.summary = Summary::of(lanes(&scenario, &events), &events);
    run.import_note = file.summary.and_then(|raw| summary_note(raw, &run.summary));
    if let Some(open) = unfinished_note(&events, &scenario) {
        run.import_note = Some(match run.import_note.take() {
            Some(said) => format!("{said} {open}"),
            None => open,
        });
    }
    run.events = events;
    Ok(run)
}

/// What the page says when the file's own summary disagrees with the one its events give (events
/// removed or edited by hand): the run is what its events are, and that changes nothing silently.
/// A figure the file leaves out (files before `cancelled` and `timed_out`) is not compared.
fn summary_note(raw: &RawValue, s: &Summary) -> Option<String> {
    // Read as params are (a few scalars; a summary is a few hundred bytes, a bigger one is not read).
    let text = raw.get();
    let stored = (text.len() < 4096).then(|| capped_params(&mut serde_json::Deserializer::from_str(text)).ok());
    let Some(stored) = stored.flatten() else {
        return Some("Its file's summary is not one awaitlab writes; the figures are its events'.".into());
    };
    let n = f64::from;
    let figures = [
        ("tasks", n(s.tasks)),
        ("makespan_ms", s.makespan_ms),
        ("peak_concurrency", n(s.peak_concurrency)),
        ("attempts", n(s.attempts)),
        ("failed_attempts", n(s.failed_attempts)),
        ("failures", n(s.failures)),
        ("cancelled", n(s.cancelled)),
        ("timed_out", n(s.timed_out)),
        ("busy_ms", s.busy_ms),
    ];
    let mut off = Vec::new();
    for (key, given) in figures {
        let Some(file) = stored.get(key) else { continue };
        // Both to the microsecond, as the page says figures (a browser run's are float noise).
        let given = to_microsecond(given);
        let file = match file.as_f64().map(to_microsecond) {
            Some(f) if (f - given).abs() <= 1e-9 * given.abs().max(1.0) => continue,
            Some(f) => ms_text(f),
            None => file.to_string(),
        };
        off.push(format!("{key} {file} (events: {})", ms_text(given)));
    }
    (!off.is_empty()).then(|| {
        format!("Its file's summary disagrees with its events: {}; the figures are the events'.", off.join(", "))
    })
}

/// What the page says when tasks have no end (no `done`, `failed` or `fallback` event), which
/// every task of a built-in pattern's run has: events were removed from the file (its summary
/// does not show it: a task still counts without its end). Nothing recorded is lost, so the run
/// imports as what its events are. A program's tasks may never end (left pending, or stopped
/// at the budget), so a code run is not checked.
fn unfinished_note(events: &[Event], scenario: &Scenario) -> Option<String> {
    if scenario.pattern == Pattern::Code {
        return None;
    }
    let mut ended = vec![false; lanes(scenario, events) as usize];
    for e in events {
        if matches!(e.kind, Kind::Done | Kind::Failed | Kind::Fallback) && (e.task as usize) < ended.len() {
            ended[e.task as usize] = true;
        }
    }
    let mut open = ended.iter().enumerate().filter(|(_, ended)| !**ended).map(|(t, _)| t);
    let first = open.next()?;
    let who = match open.count() {
        0 => format!("Task {first} has"),
        more => format!("{} tasks, from task {first}, have", more + 1),
    };
    Some(format!("{who} no end in its file (no done, failed or fallback event)."))
}

/// The top level, or why the text is not a JSON object.
fn read_top(text: &str) -> Result<RunFile<'_>, String> {
    if text.trim_start().starts_with("<svg") {
        return Err(format!("this is an SVG picture of a run{IMPORT_THE_RUN_JSON}"));
    }
    if !text.trim_start().starts_with('{') {
        return match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err("not an awaitlab run: the file is not a JSON object".into()),
            Err(e) => Err(format!("not valid JSON: {e}")),
        };
    }
    serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("not a valid run: {e}"),
        _ => format!("not valid JSON: {e}"),
    })
}

/// Checks `format` and `version`; returns the version.
fn check_header(file: &RunFile) -> Result<u32, String> {
    match file.format.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok()).as_deref() {
        Some(RUN_FORMAT) => {}
        Some(other) => {
            let shown: String = other.chars().take(40).collect();
            return Err(format!("format is \"{shown}\", expected \"{RUN_FORMAT}\""));
        }
        None if file.trace_events.is_some() => {
            return Err(format!("this is a Chrome trace (Trace Event JSON) of a run{IMPORT_THE_RUN_JSON}"))
        }
        None => return Err(format!("not an awaitlab run: no \"format\": \"{RUN_FORMAT}\"")),
    }
    match file.version.and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok()) {
        Some(v) if (1..=u64::from(RUN_VERSION)).contains(&v) => Ok(v as u32),
        Some(0) => Err("version 0 is not a version awaitlab ever wrote (they start at 1)".into()),
        Some(v) => Err(format!("version {v} is newer than this awaitlab reads (up to {RUN_VERSION})")),
        None => Err("version must be a whole number".into()),
    }
}

/// A required field, typed.
fn field<T: for<'de> Deserialize<'de>>(raw: Option<&RawValue>, name: &str) -> Result<T, String> {
    let raw = raw.ok_or_else(|| format!("not a valid run: it has no \"{name}\""))?;
    serde_json::from_str(raw.get()).map_err(|e| format!("not a valid run: {name}: {e}"))
}

/// A JSON list of at most `max` items, refused as soon as it has one more.
fn read_list<T: for<'de> Deserialize<'de>>(raw: &RawValue, max: usize, what: &str) -> Result<Vec<T>, String> {
    let mut reader = serde_json::Deserializer::from_str(raw.get());
    let list = CappedList { max, what, item: PhantomData }
        .deserialize(&mut reader)
        .map_err(|e| format!("not a valid run: {what}: {e}"))?;
    Ok(list)
}

/// Reads a list, failing once it passes `max` items (before storing more).
struct CappedList<'w, T> {
    max: usize,
    what: &'w str,
    item: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for CappedList<'_, T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CappedList<'_, T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element()? {
            if out.len() == self.max {
                let (max, what) = (self.max, self.what);
                return Err(de::Error::custom(format!("more than {max} {what}; awaitlab reads runs of up to {max}")));
            }
            out.push(item);
        }
        Ok(out)
    }
}

/// `params`: at most [`MAX_KEYS`] keys, each value a number, string, boolean or null.
fn capped_params<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    struct Params;
    impl<'de> Visitor<'de> for Params {
        type Value = Map<String, Value>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "an object of at most {MAX_KEYS} parameters")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.len() == MAX_KEYS {
                    return Err(de::Error::custom(format!(
                        "more than {MAX_KEYS} parameters; awaitlab reads at most {MAX_KEYS}"
                    )));
                }
                let Scalar(value) = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Params)
}

/// A parameter's value: a number, string, boolean or null (a list or object is refused before
/// it is read).
struct Scalar(Value);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'v> Visitor<'v> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a string, a boolean or null")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
        }
        d.deserialize_any(V).map(Scalar)
    }
}

/// The seed and the labels agree with the scenario.
fn check_scenario(run: &Run, scenario: &Scenario, tasks: u32) -> Result<(), String> {
    if run.scenario.seed != scenario.seed {
        return Err(format!("scenario.seed is {} but its params say seed {}", run.scenario.seed, scenario.seed));
    }
    if !run.labels.is_empty() && run.labels.len() != tasks as usize {
        return Err(format!("{} lane labels for {tasks} tasks", run.labels.len()));
    }
    if let Some(label) = run.labels.iter().find(|l| l.len() > MAX_LABEL_BYTES) {
        return Err(format!("a lane label is {} bytes long; at most {MAX_LABEL_BYTES}", label.len()));
    }
    Ok(())
}

/// Tidies details as the recorder does (files written before it did may have longer ones).
fn tidy_details(events: &mut [Event]) {
    let room = budget::DetailRoom::default();
    for e in events {
        if let Some(tidy) = room.tidy(e.kind, &e.detail) {
            e.detail = Text::from(tidy);
        }
    }
}

/// Every event is one a run of `scenario` on `clock` can record, in an order it can record them.
pub fn check_events(events: &[Event], scenario: &Scenario, clock: ClockKind) -> Result<(), String> {
    let most = budget::max_events(scenario, clock);
    if events.len() as u64 > most {
        let n = events.len();
        return Err(format!("{n} events; a run of this scenario on the {} clock records at most {most}", clock.key()));
    }
    check_ranges(events, scenario, clock)?;
    if let Some(w) = events.windows(2).find(|w| w[1].t < w[0].t) {
        let (later, earlier) = ms_texts(w[1].t, w[0].t);
        return Err(format!("events out of order: {later} ms after {earlier} ms"));
    }
    // A code run's task may nest spans (the reader's `__aenter__` sleeping inside its acquire).
    check_spans(events, scenario.pattern == Pattern::Code)
}

/// Times, tasks and attempts within what the scenario allows.
/// A time for a message: to the microsecond, as the page says times (`1053.2`, not the
/// `1053.1999999999534` a browser run's float sums leave), in exponent form past a trillion (an
/// imported `t: 1e308` printed 309 digits).
fn ms_text(t: f64) -> String {
    if t.abs() >= 1e12 {
        return format!("{t:e}");
    }
    super::timeline::fixed_trimmed(t, 3)
}

/// Two times a message compares ([`ms_text`]), written in full when they would read the same.
fn ms_texts(a: f64, b: f64) -> (String, String) {
    match (ms_text(a), ms_text(b)) {
        (x, y) if x == y => (format!("{a}"), format!("{b}")),
        pair => pair,
    }
}

fn check_ranges(events: &[Event], scenario: &Scenario, clock: ClockKind) -> Result<(), String> {
    let tasks = lanes(scenario, events);
    let latest = budget::max_event_ms(scenario, clock);
    // A program numbers the spans of a lane as it likes (one per await); the interpreter bounds them.
    let attempts = match scenario.pattern {
        Pattern::Retry => scenario.retries,
        Pattern::Code => u32::MAX,
        _ => 1,
    };
    let out_of_range = |e: &&Event| !(e.t.is_finite() && e.t >= 0.0 && e.t <= latest) || e.task >= tasks;
    if let Some(e) = events.iter().find(out_of_range) {
        // A program's runs have no planned end: only the time itself can be out of range there.
        let (at, end_ms) = ms_texts(e.t, latest);
        let end =
            if latest < f64::MAX { format!(" and its {} runs end by {end_ms} ms", clock.key()) } else { String::new() };
        return Err(format!("event out of range: task {} at {at} ms (this scenario has {tasks} tasks{end})", e.task));
    }
    let bad_attempt = |e: &&Event| match e.phase {
        Phase::Task => e.attempt != 0,
        _ => e.attempt == 0 || e.attempt > attempts,
    };
    if let Some(e) = events.iter().find(bad_attempt) {
        return Err(format!(
            "event out of range: task {} has attempt {} in its {} event at {} ms (spans count attempts from 1 to {attempts}, task events have 0)",
            e.task,
            e.attempt,
            phase_name(e.phase),
            e.t
        ));
    }
    Ok(())
}

/// Spans begin once, end once after they began, and at most one is in flight per lane (unless
/// `nesting`: a code run's); each task finishes at most once; nothing is left open.
fn check_spans(events: &[Event], nesting: bool) -> Result<(), String> {
    let mut in_flight: FxHashMap<u32, Phase> = FxHashMap::default();
    let mut finished: FxHashSet<u32> = FxHashSet::default();
    let mut walk = spans(events);
    for step in walk.by_ref() {
        let e = step.event();
        let (task, attempt, phase, t) = (e.task, e.attempt, phase_name(e.phase), e.t);
        let is_task = e.phase == Phase::Task;
        match step {
            Step::Begin { .. } if is_task => return Err(format!("task {task} begins a span of phase task at {t} ms")),
            Step::Begin { reopened, .. } => {
                if reopened {
                    return Err(format!(
                        "task {task} begins its {phase} span (attempt {attempt}) twice, again at {t} ms"
                    ));
                }
                let flies = e.phase.is_active() && !nesting;
                if let Some(other) = flies.then(|| in_flight.insert(task, e.phase)).flatten() {
                    let other = phase_name(other);
                    return Err(format!("task {task} has two spans in flight at once: {other} and {phase} at {t} ms"));
                }
            }
            Step::Close { begin, .. } => {
                if is_task || begin.is_none() {
                    return Err(format!(
                        "task {task} ends a {phase} span (attempt {attempt}) at {t} ms that never began"
                    ));
                }
                if e.phase.is_active() {
                    in_flight.remove(&task);
                }
            }
            Step::Mark { .. } if !is_task => {
                return Err(format!("task {task} has a task-level event with phase {phase} at {t} ms"))
            }
            // A code run's task is created, and prints, before it finishes.
            Step::Mark { .. } if matches!(e.kind, Kind::Spawn | Kind::Print) => {}
            Step::Mark { .. } if !finished.insert(task) => {
                return Err(format!("task {task} finishes twice, again at {t} ms"))
            }
            Step::Mark { .. } => {}
        }
    }
    match walk.still_open().min_by(|a, b| a.1.t.total_cmp(&b.1.t).then(a.0.cmp(&b.0))) {
        Some(((task, attempt, phase), opened)) => Err(format!(
            "task {task}'s {} span (attempt {attempt}) begins at {} ms and never ends",
            phase_name(phase),
            opened.t
        )),
        None => Ok(()),
    }
}
