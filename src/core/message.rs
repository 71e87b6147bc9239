// Over 400 lines: a quarter of it is tests of what a hostile page may post.
//! The embed's postMessage API, pure: commands a host page sends (validated here, shape, types and
//! size), who may send them and what they may start ([`EmbedPolicy`]), and the view options of an
//! embed link (`embed`, `theme`, `controls`, `autoplay`, `code`, `predicted`).
//!
//! A message is for awaitlab when its `type` starts with `awaitlab:`; others are ignored (pages
//! post all sorts of messages). Commands: `hello` (the handshake), `run` and `set` (with
//! `params`, keyed like the URL), `play`, `pause`, `seek` (`ms`), `load` (`run`: a Run JSON
//! object or text). Anything else addressed to awaitlab is an error with a message.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::guess::Guess;
use super::replay::SPEEDS;
use super::run::Run;
use super::scenario::{is_known_key, param, program, ClockKind, ParamKind, Pattern, Scenario, Source, VIEW_KEYS};

/// Largest message other than `load`, as JSON text: 64 KB, and room for a program at its
/// longest (`run` with `code`), which JSON may write up to 6 bytes a byte (`\u0001`).
pub const MAX_COMMAND_BYTES: usize = 65_536 + 6 * super::budget::MAX_SOURCE_BYTES;
/// Largest `load` message, as JSON text: a recorded browser run of 10,000 tasks is 2-6 MB. Bigger
/// runs (a 100,000-task prediction is 23 MB) go through Import, or are re-run with `clock=virtual`.
pub const MAX_LOAD_BYTES: usize = 16_000_000;
/// Most keys in `params`: the scenario budget's, so a message refuses what a link refuses.
pub const MAX_PARAMS: usize = super::budget::MAX_KEYS;
/// Most origins one embed link may allow with `origin=`.
pub const MAX_ORIGINS: usize = 16;

/// Why a run on the browser clock gave no result: `awaitlab.run` rejects with it.
pub const RUN_CANCELLED: &str = "the run was cancelled before it finished: another run started, or Cancel was pressed";
/// What a page's postMessage `run` is answered with when its run is cancelled before it finishes
/// (JSON text: the page posts it as it is).
pub const RUN_CANCELLED_EVENT: &str = r#"{"type":"awaitlab:error","command":"run","cancelled":true,"message":"the run was cancelled before it finished: another run started, or Cancel was pressed"}"#;

/// A validated command from the host page.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Hello,
    Run(Vec<(String, String)>),
    Set(Vec<(String, String)>),
    Play,
    Pause,
    Seek(f64),
    Load(Box<Run>),
}

impl Command {
    /// The command's name, as in its `type` after `awaitlab:`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Hello => "hello",
            Command::Run(_) => "run",
            Command::Set(_) => "set",
            Command::Play => "play",
            Command::Pause => "pause",
            Command::Seek(_) => "seek",
            Command::Load(_) => "load",
        }
    }
}

/// A parameter's value as a sender wrote it, before it becomes text for `Scenario::parse`.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Text(String),
    /// A number, as its sender's own text (JSON's, or JavaScript's for `window.awaitlab`).
    Number(String),
    Bool(bool),
    /// `null` (or JavaScript's `undefined`): no value, as a Run JSON writes a run without a
    /// `limit` (`"limit": null`), so a run's own params can be run again.
    Null,
    /// Anything else (an array, an object…).
    Other,
}

/// One parameter as a `(key, text)` pair, by the one rule of every channel (postMessage and
/// `window.awaitlab`): strings as they are, numbers as their text, booleans as 1 / 0 for an
/// on/off key ([`takes_boolean`]), `null` as no pair (the key keeps its default), anything else an
/// error naming the key (`tasks: true` ran 1 task).
pub fn param_pair(key: String, value: ParamValue) -> Result<Option<(String, String)>, String> {
    let text = match value {
        ParamValue::Null if is_known_key(&key) => return Ok(None),
        ParamValue::Text(s) => s,
        // `code: 42` is no program: 42 would run as one.
        ParamValue::Number(_) | ParamValue::Bool(_) if key == "code" => {
            return Err("code must be the program's source, a string".into())
        }
        ParamValue::Number(s) => s,
        ParamValue::Bool(b) if !takes_boolean(&key) => {
            return Err(format!("{key} must be a number or a string, not the boolean {b}"))
        }
        ParamValue::Bool(b) => if b { "1" } else { "0" }.to_string(),
        // Named as unknown by the scenario (with the known keys) whatever its value.
        ParamValue::Null | ParamValue::Other if !is_known_key(&key) => String::new(),
        ParamValue::Null | ParamValue::Other => return Err(format!("{key} must be a number or a string")),
    };
    Ok(Some((key, text)))
}

/// Whether `true` / `false` is a value of `key`, as it is in a link: an on/off key of the scenario
/// (`hold`, as a link's `hold=true`) or of the view ([`ON_OFF_VIEW_KEYS`], left to the view, as in
/// a link), or a key awaitlab does not know (refused by name as unknown). A number, a choice or
/// another view key (`theme`, `speed`, `v`…) is not one.
fn takes_boolean(key: &str) -> bool {
    match param(key) {
        Some(p) => matches!(p.kind, ParamKind::Flag { .. }),
        None => ON_OFF_VIEW_KEYS.contains(&key) || !VIEW_KEYS.contains(&key),
    }
}

/// The scenario `pairs` describe, or one message naming every bad key. A program (`code`) without
/// a `pattern` is a code scenario: `awaitlab.run({code})` runs it. Its syntax is not checked here
/// ([`code_to_check`]).
pub fn parse_scenario(pairs: &[(String, String)]) -> Result<Scenario, String> {
    let has = |key: &str| pairs.iter().any(|(k, _)| k == key);
    let implied = (has("code") && !has("pattern")).then_some(("pattern", "code"));
    let scenario = Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(implied))
        .map_err(|errs| errs.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))?;
    Ok(scenario)
}

/// The program a command's scenario asks to check before it is carried out: a script gets a
/// program's syntax error before anything runs (the editor shows it as typed). The parser is in
/// the py_runner module (issue 16), so the caller asks it and reports [`code_error`].
pub fn code_to_check(scenario: &Scenario) -> Option<&str> {
    (scenario.pattern == Pattern::Code).then_some(scenario.code.as_str())
}

/// How a command reports its program's syntax error `e`: `code: line 1, column 7: …`.
pub fn code_error(e: &super::py::CodeError) -> String {
    format!("code: {e}")
}

/// `awaitlab:finished`, posted to the host page when run number `n` joins the history.
pub fn finished(n: u32, run: &Run) -> Value {
    serde_json::json!({
        "type": "awaitlab:finished", "run": n, "clock": run.clock.key(),
        "summary": serde_json::to_value(run.summary.clone().reported()).unwrap_or_default(),
    })
}

/// A seek to `ms`, when it is a number of milliseconds, 0 or more.
pub fn seek_command(ms: Option<f64>) -> Option<Command> {
    ms.filter(|ms| ms.is_finite() && *ms >= 0.0).map(Command::Seek)
}

/// A load of the Run JSON `text`, or why it cannot be loaded.
pub fn load_command(text: &str) -> Result<Command, String> {
    Run::from_json(text).map(|run| Command::Load(Box::new(run))).map_err(|e| format!("load: {e}"))
}

/// Refuses params of more than [`MAX_PARAMS`] keys before they are read one by one.
pub fn check_param_count(keys: usize) -> Result<(), String> {
    match keys > MAX_PARAMS {
        true => Err(format!("params has {keys} keys; at most {MAX_PARAMS}")),
        false => Ok(()),
    }
}

/// A command's `params` as `(key, text)` pairs for `Scenario::parse` (see [`param_pair`]).
pub fn params_pairs(params: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    let Some(params) = params.filter(|p| !p.is_null()) else { return Ok(Vec::new()) };
    let Some(map) = params.as_object() else {
        return Err("params must be an object like {\"pattern\": \"gather\", \"tasks\": 50}".into());
    };
    check_param_count(map.len())?;
    map.iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::String(s) => ParamValue::Text(s.clone()),
                Value::Number(n) => ParamValue::Number(n.to_string()),
                Value::Bool(b) => ParamValue::Bool(*b),
                Value::Null => ParamValue::Null,
                _ => ParamValue::Other,
            };
            param_pair(k.clone(), value).transpose()
        })
        .collect()
}

/// A message's fields, read in one pass: `run` stays as its JSON text, so a `load` is parsed once
/// (by [`Run::from_json`]) rather than built into a tree, printed and parsed again.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: Option<Value>,
    params: Option<Value>,
    ms: Option<Value>,
    #[serde(borrow)]
    run: Option<&'a RawValue>,
}

/// The commands a page may send, by name (`awaitlab:<name>`).
const COMMANDS: &[&str] = &["hello", "run", "set", "play", "pause", "seek", "load"];

/// [`parse_command`], with the name of the command an error is about (`run` for an
/// `awaitlab:run` whose params are not an object): the `command` of the `awaitlab:error` reply.
pub fn parse_command_for_reply(text: &str) -> Result<Option<Command>, (String, Option<&'static str>)> {
    parse_command(text).map_err(|message| {
        let named = serde_json::from_str::<Envelope>(text).ok().and_then(|m| {
            let name = m.kind.as_ref()?.as_str()?.strip_prefix("awaitlab:")?.to_owned();
            COMMANDS.iter().copied().find(|c| *c == name)
        });
        (message, named)
    })
}

/// Reads one message (as JSON text, e.g. `JSON.stringify(event.data)`). `Ok(None)` when it is not
/// addressed to awaitlab; an error message when it is but is not a valid command.
pub fn parse_command(text: &str) -> Result<Option<Command>, String> {
    if text.len() > MAX_LOAD_BYTES {
        return Err(format!(
            "message of {:.1} MB is too large (awaitlab:load takes up to {} MB, other commands {} KB)",
            text.len() as f64 / 1e6,
            MAX_LOAD_BYTES / 1_000_000,
            MAX_COMMAND_BYTES / 1024
        ));
    }
    // Only objects can be commands (a struct would also read an array, field by field).
    if !text.trim_start().starts_with('{') {
        return Ok(None);
    }
    let message: Envelope = match serde_json::from_str(text) {
        Ok(m) => m,
        // Messages that are not JSON-like objects are someone else's.
        Err(_) if !text.contains("awaitlab:") => return Ok(None),
        Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
            return Err("message is nested too deeply: awaitlab reads objects up to 127 levels deep".into())
        }
        Err(e) => return Err(format!("message is not valid JSON: {e}")),
    };
    let Some(kind) = message.kind.as_ref().and_then(Value::as_str) else { return Ok(None) };
    let Some(name) = kind.strip_prefix("awaitlab:") else { return Ok(None) };
    if name != "load" && text.len() > MAX_COMMAND_BYTES {
        let kb = text.len() as f64 / 1024.0;
        return Err(format!("{name} message of {kb:.1} KB is too large (at most {} KB)", MAX_COMMAND_BYTES / 1024));
    }
    let command = match name {
        "hello" => Command::Hello,
        "play" => Command::Play,
        "pause" => Command::Pause,
        "run" => Command::Run(params_pairs(message.params.as_ref())?),
        "set" => Command::Set(params_pairs(message.params.as_ref())?),
        "seek" => seek_command(message.ms.as_ref().and_then(Value::as_f64))
            .ok_or("seek needs ms: a number of milliseconds, 0 or more")?,
        "load" => load_run(message.run)?,
        // Events awaitlab itself posts: echoes, not commands.
        "ready" | "height" | "finished" | "error" => return Ok(None),
        other => {
            let shown: String = other.chars().take(40).collect();
            return Err(format!("unknown command \"awaitlab:{shown}\" (known: {})", COMMANDS.join(", ")));
        }
    };
    Ok(Some(command))
}

/// A `load` message's `run`: the Run JSON object as it was written, or a string holding it.
fn load_run(run: Option<&RawValue>) -> Result<Command, String> {
    let needs = || "load needs run: the Run JSON (an object or its text)".to_string();
    let text = run.map(RawValue::get).ok_or_else(needs)?;
    if text.starts_with('{') {
        load_command(text)
    } else if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).map_err(|e| format!("load: {e}"))?;
        load_command(&inner)
    } else {
        Err(needs())
    }
}

/// What an embed's own link lets other pages do: who may send it commands, and whether a command
/// may make real requests. Read once from the link the host page put in the iframe's `src`; no
/// message can widen it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbedPolicy {
    /// Origins allowed besides the parent (`origin=`), written as browsers write `event.origin`.
    pub origins: Vec<String>,
    /// Commands may run `source=fetch` on the browser clock: the link says `fetch=1`, or is itself
    /// a `source=fetch` scenario (its host already chose real requests).
    pub fetch: bool,
}

impl EmbedPolicy {
    /// Reads `origin` (repeated or comma-separated) and `fetch` / `source` from a link's pairs. A
    /// bad origin is left out and reported: the embed then takes less, never more.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (EmbedPolicy, Vec<String>) {
        let (mut policy, mut problems) = (EmbedPolicy::default(), Vec::new());
        for (k, v) in pairs {
            match k {
                "fetch" => policy.fetch |= matches!(v, "1" | "true" | "yes"),
                "source" => policy.fetch |= v == "fetch",
                "origin" => {
                    for item in v.split(',') {
                        match parse_origin(item) {
                            Ok(_) if policy.origins.len() >= MAX_ORIGINS => problems
                                .push(format!("origin: at most {MAX_ORIGINS} origins; {} left out", item.trim())),
                            Ok(o) if !policy.origins.contains(&o) => policy.origins.push(o),
                            Ok(_) => {}
                            Err(e) => problems.push(format!("origin: {e}")),
                        }
                    }
                }
                _ => {}
            }
        }
        (policy, problems)
    }

    /// Whether a message's sender may command the embed: the window it is framed in always (a page
    /// that is not framed is its own parent, so only its own scripts), any other window (a
    /// sibling frame, an opener, a popup) only from an origin the link allows. `origin` is the
    /// message's `event.origin`; an opaque one (`null`) is never on the list.
    pub fn allows_sender(&self, from_parent: bool, origin: &str) -> bool {
        from_parent || self.origins.iter().any(|o| o == origin)
    }

    /// Whether a command may run or prepare `scenario`: real requests (`source=fetch` on the
    /// browser clock) need the link's consent; a message alone never grants it.
    pub fn check_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        let browser = scenario.clock == ClockKind::Browser;
        if browser && scenario.source == Source::Fetch && !self.fetch {
            return Err("source=fetch makes real requests, and this embed's link does not allow them: the host page \
                        adds fetch=1 to the iframe's src (source=sleep and clock=virtual need nothing)"
                .into());
        }
        // A program's only way to the network is aiohttp (the supported subset has no other).
        if browser && scenario.pattern == Pattern::Code && scenario.code.contains("aiohttp") && !self.fetch {
            return Err("this code uses aiohttp, whose requests are real, and this embed's link does not allow them: \
                        the host page adds fetch=1 to the iframe's src (clock=virtual needs nothing)"
                .into());
        }
        Ok(())
    }

    /// Whether a `set` of `keys` may leave the form at `merged`: as [`Self::check_scenario`], when
    /// the set itself picks where requests go (`source`, `clock`, `url`). A reader who chose
    /// `source=fetch` in the form still gets the host's other edits.
    pub fn check_set<'a>(&self, mut keys: impl Iterator<Item = &'a str>, merged: &Scenario) -> Result<(), String> {
        if keys.any(|k| matches!(k, "source" | "clock" | "url" | "pattern" | "code")) {
            return self.check_scenario(merged);
        }
        Ok(())
    }
}

/// One allowed origin, strictly `scheme://host[:port]` (http or https, no path, no user), in the
/// form browsers give `event.origin`: lowercase, the scheme's default port left out.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let shown: String = text.chars().take(60).collect();
    let bad = |why: &str| format!("\"{shown}\" is not an origin like https://host.example: {why}");
    if text.len() > 300 {
        return Err(bad("too long"));
    }
    let lower = text.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(|| bad("no scheme://"))?;
    let default_port = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad("the scheme must be http or https")),
    };
    if let Some(c) = rest.chars().find(|c| matches!(c, '/' | '?' | '#' | '@' | '\\')) {
        return Err(bad(&format!("only scheme://host[:port], no path, query or user ('{c}')")));
    }
    let (host, port) = split_port(rest).map_err(|why| bad(&why))?;
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        host.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    };
    if !host_ok {
        return Err(bad(
            "the host must be a name (international names in punycode, xn--), an IPv4 or a [IPv6] address",
        ));
    }
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Splits `host[:port]`; the port is a number from 1 to 65535.
fn split_port(rest: &str) -> Result<(&str, Option<u16>), String> {
    let colon = if rest.starts_with('[') {
        rest.find(']').map(|i| i + 1).filter(|&i| rest[i..].starts_with(':'))
    } else {
        rest.rfind(':')
    };
    let Some(i) = colon else { return Ok((rest, None)) };
    let digits = &rest[i + 1..];
    match digits.parse::<u16>() {
        Ok(p) if p > 0 && digits.chars().all(|c| c.is_ascii_digit()) => Ok((&rest[..i], Some(p))),
        _ => Err(format!(
            "the port must be a number from 1 to 65535, got \"{}\"",
            digits.chars().take(10).collect::<String>()
        )),
    }
}

/// Color theme of an embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    /// Follow the host's (the system's) preference.
    #[default]
    Auto,
}

/// Which scenario fields an embed shows (`controls=`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ControlsView {
    /// No `controls` key: the whole form on the lab page, the compact bar in an embed.
    #[default]
    Default,
    /// `controls=1`: the whole form, in an embed too.
    All,
    /// `controls=0`: no form at all (the host page drives the embed).
    Hidden,
    /// `controls=limit,tasks`: an embed's compact bar with these fields only, in this order.
    Only(Vec<&'static str>),
}

/// Most fields `controls=` may name.
pub const MAX_CONTROL_KEYS: usize = 6;

/// How an embed link asks to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewOptions {
    pub embed: bool,
    pub theme: Theme,
    pub controls: ControlsView,
    pub autoplay: bool,
    /// `code=1`: an embed shows the code panel too.
    pub code: bool,
    /// `predicted=1`: an embed keeps the predicted-only timeline beside the measured one after a
    /// run (by default the measured run shows the prediction as an outline only).
    pub predicted: bool,
    /// `speed=`: the speed every finished run replays at, within [`SPEEDS`].
    pub speed: Option<f64>,
    /// `axis=`: the least time, in ms, the time axis covers, so that embeds set side by side
    /// (sequential beside gather) draw their runs on one scale.
    pub axis_ms: Option<f64>,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            embed: false,
            theme: Theme::Auto,
            controls: ControlsView::Default,
            autoplay: false,
            code: false,
            predicted: false,
            speed: None,
            axis_ms: None,
        }
    }
}

/// The longest time axis a link may ask for (`axis=`), in ms: an hour.
pub const MAX_AXIS_MS: f64 = 3_600_000.0;

/// A replay speed from a link: a number, clamped to [`SPEEDS`] (with a warning).
fn read_speed(value: &str, problems: &mut Vec<String>) -> Option<f64> {
    let Some(x) = value.trim().parse::<f64>().ok().filter(|x| x.is_finite()) else {
        problems.push(format!("speed={} is not a number; ignored", shown(value)));
        return None;
    };
    let clamped = x.clamp(SPEEDS.0, SPEEDS.1);
    if clamped != x {
        problems.push(format!("speed={} is outside {}–{}; replays at {clamped}×", shown(value), SPEEDS.0, SPEEDS.1));
    }
    Some(clamped)
}

/// The time axis a link asks for (`axis=`): a number of ms from 1 to [`MAX_AXIS_MS`].
fn read_axis(value: &str, problems: &mut Vec<String>) -> Option<f64> {
    let axis = value.trim().parse::<f64>().ok().filter(|x| (1.0..=MAX_AXIS_MS).contains(x));
    if axis.is_none() {
        problems.push(format!("axis={} is not a time in ms from 1 to {MAX_AXIS_MS}; ignored", shown(value)));
    }
    axis
}

/// The view keys a link turns on or off with [`switch`]'s words (`controls` also takes keys;
/// `fetch` is the [`EmbedPolicy`]'s).
const ON_OFF_VIEW_KEYS: &[&str] = &["embed", "autoplay", "predicted", "controls", "fetch"];

/// A strict on/off view value: `1`/`true`/`yes` or `0`/`false`/`no`.
fn switch(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        other => Err(format!("{key}={} is not 1 or 0; ignored", shown(other))),
    }
}

/// A value as a warning shows it: at most 40 characters.
fn shown(value: &str) -> String {
    value.chars().take(40).collect()
}

/// `controls=`'s value: 0/1 as before, or a comma list of scenario keys (unknown ones are left
/// out and reported).
fn read_controls(value: &str, problems: &mut Vec<String>) -> ControlsView {
    match value {
        "0" | "false" | "no" => return ControlsView::Hidden,
        "1" | "true" | "yes" => return ControlsView::All,
        _ => {}
    }
    let mut keys: Vec<&'static str> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match Scenario::KEYS.iter().find(|k| **k == item) {
            Some(_) if keys.len() >= MAX_CONTROL_KEYS => {
                problems.push(format!("controls: at most {MAX_CONTROL_KEYS} fields; {} left out", shown(item)))
            }
            Some(k) if !keys.contains(k) => keys.push(k),
            Some(_) => {}
            None => problems.push(format!(
                "controls: \"{}\" is not a scenario key (controls takes 0, 1 or keys such as limit,tasks); left out",
                shown(item)
            )),
        }
    }
    ControlsView::Only(keys)
}

impl ViewOptions {
    /// Reads the view keys from a URL's pairs; unknown values keep the defaults.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ViewOptions {
        Self::read(pairs).0
    }

    /// As [`Self::from_pairs`], with a message for every view value that was not understood (and
    /// so left at its default) or was clamped (`speed`).
    pub fn read<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (ViewOptions, Vec<String>) {
        let mut o = ViewOptions::default();
        let mut problems = Vec::new();
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        // In a code scenario's link a `code` value that is no flag is its program, in either spelling.
        let has_program = pairs.contains(&("pattern", "code")) || program::implies_code_pattern(&pairs);
        for (k, v) in pairs {
            match k {
                "embed" | "autoplay" => match switch(k, v) {
                    Ok(b) if k == "embed" => o.embed = b,
                    Ok(b) => o.autoplay = b,
                    Err(e) => problems.push(e),
                },
                "speed" => o.speed = read_speed(v, &mut problems),
                "axis" => o.axis_ms = read_axis(v, &mut problems),
                "guess" if Guess::from_view(v).is_none() => {
                    problems.push(format!("guess={} is not makespan or peak; ignored", shown(v)))
                }
                "controls" => o.controls = read_controls(v, &mut problems),
                // A `code` value that is no flag is a code scenario's program (scenario::program),
                // not a view choice: the embed keeps its default (no code panel; the article
                // showing the embed shows the snippet).
                "code" if v.starts_with(program::LINK_MARKER) || (has_program && !program::is_view_flag(v)) => {}
                "code" | "predicted" => match switch(k, v) {
                    Ok(b) if k == "code" => o.code = b,
                    Ok(b) => o.predicted = b,
                    Err(e) => problems.push(e),
                },
                "theme" => {
                    o.theme = match v {
                        "light" => Theme::Light,
                        "dark" => Theme::Dark,
                        "auto" => Theme::Auto,
                        other => {
                            problems.push(format!("theme={} is not light, dark or auto; ignored", shown(other)));
                            Theme::Auto
                        }
                    }
                }
                _ => {}
            }
        }
        (o, problems)
    }

    /// An embed in its compact form: the timeline with one bar of controls (and the fields
    /// `controls=` names), unless the link asks for the whole form with `controls=1`.
    pub fn compact(&self) -> bool {
        self.embed && self.controls != ControlsView::All
    }

    /// Whether the page has a Run button: all but a compact embed with `controls=0`, which plays
    /// by itself (`autoplay=1`) or is run by the page around it.
    pub fn has_run_button(&self) -> bool {
        !(self.compact() && self.controls == ControlsView::Hidden)
    }

    /// The fields a compact embed shows (none for `controls=0` or no `controls`).
    pub fn fields(&self) -> Vec<&'static str> {
        match &self.controls {
            ControlsView::Only(keys) => keys.clone(),
            _ => Vec::new(),
        }
    }

    /// Classes for the page's root element.
    pub fn classes(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if self.embed {
            c.push("embed");
        }
        if self.compact() {
            c.push("compact");
        }
        if self.controls == ControlsView::Hidden {
            c.push("no-controls");
        }
        if self.code {
            c.push("show-code");
        }
        if self.predicted {
            c.push("show-predicted");
        }
        match self.theme {
            Theme::Light => c.push("theme-light"),
            Theme::Dark => c.push("theme-dark"),
            Theme::Auto => {}
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_and_others_messages_ignored() {
        assert_eq!(parse_command(r#"{"type":"awaitlab:play"}"#), Ok(Some(Command::Play)));
        // An error reply names the command it is about (it said `command: null` before).
        let named = |text| parse_command_for_reply(text).err().map(|(_, name)| name);
        assert_eq!(named(r#"{"type":"awaitlab:run","params":5}"#), Some(Some("run")));
        assert_eq!(named(r#"{"type":"awaitlab:seek","ms":-1}"#), Some(Some("seek")));
        assert_eq!(named(r#"{"type":"awaitlab:load","run":{}}"#), Some(Some("load")));
        assert_eq!(named(r#"{"type":"awaitlab:bogus"}"#), Some(None));
        assert_eq!(parse_command(r#"{"type":"awaitlab:seek","ms":120}"#), Ok(Some(Command::Seek(120.0))));
        assert_eq!(
            parse_command(r#"{"type":"awaitlab:run","params":{"pattern":"gather","tasks":5,"fail":0.5}}"#),
            Ok(Some(Command::Run(vec![
                ("fail".into(), "0.5".into()),
                ("pattern".into(), "gather".into()),
                ("tasks".into(), "5".into())
            ])))
        );
        assert_eq!(parse_command(r#"{"type":"webpackOk"}"#), Ok(None));
        assert_eq!(parse_command("\"hello\""), Ok(None));
        assert_eq!(parse_command(r#"{"type":"awaitlab:height","height":3}"#), Ok(None));
    }

    #[test]
    fn bad_commands_get_a_message() {
        assert!(parse_command(r#"{"type":"awaitlab:seek","ms":-1}"#).unwrap_err().contains("seek needs ms"));
        assert!(parse_command(r#"{"type":"awaitlab:seek","ms":"10"}"#).is_err());
        assert!(parse_command(r#"{"type":"awaitlab:eval","code":"alert(1)"}"#)
            .unwrap_err()
            .contains("unknown command"));
        assert!(parse_command(r#"{"type":"awaitlab:run","params":[1]}"#)
            .unwrap_err()
            .contains("params must be an object"));
        assert!(parse_command(r#"{"type":"awaitlab:run","params":{"tasks":{"a":1}}}"#)
            .unwrap_err()
            .contains("tasks must be"));
        assert!(parse_command(r#"{"type":"awaitlab:load","run":{"format":"x"}}"#).unwrap_err().contains("load:"));
        assert!(parse_command(r#"{"type":"awaitlab:load"}"#).unwrap_err().contains("load needs run"));
        let big = format!(r#"{{"type":"awaitlab:run","params":{{"url":"{}"}}}}"#, "x".repeat(MAX_COMMAND_BYTES));
        assert!(parse_command(&big).unwrap_err().contains("too large"));
    }

    #[test]
    fn a_load_is_read_once_from_an_object_or_its_text_and_has_its_own_cap() {
        let scenario = Scenario::parse([("pattern", "gather"), ("tasks", "3"), ("clock", "virtual")]).unwrap();
        let json = crate::core::run::run_virtual(&scenario).to_json();
        let as_object = format!(r#"{{"type":"awaitlab:load","run":{json}}}"#);
        let as_text = format!(r#"{{"type":"awaitlab:load","run":{}}}"#, Value::String(json.clone()));
        let (Ok(Some(Command::Load(a))), Ok(Some(Command::Load(b)))) =
            (parse_command(&as_object), parse_command(&as_text))
        else {
            panic!("both forms load");
        };
        assert_eq!(a.to_json(), json);
        assert_eq!(b.to_json(), json);
        assert!(parse_command(r#"{"type":"awaitlab:load","run":5}"#).unwrap_err().contains("load needs run"));
        assert!(parse_command(r#"{"type":"awaitlab:load","run":null}"#).unwrap_err().contains("load needs run"));
        // A load may be larger than other commands, up to its own cap.
        let padded = format!(r#"{{"type":"awaitlab:load","pad":"{}","run":{json}}}"#, "x".repeat(MAX_COMMAND_BYTES));
        assert!(matches!(parse_command(&padded), Ok(Some(Command::Load(_)))));
        let huge = format!(r#"{{"type":"awaitlab:load","run":"{}"}}"#, "x".repeat(MAX_LOAD_BYTES));
        let err = parse_command(&huge).unwrap_err();
        assert!(err.contains("too large") && err.contains("awaitlab:load takes up to 16 MB"), "{err}");
        assert_eq!(parse_command(r#"["awaitlab:play"]"#), Ok(None));
    }

    fn policy(link: &str) -> (EmbedPolicy, Vec<String>) {
        EmbedPolicy::from_pairs(link.split('&').filter_map(|p| p.split_once('=')))
    }

    #[test]
    fn only_the_parent_commands_an_embed_unless_its_link_allows_an_origin() {
        let (closed, problems) = policy("pattern=gather&embed=1");
        assert!(problems.is_empty());
        assert!(closed.allows_sender(true, "https://host.example"));
        assert!(closed.allows_sender(true, "null"), "a sandboxed parent is still the parent");
        assert!(!closed.allows_sender(false, "https://ads.example"), "a sibling frame or an opener");
        assert!(!closed.allows_sender(false, "null"));

        let (open, problems) =
            policy("embed=1&origin=https://Docs.Example:443,http://localhost:8080&origin=https://docs.example");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(open.origins, vec!["https://docs.example", "http://localhost:8080"]);
        assert!(open.allows_sender(false, "http://localhost:8080"));
        assert!(!open.allows_sender(false, "http://localhost:8081"));
        assert!(!open.allows_sender(false, "https://docs.example.evil.test"));
        assert!(!open.allows_sender(false, "null"));
    }

    #[test]
    fn allowed_origins_are_checked_strictly_and_a_bad_one_allows_nothing() {
        assert_eq!(parse_origin("http://127.0.0.1:80"), Ok("http://127.0.0.1".into()));
        assert_eq!(parse_origin(" https://[::1]:8443 "), Ok("https://[::1]:8443".into()));
        for bad in [
            "https://host.example/",
            "https://host.example/path",
            "https://host.example?x",
            "https://user@host.example",
            "host.example",
            "javascript://x",
            "*",
            "null",
            "https://",
            "https://host.example:0",
            "https://host.example:99999",
            "https://host.example:+80",
            "https://h\u{f6}st.example",
            "https://a..b",
            "",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was accepted");
        }
        let (p, problems) = policy("origin=https://ok.example,*,https://x.example/path");
        assert_eq!(p.origins, vec!["https://ok.example"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].contains("no path"), "{problems:?}");
    }

    #[test]
    fn real_requests_by_command_need_the_links_consent() {
        let scenario = |q: &str| Scenario::parse(q.split('&').filter_map(|p| p.split_once('='))).unwrap();
        let fetch = scenario("pattern=gather&tasks=3&source=fetch");
        let (closed, _) = policy("pattern=gather&embed=1");
        assert!(closed.check_scenario(&fetch).unwrap_err().contains("fetch=1"));
        assert_eq!(closed.check_scenario(&scenario("pattern=gather&tasks=3&source=fetch&clock=virtual")), Ok(()));
        assert_eq!(closed.check_scenario(&scenario("pattern=gather&tasks=3")), Ok(()));
        for link in ["embed=1&fetch=1", "embed=1&source=fetch&pattern=retry"] {
            assert_eq!(policy(link).0.check_scenario(&fetch), Ok(()), "{link}");
        }
        assert!(!policy("embed=1&fetch=0").0.fetch);
        let code = Scenario::parse([("pattern", "code"), ("code", "import aiohttp\n")]).unwrap();
        assert!(closed.check_scenario(&code).unwrap_err().contains("fetch=1"));
        assert_eq!(policy("embed=1&fetch=1").0.check_scenario(&code), Ok(()));
        let sleeps = Scenario::parse([("pattern", "code"), ("code", "import asyncio\n")]).unwrap();
        assert_eq!(closed.check_scenario(&sleeps), Ok(()), "a program without aiohttp needs nothing");
        assert!(closed.check_set(["source"].into_iter(), &fetch).is_err());
        assert!(closed.check_set(["url"].into_iter(), &fetch).is_err());
        assert_eq!(closed.check_set(["tasks"].into_iter(), &fetch), Ok(()), "the reader's own choice stays");
    }

    #[test]
    fn view_options_come_from_the_link() {
        let o = ViewOptions::from_pairs([("embed", "1"), ("theme", "dark"), ("controls", "0"), ("autoplay", "1")]);
        let want = ViewOptions {
            embed: true,
            theme: Theme::Dark,
            controls: ControlsView::Hidden,
            autoplay: true,
            ..ViewOptions::default()
        };
        assert_eq!(o, want);
        assert_eq!(o.classes(), vec!["embed", "compact", "no-controls", "theme-dark"]);
        assert_eq!(ViewOptions::from_pairs([("theme", "<script>")]), ViewOptions::default());
        // controls=1 keeps the whole form; an embed without controls is compact.
        assert!(!ViewOptions::from_pairs([("embed", "1"), ("controls", "1")]).compact());
        assert!(ViewOptions::from_pairs([("embed", "1")]).compact());
        assert!(!ViewOptions::from_pairs([("controls", "limit")]).compact(), "only embeds are compact");
    }

    #[test]
    fn controls_may_name_fields_and_bad_view_values_are_reported() {
        let (o, problems) = ViewOptions::read([
            ("embed", "1"),
            ("controls", "limit, tasks,limit,embed,<b>"),
            ("code", "1"),
            ("predicted", "maybe"),
        ]);
        assert_eq!(o.controls, ControlsView::Only(vec!["limit", "tasks"]));
        assert_eq!(o.fields(), vec!["limit", "tasks"]);
        assert!(o.code && !o.predicted);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("\"embed\" is not a scenario key"), "{problems:?}");
        assert!(problems[2].contains("predicted=maybe is not 1 or 0"), "{problems:?}");
        assert_eq!(o.classes(), vec!["embed", "compact", "show-code"]);
        let many = ViewOptions::read([("controls", "tasks,min,max,fail,limit,retries,delay")]);
        assert_eq!(many.0.fields().len(), MAX_CONTROL_KEYS);
        assert!(many.1[0].contains("at most 6"), "{:?}", many.1);
        // The view keys never clash with scenario keys but `code`, whose flag values are no program.
        for key in ["predicted", "controls"] {
            assert!(!Scenario::KEYS.contains(&key), "{key}");
        }
        assert_eq!(Scenario::from_query("code=1").map(|s| s.code), Ok(String::new()));
        let program = crate::core::scenario::program::to_link("print(1)\n");
        assert_eq!(ViewOptions::read([("code", program.as_str())]).1, Vec::<String>::new(), "a program is no bad flag");
    }

    #[test]
    fn a_code_scenarios_program_beside_the_code_flag_is_neither_a_bad_flag_nor_a_second_program() {
        let packed = crate::core::scenario::program::to_link("print(1)\n");
        for program in ["print(1)\n", packed.as_str()] {
            for pairs in [
                [("embed", "1"), ("code", "1"), ("pattern", "code"), ("code", program)],
                [("embed", "1"), ("pattern", "code"), ("code", program), ("code", "1")],
            ] {
                let (o, problems) = ViewOptions::read(pairs);
                assert!(o.code, "{pairs:?}");
                assert_eq!(problems, Vec::<String>::new(), "{pairs:?}");
                assert_eq!(Scenario::parse(pairs).map(|s| s.code), Ok("print(1)\n".to_string()), "{pairs:?}");
            }
        }
        // Outside a code scenario a value that is no flag is still warned about.
        assert_eq!(ViewOptions::read([("pattern", "gather"), ("code", "maybe")]).1.len(), 1);
    }

    #[test]
    fn a_run_json_params_run_again_as_the_same_scenario() {
        // A run without a limit writes `"limit": null`: its params must read back, not be refused.
        let program = "import asyncio\n\nasync def main():\n    await asyncio.sleep(0.1)\n\nasyncio.run(main())\n";
        for &pattern in Pattern::ALL {
            let mut pairs = vec![("pattern", pattern.key()), ("clock", "virtual")];
            if pattern == Pattern::Code {
                pairs.push(("code", program));
            }
            let scenario = Scenario::parse(pairs.iter().copied()).expect("a valid scenario");
            let json: Value = serde_json::from_str(&Run::new(&scenario, ClockKind::Virtual, Vec::new()).to_json())
                .expect("a Run JSON");
            let params = &json["scenario"]["params"];
            let message = serde_json::json!({"type": "awaitlab:run", "params": params}).to_string();
            let Ok(Some(Command::Run(read))) = parse_command(&message) else { panic!("a run command: {message}") };
            assert_eq!(parse_scenario(&read).as_ref(), Ok(&scenario), "{params}");
        }
        // `null` is no value: the key keeps its default; for an unknown key it is still named.
        assert_eq!(
            params_pairs(Some(&serde_json::json!({"limit": null, "tasks": 3}))),
            Ok(vec![("tasks".into(), "3".into())])
        );
        assert!(parse_scenario(&params_pairs(Some(&serde_json::json!({"nope": null}))).unwrap())
            .unwrap_err()
            .starts_with("unknown key \"nope\""));
    }

    #[test]
    fn a_params_value_of_the_wrong_type_is_named_for_what_it_is() {
        let err = |text: &str| parse_command(text).unwrap_err();
        // A number is no program (it ran as one).
        assert_eq!(
            err(r#"{"type":"awaitlab:run","params":{"code":42}}"#),
            "code must be the program's source, a string"
        );
        assert_eq!(
            err(r#"{"type":"awaitlab:run","params":{"code":true}}"#),
            "code must be the program's source, a string"
        );
        // An unknown key is named as unknown, whatever its value (not "must be a number").
        let Ok(Some(Command::Run(pairs))) = parse_command(r#"{"type":"awaitlab:run","params":{"extra":null}}"#) else {
            panic!("a run command")
        };
        let unknown = parse_scenario(&pairs).unwrap_err();
        assert!(unknown.starts_with("unknown key \"extra\" (known keys: "), "{unknown}");
        assert_eq!(err(r#"{"type":"awaitlab:run","params":{"tasks":[1]}}"#), "tasks must be a number or a string");
        // An object nested past serde_json's limit is too deep, not "not valid JSON".
        let deep = format!(r#"{{"type":"awaitlab:run","params":{{"a":{}1{}}}}}"#, "[".repeat(200), "]".repeat(200));
        assert_eq!(err(&deep), "message is nested too deeply: awaitlab reads objects up to 127 levels deep");
    }

    #[test]
    fn every_view_value_not_understood_is_named() {
        let (o, problems) = ViewOptions::read([
            ("speed", "99"),
            ("theme", "purple"),
            ("autoplay", "maybe"),
            ("guess", "lol"),
            ("embed", "sure"),
            ("speed", "fast"),
        ]);
        assert_eq!(
            problems,
            [
                "speed=99 is outside 0.1–10; replays at 10×",
                "theme=purple is not light, dark or auto; ignored",
                "autoplay=maybe is not 1 or 0; ignored",
                "guess=lol is not makespan or peak; ignored",
                "embed=sure is not 1 or 0; ignored",
                "speed=fast is not a number; ignored",
            ]
        );
        assert!(!o.embed && !o.autoplay && o.theme == Theme::Auto && o.speed.is_none());
        let (o, problems) = ViewOptions::read([("speed", "0.25"), ("theme", "auto"), ("guess", "peak")]);
        assert_eq!((o.speed, problems), (Some(0.25), Vec::<String>::new()));
        assert_eq!(ViewOptions::read([("speed", "-1")]).0.speed, Some(0.1));
        assert_eq!(
            ViewOptions::read([("axis", "1000")]),
            (ViewOptions { axis_ms: Some(1000.0), ..ViewOptions::default() }, vec![])
        );
        for bad in ["0", "-5", "1e9", "NaN", "1s"] {
            let (o, problems) = ViewOptions::read([("axis", bad)]);
            assert_eq!((o.axis_ms, problems.len()), (None, 1), "axis={bad}");
        }
    }

    #[test]
    fn a_cancelled_runs_answer_is_an_error_event_with_the_message_awaitlab_run_rejects_with() {
        let event: Value = serde_json::from_str(RUN_CANCELLED_EVENT).expect("JSON");
        assert_eq!(event["type"], "awaitlab:error");
        assert_eq!(event["command"], "run");
        assert_eq!(event["cancelled"], true);
        assert_eq!(event["message"], RUN_CANCELLED);
    }
}
