//! A scenario: which pattern runs over which workload, from parameters that arrive as text (URL
//! query, form fields, the JS API). Every entry point goes through [`Scenario::parse`], so a bad
//! value gets the same message everywhere, naming the key and the allowed range.

use std::fmt;

use serde::Serialize;

use super::budget::{self, MAX_KEYS, MAX_KEY_BYTES, MAX_VALUE_BYTES};
use super::workload::{Workload, BREAKFAST};

/// Version of the URL / params format. Links carry it as `v`; older versions stay readable.
pub const PARAMS_VERSION: u32 = 1;

/// Most tasks a run may have.
pub const MAX_TASKS: u32 = 100_000;
/// Most tasks a run on the browser clock may have (each one is a real timer).
pub const MAX_BROWSER_TASKS: u32 = 10_000;
/// Longest task duration, in milliseconds.
pub const MAX_DURATION_MS: u32 = 600_000;
/// Largest seed: JavaScript numbers hold integers exactly up to here.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Largest semaphore `limit`.
pub const MAX_LIMIT: u32 = 100_000;
/// The semaphore pattern's `limit` when none is given.
pub const DEFAULT_LIMIT: u32 = 3;
/// Most attempts `retries` may allow.
pub const MAX_RETRIES: u32 = 20;
/// Largest exponential backoff `factor`.
pub const MAX_FACTOR: f64 = 10.0;

/// Keys that are about the view, not the run; accepted and left to the UI.
pub const VIEW_KEYS: &[&str] = &["v", "embed", "theme", "autoplay", "controls", "speed", "origin", "fetch"];

/// A concurrency pattern from the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// One task after another: `for t in tasks: await t`.
    Sequential,
    /// All at once: `await asyncio.gather(*tasks)`; `errors` picks collect or fail-fast.
    Gather,
    /// At most `limit` at once: `async with asyncio.Semaphore(limit)`.
    Semaphore,
    /// Each task retried up to `retries` attempts with a backoff `delay` between them.
    Retry,
    /// The article's `safe_process`: an error becomes a default value.
    Fallback,
    /// An async context manager around each task: acquire, work, release (even after an error).
    Resource,
    /// The article's DataProcessor: fetch → process → save per item.
    Pipeline,
    /// `asyncio.wait_for(task, timeout)` per task: an overrun is cancelled.
    Timeout,
    /// The first task to finish wins; the others are cancelled.
    Race,
    /// `asyncio.as_completed`: each result is processed as soon as it arrives.
    AsCompleted,
}

impl Pattern {
    /// Every pattern, in the order the UI lists them.
    pub const ALL: &'static [Pattern] = &[
        Pattern::Sequential,
        Pattern::Gather,
        Pattern::Semaphore,
        Pattern::Retry,
        Pattern::Fallback,
        Pattern::Resource,
        Pattern::Pipeline,
        Pattern::Timeout,
        Pattern::Race,
        Pattern::AsCompleted,
    ];

    /// The value used in URLs and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Pattern::Sequential => "sequential",
            Pattern::Gather => "gather",
            Pattern::Semaphore => "semaphore",
            Pattern::Retry => "retry",
            Pattern::Fallback => "fallback",
            Pattern::Resource => "resource",
            Pattern::Pipeline => "pipeline",
            Pattern::Timeout => "timeout",
            Pattern::Race => "race",
            Pattern::AsCompleted => "as_completed",
        }
    }

    /// A short human title.
    pub fn title(self) -> &'static str {
        match self {
            Pattern::Sequential => "Sequential (await one by one)",
            Pattern::Gather => "Concurrent (asyncio.gather / join_all)",
            Pattern::Semaphore => "Bounded (asyncio.Semaphore)",
            Pattern::Retry => "Retry with backoff",
            Pattern::Fallback => "Fallback to a default (safe_process)",
            Pattern::Resource => "Async resource (async with)",
            Pattern::Pipeline => "Pipeline: fetch → process → save",
            Pattern::Timeout => "Timeout (asyncio.wait_for)",
            Pattern::Race => "Race (first to finish wins)",
            Pattern::AsCompleted => "As completed (asyncio.as_completed)",
        }
    }

    /// What the pattern does, in two or three plain sentences for the learner.
    pub fn explain(self) -> &'static str {
        match self {
            Pattern::Sequential => {
                "Each task starts only when the one before it has finished, so the total time is the sum of all \
                 the durations. While one task waits, nothing else runs."
            }
            Pattern::Gather => {
                "Every task starts at once and the call returns when the last one finishes, so the total time is \
                 the longest task, not the sum. errors=collect returns every result or error; plain gather \
                 (errors=raise) hands the caller the first error but cancels nothing, so the rest keep running. \
                 Cancelling them is what asyncio.TaskGroup adds (errors=fail_fast)."
            }
            Pattern::Semaphore => {
                "A semaphore hands out a fixed number of permits: a task waits for one before it runs and gives \
                 it back when it is done. At most `limit` tasks run at once, and waiting tasks get permits in the \
                 order they asked for them."
            }
            Pattern::Retry => {
                "A failed attempt is tried again after a pause (the backoff), up to `retries` attempts in all; \
                 a task that runs out of attempts fails with its last error. Inside a semaphore, holding the \
                 permit during the pause keeps other tasks waiting, releasing it lets them run."
            }
            Pattern::Fallback => {
                "Each task is wrapped so that an error is caught and replaced by a default value (None), like the \
                 article's safe_process. The batch always completes, and the lanes show which results are \
                 stand-ins."
            }
            Pattern::Resource => {
                "Each task runs inside an async context manager: acquiring the resource takes time, then the work \
                 runs, then releasing takes time. The release runs even when the work fails, which is the point \
                 of `async with`."
            }
            Pattern::Pipeline => {
                "Each item goes through three awaited stages in turn: fetch, process, save. Items move through \
                 their stages concurrently (or a few at a time under a limit), and a failed fetch skips the \
                 later stages of that item."
            }
            Pattern::Timeout => {
                "Each task gets a deadline: if its work takes at least as long as `timeout`, it is cancelled and \
                 fails with a timeout error. Tasks that finish in time are unaffected."
            }
            Pattern::Race => {
                "All tasks start at once and the first one to finish, with a result or an error, decides the \
                 outcome. Every task still running at that moment is cancelled, so no work is wasted on it; a task \
                 that finished in the same instant keeps its result."
            }
            Pattern::AsCompleted => {
                "All tasks start at once and their results are handled one by one in the order they finish, not \
                 the order they started. Each result gets a short processing step while the slower tasks are \
                 still running."
            }
        }
    }

    /// Whether the pattern's lesson is what happens on errors (nothing shows without failures).
    pub fn is_about_failures(self) -> bool {
        matches!(self, Pattern::Retry | Pattern::Fallback | Pattern::Resource)
    }

    /// Whether `limit` (a semaphore around each task) applies to this pattern.
    pub fn takes_limit(self) -> bool {
        matches!(self, Pattern::Semaphore | Pattern::Retry | Pattern::Resource | Pattern::Pipeline)
    }
}

/// What gather does with the first error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorMode {
    /// Every result or error is returned (`return_exceptions=True`).
    Collect,
    /// `asyncio.TaskGroup`: the first error cancels the tasks still running.
    FailFast,
    /// Plain `asyncio.gather`: the caller gets the first error; the other tasks keep running.
    Raise,
}

impl ErrorMode {
    pub fn key(self) -> &'static str {
        match self {
            ErrorMode::Collect => "collect",
            ErrorMode::FailFast => "fail_fast",
            ErrorMode::Raise => "raise",
        }
    }
}

/// How the pause between retry attempts grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same `delay` before every retry.
    Constant,
    /// `delay × factor^(n−1)` before retry n.
    Exponential,
}

impl Backoff {
    pub fn key(self) -> &'static str {
        match self {
            Backoff::Constant => "constant",
            Backoff::Exponential => "exponential",
        }
    }
}

/// Where the tasks come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// `tasks` seeded tasks with durations in `[min, max]` (the article's "N requests").
    Random,
    /// The article's opening example: brew coffee (3 s) and fry eggs (2 s).
    Breakfast,
}

impl Preset {
    pub const ALL: &'static [Preset] = &[Preset::Random, Preset::Breakfast];
    pub fn key(self) -> &'static str {
        match self {
            Preset::Random => "random",
            Preset::Breakfast => "breakfast",
        }
    }
}

/// What a task's work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A timer sleep (`asyncio.sleep`).
    Sleep,
    /// A real `fetch` of the `url` template (browser clock only; the virtual clock predicts it as
    /// a sleep of the planned duration).
    Fetch,
}

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Sleep => "sleep",
            Source::Fetch => "fetch",
        }
    }
}

/// The `url` template when none is given: the offline mock API that `static/sw.js` answers,
/// relative to the app so it also works under a sub-path.
pub const DEFAULT_URL: &str = "api/item/{id}";

/// Longest `url` template.
pub const MAX_URL_LEN: usize = 2000;

/// Checks a `url` template on its own (not whether it needs `{id}`): relative to the app, or
/// http(s) with a host; `{id}` is the only placeholder. Returns the message for a bad one.
pub fn check_url_template(template: &str) -> Result<(), String> {
    let t = template.trim();
    if t.is_empty() {
        return Err("url must not be empty: give a URL template like https://example.com/items/{id}".into());
    }
    if t.len() > MAX_URL_LEN {
        return Err(format!("url must be at most {MAX_URL_LEN} characters (got {})", t.len()));
    }
    if let Some(c) =
        t.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\' | '`'))
    {
        return Err(format!("url is not a valid URL template: it contains {c:?} (got {})", shown(t)));
    }
    let without_id = t.replace("{id}", "");
    if without_id.contains('{') || without_id.contains('}') {
        return Err(format!("url is not a valid URL template: {{id}} is the only placeholder (got {})", shown(t)));
    }
    // A scheme is letters, digits, + - . after a first letter, then ':' (before any / ? #).
    let head = t.split(['/', '?', '#']).next().unwrap_or("");
    let scheme = head.split_once(':').map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let rest = match scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => &t[s.len() + 1..],
        Some(s) => {
            return Err(format!("url must use http or https, not {s}: (got {})", shown(t)));
        }
        // Relative to the app (or protocol-relative): the page's own scheme.
        None if !t.starts_with("//") => return Ok(()),
        None => t,
    };
    let Some(authority) = rest.strip_prefix("//") else {
        return Err(format!(
            "url is not a valid URL template: expected // and a host after the scheme (got {})",
            shown(t)
        ));
    };
    let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        match host_port.split_once(']') {
            Some((h, p)) => (&h[1..], p.strip_prefix(':')),
            None => ("", None),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '%'))
        && !host.contains("..");
    if !host_ok {
        return Err(format!("url is not a valid URL template: it has no valid host (got {})", shown(t)));
    }
    if let Some(p) = port {
        if !p.is_empty() && p.parse::<u16>().is_err() {
            return Err(format!(
                "url is not a valid URL template: port must be a number up to 65535 (got {})",
                shown(t)
            ));
        }
    }
    Ok(())
}

/// The request URL for one attempt: `{id}` replaced by the task index, and the plan's duration
/// and outcome appended as `ms` and `fail` (the offline API and the test server honour them, so a
/// seeded run fails the same requests every time).
pub fn request_url(template: &str, task: u32, duration_ms: u32, fails: bool) -> String {
    let url = template.trim().replace("{id}", &task.to_string());
    let (url, fragment) = match url.split_once('#') {
        Some((u, f)) => (u.to_string(), format!("#{f}")),
        None => (url, String::new()),
    };
    let sep = if !url.contains('?') {
        "?"
    } else if url.ends_with('?') || url.ends_with('&') {
        ""
    } else {
        "&"
    };
    format!("{url}{sep}ms={duration_ms}&fail={}{fragment}", u8::from(fails))
}

/// Percent-encodes what would break a `key=value&...` query: the URL template's value in links.
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'{'
            | b'}'
            | b'?'
            | b'@'
            | b','
            | b';'
            | b'!'
            | b'*'
            | b'('
            | b')'
            | b'$'
            | b'\'' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Which clock a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// The browser's event loop: real timers, measured times.
    Browser,
    /// Simulated time: the predicted run.
    Virtual,
}

impl ClockKind {
    pub fn key(self) -> &'static str {
        match self {
            ClockKind::Browser => "browser",
            ClockKind::Virtual => "virtual",
        }
    }
}

/// A parameter that was rejected, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The offending key.
    pub key: String,
    /// A sentence that names the key and what is allowed.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A validated scenario. Field names are the URL keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub pattern: Pattern,
    pub preset: Preset,
    pub tasks: u32,
    pub seed: u64,
    /// Shortest task duration, ms.
    pub min: u32,
    /// Longest task duration, ms.
    pub max: u32,
    /// Probability that an attempt fails, 0–1.
    pub fail: f64,
    pub source: Source,
    /// source=fetch: the request URL template, `{id}` standing for the task index.
    pub url: String,
    pub clock: ClockKind,
    /// gather: what the first error does.
    pub errors: ErrorMode,
    /// A semaphore of this many permits around each task (semaphore, retry, resource, pipeline);
    /// `None` for no semaphore. The semaphore pattern always has one ([`DEFAULT_LIMIT`] if unset).
    pub limit: Option<u32>,
    /// retry under a limit: whether the permit is held during the backoff (`1`) or released and
    /// acquired again for the next attempt (`0`).
    pub hold: bool,
    /// retry: most attempts per task, the first one included.
    pub retries: u32,
    /// retry: the pause before the first retry, ms.
    pub delay: u32,
    /// retry: how the pause grows.
    pub backoff: Backoff,
    /// retry: exponential growth factor.
    pub factor: f64,
    /// retry: each pause is shortened by up to this fraction, seeded (0 = exact, 1 = full jitter).
    pub jitter: f64,
    /// resource: time to acquire the resource, ms.
    pub acquire: u32,
    /// resource: time to release it, ms.
    pub release: u32,
    /// pipeline and as_completed: time to process one result, ms.
    pub process: u32,
    /// pipeline: time to save one item, ms.
    pub save: u32,
    /// timeout: each task's deadline, ms.
    pub timeout: u32,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            pattern: Pattern::Gather,
            preset: Preset::Random,
            tasks: 10,
            seed: 1,
            min: 100,
            max: 400,
            fail: 0.0,
            source: Source::Sleep,
            url: DEFAULT_URL.to_string(),
            clock: ClockKind::Browser,
            errors: ErrorMode::Collect,
            limit: None,
            hold: true,
            retries: 3,
            delay: 100,
            backoff: Backoff::Constant,
            factor: 2.0,
            jitter: 0.0,
            acquire: 100,
            release: 50,
            process: 20,
            save: 10,
            timeout: 250,
        }
    }
}

fn err(key: &str, message: String) -> ParamError {
    ParamError { key: key.to_string(), message }
}

fn shown(value: &str) -> String {
    let v: String = value.chars().take(40).collect();
    if v.len() < value.len() {
        format!("\"{v}…\"")
    } else {
        format!("\"{v}\"")
    }
}

fn whole(key: &str, value: &str, lo: u64, hi: u64) -> Result<u64, ParamError> {
    match exact_whole(value.trim()) {
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(err(key, format!("{key} must be a whole number from {lo} to {hi} (got {})", shown(value)))),
    }
}

/// The whole number `text` writes exactly: digits, then optionally a fraction of zeros and an
/// exponent (`50`, `50.0`, `5e1`, as JSON and JavaScript write numbers). `None` for anything
/// else: a fraction (`50.5`, and `50.0000000000000001`, which a float would round to 50), a sign,
/// or more than a u64 holds. Read digit by digit, never through a float, so nothing is rounded.
fn exact_whole(text: &str) -> Option<u64> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits_only(int) || !digits_only(frac) {
        return None;
    }
    // How many of the digits are before the decimal point once the exponent has moved it.
    let point = int.len() as i64 + exponent.clamp(-10_000, 10_000);
    let mut n: u64 = 0;
    let mut at = 0;
    for d in int.bytes().chain(frac.bytes()) {
        if at < point {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        } else if d != b'0' {
            return None;
        }
        at += 1;
    }
    for _ in at..point {
        n = n.checked_mul(10)?;
    }
    Some(n)
}

/// A float parameter in `[lo, hi]`; `-0` reads as 0, so a link never carries `-0`.
fn float_in(value: &str, lo: f64, hi: f64) -> Option<f64> {
    value.trim().parse::<f64>().ok().filter(|x| (lo..=hi).contains(x)).map(|x| x + 0.0)
}

fn probability(key: &str, value: &str) -> Result<f64, ParamError> {
    float_in(value, 0.0, 1.0)
        .ok_or_else(|| err(key, format!("{key} must be a number from 0 to 1 (got {})", shown(value))))
}

fn number(key: &str, value: &str, lo: f64, hi: f64) -> Result<f64, ParamError> {
    float_in(value, lo, hi)
        .ok_or_else(|| err(key, format!("{key} must be a number from {lo} to {hi} (got {})", shown(value))))
}

/// A semaphore size, or none (`none`, empty, or JSON's `null`) for no semaphore.
fn optional_limit(key: &str, value: &str) -> Result<Option<u32>, ParamError> {
    match value.trim() {
        "" | "none" | "null" => Ok(None),
        v => whole(key, v, 1, MAX_LIMIT.into()).map(|n| Some(n as u32)).map_err(|_| {
            err(key, format!("{key} must be a whole number from 1 to {MAX_LIMIT}, or none (got {})", shown(value)))
        }),
    }
}

fn flag(key: &str, value: &str) -> Result<bool, ParamError> {
    match value.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(err(key, format!("{key} must be 1 or 0 (got {})", shown(value)))),
    }
}

fn choice<T: Copy>(key: &str, value: &str, options: &[(&str, T)]) -> Result<T, ParamError> {
    options.iter().find(|(k, _)| *k == value.trim()).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
        err(key, format!("{key} must be one of {} (got {})", names.join(", "), shown(value)))
    })
}

/// The error for a key or value longer than the budget allows, before it is read at all.
fn oversized(key: &str, value: &str) -> Option<ParamError> {
    if key.len() > MAX_KEY_BYTES {
        let shown_key = shown(key);
        return Some(err(
            "params",
            format!("key {shown_key} is {} bytes long; keys are at most {MAX_KEY_BYTES}", key.len()),
        ));
    }
    (value.len() > MAX_VALUE_BYTES)
        .then(|| err(key, format!("{key} is {} bytes long; values are at most {MAX_VALUE_BYTES}", value.len())))
}

impl Scenario {
    /// Parses and validates `key=value` pairs. Missing keys take their defaults; unknown keys and
    /// every bad value are reported (all of them, not just the first).
    pub fn parse<'a, I>(pairs: I) -> Result<Scenario, Vec<ParamError>>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let (scenario, errors) = Self::parse_lenient(pairs);
        if errors.is_empty() {
            Ok(scenario)
        } else {
            Err(errors)
        }
    }

    /// Like [`Scenario::parse`], but keeps the default for every bad value and returns what it
    /// rejected: for loading a URL, which should still show a page.
    pub fn parse_lenient<'a, I>(pairs: I) -> (Scenario, Vec<ParamError>)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let ms = |key: &str, value: &str| whole(key, value, 0, MAX_DURATION_MS.into()).map(|v| v as u32);
        let mut s = Scenario::default();
        let mut errors = Vec::new();
        // At most MAX_KEYS pairs are read, so the search below and the errors stay small.
        let mut seen: Vec<&str> = Vec::new();
        for (index, (key, value)) in pairs.into_iter().enumerate() {
            if index == MAX_KEYS {
                errors
                    .push(err("params", format!("more than {MAX_KEYS} parameters; awaitlab reads at most {MAX_KEYS}")));
                break;
            }
            if let Some(e) = oversized(key, value) {
                errors.push(e);
                continue;
            }
            if seen.contains(&key) {
                errors.push(err(key, format!("{key} is given more than once")));
                continue;
            }
            seen.push(key);
            let result = match key {
                "pattern" => {
                    let options: Vec<(&str, Pattern)> = Pattern::ALL.iter().map(|p| (p.key(), *p)).collect();
                    choice(key, value, &options).map(|v| s.pattern = v)
                }
                "preset" => choice(key, value, &[("random", Preset::Random), ("breakfast", Preset::Breakfast)])
                    .map(|v| s.preset = v),
                "tasks" => whole(key, value, 1, MAX_TASKS.into()).map(|v| s.tasks = v as u32),
                "seed" => whole(key, value, 0, MAX_SEED).map(|v| s.seed = v),
                "min" => whole(key, value, 0, MAX_DURATION_MS.into()).map(|v| s.min = v as u32),
                "max" => whole(key, value, 0, MAX_DURATION_MS.into()).map(|v| s.max = v as u32),
                "fail" => probability(key, value).map(|v| s.fail = v),
                "source" => {
                    choice(key, value, &[("sleep", Source::Sleep), ("fetch", Source::Fetch)]).map(|v| s.source = v)
                }
                "url" => check_url_template(value).map_err(|m| err(key, m)).map(|()| s.url = value.trim().to_string()),
                "clock" => choice(key, value, &[("browser", ClockKind::Browser), ("virtual", ClockKind::Virtual)])
                    .map(|v| s.clock = v),
                "errors" => choice(
                    key,
                    value,
                    &[("collect", ErrorMode::Collect), ("raise", ErrorMode::Raise), ("fail_fast", ErrorMode::FailFast)],
                )
                .map(|v| s.errors = v),
                "limit" => optional_limit(key, value).map(|v| s.limit = v),
                "hold" => flag(key, value).map(|v| s.hold = v),
                "retries" => whole(key, value, 1, MAX_RETRIES.into()).map(|v| s.retries = v as u32),
                "delay" => ms(key, value).map(|v| s.delay = v),
                "backoff" => {
                    choice(key, value, &[("constant", Backoff::Constant), ("exponential", Backoff::Exponential)])
                        .map(|v| s.backoff = v)
                }
                "factor" => number(key, value, 1.0, MAX_FACTOR).map(|v| s.factor = v),
                "jitter" => probability(key, value).map(|v| s.jitter = v),
                "acquire" => ms(key, value).map(|v| s.acquire = v),
                "release" => ms(key, value).map(|v| s.release = v),
                "process" => ms(key, value).map(|v| s.process = v),
                "save" => ms(key, value).map(|v| s.save = v),
                "timeout" => whole(key, value, 1, MAX_DURATION_MS.into()).map(|v| s.timeout = v as u32),
                "v" => whole(key, value, 1, PARAMS_VERSION.into()).map(|_| ()),
                k if VIEW_KEYS.contains(&k) => Ok(()),
                _ => Err(err(key, format!("unknown key {} (known keys: {})", shown(key), Self::KEYS.join(", ")))),
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
        s.check_together(&mut errors);
        (s, errors)
    }

    /// The checks that take several keys: each reports its error and puts back a value that
    /// passes, so a lenient parse still ends with a valid scenario.
    fn check_together(&mut self, errors: &mut Vec<ParamError>) {
        let s = self;
        if s.min > s.max {
            errors.push(err("max", format!("max must be at least min ({} ms), got {} ms", s.min, s.max)));
            let d = Scenario::default();
            (s.min, s.max) = (d.min.min(s.max), d.max.max(s.min));
        }
        if s.clock == ClockKind::Browser && s.tasks > MAX_BROWSER_TASKS {
            errors.push(err(
                "tasks",
                format!("tasks must be at most {MAX_BROWSER_TASKS} on the browser clock (got {}); use clock=virtual for more", s.tasks),
            ));
            s.tasks = MAX_BROWSER_TASKS;
        }
        // Checked on the url kept, whatever else was wrong with the url keys: a link whose first
        // url lacks {id} must not open with it.
        if s.source == Source::Fetch && s.workload().len() > 1 && !s.url.contains("{id}") {
            errors.push(err(
                "url",
                format!(
                    "url must contain {{id}} when there is more than one task, so each task requests its own item (got {})",
                    shown(&s.url)
                ),
            ));
            s.url = DEFAULT_URL.to_string();
        }
        if s.pattern == Pattern::Semaphore && s.limit.is_none() {
            s.limit = Some(DEFAULT_LIMIT);
        }
        if let Err(message) = budget::check_events(s) {
            errors.push(err("tasks", message));
            s.tasks = Scenario::default().tasks;
        }
    }

    /// The keys this scenario is made of, in URL order.
    pub const KEYS: &'static [&'static str] = &[
        "pattern", "preset", "tasks", "seed", "min", "max", "fail", "source", "url", "clock", "errors", "limit",
        "hold", "retries", "delay", "backoff", "factor", "jitter", "acquire", "release", "process", "save", "timeout",
    ];

    /// Every parameter as `(key, value)` text, relevant to the pattern or not.
    fn all_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("v", PARAMS_VERSION.to_string()),
            ("pattern", self.pattern.key().into()),
            ("preset", self.preset.key().into()),
            ("tasks", self.tasks.to_string()),
            ("seed", self.seed.to_string()),
            ("min", self.min.to_string()),
            ("max", self.max.to_string()),
            ("fail", self.fail.to_string()),
            ("source", self.source.key().into()),
            ("url", self.url.clone()),
            ("clock", self.clock.key().into()),
            ("errors", self.errors.key().into()),
            ("limit", self.effective_limit().or(self.limit).map_or_else(|| "none".into(), |n| n.to_string())),
            ("hold", if self.hold { "1" } else { "0" }.into()),
            ("retries", self.retries.to_string()),
            ("delay", self.delay.to_string()),
            ("backoff", self.backoff.key().into()),
            ("factor", self.factor.to_string()),
            ("jitter", self.jitter.to_string()),
            ("acquire", self.acquire.to_string()),
            ("release", self.release.to_string()),
            ("process", self.process.to_string()),
            ("save", self.save.to_string()),
            ("timeout", self.timeout.to_string()),
        ]
    }

    /// Whether `key` changes what this scenario's pattern does (the pattern and workload keys
    /// always do).
    pub fn is_relevant(&self, key: &str) -> bool {
        let p = self.pattern;
        match key {
            "errors" => p == Pattern::Gather,
            "limit" => p.takes_limit(),
            "hold" => p == Pattern::Retry && self.limit.is_some(),
            "retries" | "delay" | "backoff" | "jitter" => p == Pattern::Retry,
            "factor" => p == Pattern::Retry && self.backoff == Backoff::Exponential,
            "acquire" | "release" => p == Pattern::Resource,
            "process" => matches!(p, Pattern::Pipeline | Pattern::AsCompleted),
            "save" => p == Pattern::Pipeline,
            "timeout" => p == Pattern::Timeout,
            "url" => self.source == Source::Fetch,
            _ => true,
        }
    }

    /// The parameters as `(key, value)` text, so a link does not depend on defaults: the workload
    /// keys and every key the pattern uses, always; a key the pattern ignores only when it differs
    /// from its default (so a setting survives switching patterns, and `parse(to_pairs())` gives
    /// back this very scenario).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let defaults = Scenario::default().all_pairs();
        self.all_pairs()
            .into_iter()
            .zip(defaults)
            .filter(|((k, v), (_, d))| self.is_relevant(k) || v != d)
            .map(|(pair, _)| pair)
            .collect()
    }

    /// The semaphore size this run uses, if any: `limit` for the patterns that take one (the
    /// semaphore pattern always has one), `None` for the others.
    pub fn effective_limit(&self) -> Option<u32> {
        match self.pattern {
            Pattern::Semaphore => Some(self.limit.unwrap_or(DEFAULT_LIMIT)),
            p if p.takes_limit() => self.limit,
            _ => None,
        }
    }

    /// The parameters as a URL query string (without `?`). Values are plain tokens except `url`,
    /// whose `%`, `&`, `=`, `#`, `+` and the like are percent-encoded.
    pub fn to_query(&self) -> String {
        self.to_pairs()
            .iter()
            .map(|(k, v)| if *k == "url" { format!("{k}={}", query_escape(v)) } else { format!("{k}={v}") })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The tasks this scenario runs.
    pub fn workload(&self) -> Workload {
        match self.preset {
            Preset::Breakfast => Workload::Fixed(BREAKFAST),
            Preset::Random => Workload::Random {
                tasks: self.tasks,
                min_ms: self.min,
                max_ms: self.max,
                fail: self.fail,
                seed: self.seed,
            },
        }
    }
}

/// How a form field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// A number input.
    Number { min: f64, max: f64, step: f64 },
    /// A select: `(value, label)` options.
    Choice(Vec<(&'static str, &'static str)>),
    /// Free text (a URL template).
    Text,
}

/// One editable parameter of the form, keyed by its URL key.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
}

impl Scenario {
    /// The fields that matter for this scenario's pattern and preset, in form order.
    pub fn fields(&self) -> Vec<Field> {
        let num = |key, label, help, min: u64, max: u64| Field {
            key,
            label,
            help,
            kind: FieldKind::Number { min: min as f64, max: max as f64, step: 1.0 },
        };
        let mut fields = vec![
            Field {
                key: "pattern",
                label: "Pattern",
                help: "How the tasks are awaited",
                kind: FieldKind::Choice(Pattern::ALL.iter().map(|p| (p.key(), p.title())).collect()),
            },
            Field {
                key: "preset",
                label: "Tasks",
                help: "The article's breakfast, or N seeded requests",
                kind: FieldKind::Choice(vec![
                    ("random", "N requests (seeded)"),
                    ("breakfast", "Breakfast: coffee 3 s, eggs 2 s"),
                ]),
            },
        ];
        if self.preset == Preset::Random {
            fields.extend([
                num("tasks", "Task count", "How many tasks (1–10000 on the browser clock)", 1, MAX_TASKS.into()),
                num("min", "Min duration (ms)", "Shortest task", 0, MAX_DURATION_MS.into()),
                num("max", "Max duration (ms)", "Longest task", 0, MAX_DURATION_MS.into()),
                Field {
                    key: "fail",
                    label: "Failure probability",
                    help: "Chance that an attempt fails, 0–1",
                    kind: FieldKind::Number { min: 0.0, max: 1.0, step: 0.05 },
                },
                num("seed", "Seed", "Same seed, same durations and failures", 0, MAX_SEED),
            ]);
        }
        fields.push(Field {
            key: "source",
            label: "Work",
            help: "What each task does: sleep on a timer, or a real fetch (its planned duration and failure go into the request)",
            kind: FieldKind::Choice(vec![("sleep", "Timer sleep"), ("fetch", "Real fetch")]),
        });
        if self.source == Source::Fetch {
            fields.push(Field {
                key: "url",
                label: "URL template",
                help: "{id} is the task index; ?ms=&fail= are appended. Default api/item/{id}: the offline mock API",
                kind: FieldKind::Text,
            });
        }
        let ms = |key, label, help| num(key, label, help, 0, MAX_DURATION_MS.into());
        let limit_help = if self.pattern == Pattern::Semaphore {
            "Permits: at most this many tasks run at once"
        } else {
            "Run inside a semaphore of this many permits (empty: no limit)"
        };
        let mut extra = vec![
            Field {
                key: "errors",
                label: "On error",
                help: "collect: every result or error comes back; raise: plain gather hands the caller the first \
                       error and cancels nothing; fail_fast: a TaskGroup, whose first error cancels the tasks still running",
                kind: FieldKind::Choice(vec![
                    ("collect", "Collect (return_exceptions=True)"),
                    ("raise", "Raise (plain gather: the rest keep running)"),
                    ("fail_fast", "TaskGroup (cancel the rest)"),
                ]),
            },
            num("retries", "Attempts", "Most attempts per task, the first included (1–20)", 1, MAX_RETRIES.into()),
            ms("delay", "Retry delay (ms)", "Pause before the first retry"),
            Field {
                key: "backoff",
                label: "Backoff",
                help: "How the pause grows from one retry to the next",
                kind: FieldKind::Choice(vec![("constant", "Constant"), ("exponential", "Exponential")]),
            },
            Field {
                key: "factor",
                label: "Backoff factor",
                help: "Each pause is this many times the one before (1–10)",
                kind: FieldKind::Number { min: 1.0, max: MAX_FACTOR, step: 0.5 },
            },
            Field {
                key: "jitter",
                label: "Jitter",
                help: "Each pause is shortened by a seeded random fraction up to this (0–1)",
                kind: FieldKind::Number { min: 0.0, max: 1.0, step: 0.05 },
            },
            num("limit", "Limit", limit_help, 1, MAX_LIMIT.into()),
            Field {
                key: "hold",
                label: "Permit during backoff",
                help: "Keep the permit while waiting to retry, or give it back and queue again",
                kind: FieldKind::Choice(vec![("1", "Held (others keep waiting)"), ("0", "Released (others may run)")]),
            },
            ms("acquire", "Acquire (ms)", "Time to enter the resource (__aenter__)"),
            ms("release", "Release (ms)", "Time to leave the resource (__aexit__), also after an error"),
            ms("process", "Process (ms)", "Time to process one result"),
            ms("save", "Save (ms)", "Time to save one item"),
            num("timeout", "Timeout (ms)", "A task still running after this long is cancelled", 1, MAX_DURATION_MS.into()),
        ];
        extra.retain(|f| self.is_relevant(f.key));
        fields.extend(extra);
        fields
    }

    /// This scenario's value for `key`, as text, whether or not its pattern uses it (empty for an
    /// unknown key).
    pub fn value(&self, key: &str) -> String {
        self.all_pairs().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Scenario, Vec<ParamError>> {
        Scenario::parse(q.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))))
    }

    #[test]
    fn defaults_and_round_trip() {
        let s = parse("pattern=sequential&tasks=5&min=100&max=100&seed=9&fail=0.25").unwrap();
        assert_eq!((s.pattern, s.tasks, s.min, s.max, s.seed, s.fail), (Pattern::Sequential, 5, 100, 100, 9, 0.25));
        assert_eq!(parse(&s.to_query()).unwrap(), s);
        assert_eq!(parse("").unwrap(), Scenario::default());
    }

    #[test]
    fn every_bad_value_is_named_with_its_range() {
        let errors = parse("tasks=0&min=abc&fail=2&pattern=zigzag&bogus=1").unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["tasks", "min", "fail", "pattern", "bogus"]);
        assert_eq!(errors[0].message, "tasks must be a whole number from 1 to 100000 (got \"0\")");
        assert!(errors[2].message.contains("from 0 to 1"));
        assert!(errors[3].message.contains("sequential, gather"));
    }

    #[test]
    fn min_above_max_and_too_many_browser_tasks_are_rejected() {
        assert_eq!(parse("min=300&max=200").unwrap_err()[0].key, "max");
        assert_eq!(parse("tasks=20000").unwrap_err()[0].key, "tasks");
        assert_eq!(parse("tasks=20000&clock=virtual").unwrap().tasks, 20_000);
    }

    #[test]
    fn lenient_parsing_keeps_defaults_for_bad_values() {
        let q = [("tasks", "NaN"), ("seed", "7"), ("max", "-5")];
        let (s, errors) = Scenario::parse_lenient(q);
        assert_eq!((s.tasks, s.seed, s.max), (10, 7, 400));
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn numbers_written_as_floats_are_accepted_only_when_whole() {
        assert_eq!(parse("tasks=50.0").unwrap().tasks, 50);
        assert!(parse("tasks=50.5").is_err());
        assert!(parse("tasks=1e400").is_err());
    }
}
