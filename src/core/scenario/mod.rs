//! A scenario: which pattern runs over which workload, from parameters that arrive as text (URL
//! query, form fields, the JS API). Every entry point goes through [`Scenario::parse`], so a bad
//! value gets the same message everywhere, naming the key and the allowed range.
//!
//! - [`pattern`]: the pattern catalogue and the other closed choices;
//! - [`params`]: the parameter table, one [`ParamSpec`] per key, which parsing, links, the form
//!   ([`form`]) and the README's key table read; [`read`] turns one value's text into a value;
//! - [`url`]: URL templates for `source=fetch` and the escaping links use.

use std::fmt;

use serde::Serialize;

use super::budget::{self, MAX_KEYS, MAX_VALUE_BYTES};
use super::what_if::WhatIf;
use super::workload::{Tasks, Workload, BREAKFAST};

pub mod form;
pub mod params;
pub mod pattern;
pub mod program;
mod read;
pub mod url;

pub use form::{docs_table, Field, FieldKind};
pub use params::{
    is_known_key, is_tracking_key, param, ParamKind, ParamSpec, Uses, DEFAULT_LIMIT, MAX_BROWSER_TASKS,
    MAX_DURATION_MS, MAX_FACTOR, MAX_LIMIT, MAX_RETRIES, MAX_SEED, MAX_TASKS, MAX_WORKERS, PARAMS, PARAMS_VERSION,
    VIEW_KEYS,
};
pub use pattern::{Backoff, Choice, ClockKind, ErrorMode, Offload, Pattern, Preset, Source};
pub use url::{check_url_template, query_pairs, request_url, DEFAULT_URL, MAX_URL_LEN};

use read::{err, oversized, whole};
pub use read::{reads_as_none, shown};

/// A parameter that was rejected, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The offending key.
    pub key: String,
    /// A sentence that names the key and what is allowed.
    pub message: String,
}

impl ParamError {
    /// A key given again: a link keeps its first value (not the default, as for a bad value).
    pub fn is_repeat(&self) -> bool {
        self.message == repeated(&self.key)
    }

    /// `pattern=code` without a program: a script's mistake, but a link opens the editor
    /// (`core::page::link_scenario`).
    pub fn is_no_program(&self) -> bool {
        self.message == NO_PROGRAM
    }
}

/// The error of `pattern=code` without a program.
const NO_PROGRAM: &str = "pattern=code needs a program: the code key holds its Python source";

/// The error of a key given more than once.
fn repeated(key: &str) -> String {
    format!("{key} is given more than once")
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
    /// "What if" overrides of the plan (`core::what_if`); empty, and left out of a Run JSON's
    /// params, for every link without `what_if`.
    #[serde(skip_serializing_if = "WhatIf::is_empty")]
    pub what_if: WhatIf,
    /// source=cpu: on the loop, or in a pool of workers.
    pub offload: Offload,
    /// source=cpu, offload=workers: the pool's size (1–[`MAX_WORKERS`]).
    pub workers: u32,
    /// pattern=code: the program, plain source (links write it compressed, see [`program`]);
    /// empty, and left out of a Run JSON's params, for every other scenario.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub code: String,
}

impl Scenario {
    /// Every field at a placeholder that [`Default`] overwrites with its parameter's default.
    fn blank() -> Scenario {
        Scenario {
            pattern: Pattern::Gather,
            preset: Preset::Random,
            tasks: 0,
            seed: 0,
            min: 0,
            max: 0,
            fail: 0.0,
            source: Source::Sleep,
            url: String::new(),
            clock: ClockKind::Browser,
            errors: ErrorMode::Collect,
            limit: None,
            hold: false,
            retries: 0,
            delay: 0,
            backoff: Backoff::Constant,
            factor: 0.0,
            jitter: 0.0,
            acquire: 0,
            release: 0,
            process: 0,
            save: 0,
            timeout: 0,
            what_if: WhatIf::default(),
            offload: Offload::Inline,
            workers: 0,
            code: String::new(),
        }
    }
}

/// Every key at the default its [`ParamSpec`] states.
impl Default for Scenario {
    fn default() -> Self {
        let mut s = Scenario::blank();
        for p in PARAMS {
            // A default that does not read is a bug in the table, which a test catches.
            let _ = p.read_into(&mut s, p.default);
        }
        s
    }
}

impl Scenario {
    /// The keys this scenario is made of, in URL order.
    pub const KEYS: &'static [&'static str] = params::KEYS;

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

    /// [`Scenario::parse`] of a query string as [`Scenario::to_query`] writes it (without `?`):
    /// `&`-separated `key=value` pairs, `%XX` escapes decoded; a `+` stays a `+`.
    pub fn from_query(query: &str) -> Result<Scenario, Vec<ParamError>> {
        let pairs = url::query_pairs(query);
        Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Like [`Scenario::parse`], but keeps the default for every bad value and returns what it
    /// rejected: for loading a URL, which should still show a page.
    pub fn parse_lenient<'a, I>(pairs: I) -> (Scenario, Vec<ParamError>)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        // At most MAX_KEYS pairs are read, so the search below and the errors stay small. The
        // reading itself is not generic: one copy in the page for every kind of caller.
        let pairs: Vec<(&str, &str)> = pairs.into_iter().take(MAX_KEYS + 1).collect();
        Self::parse_pairs(&pairs)
    }

    /// [`Scenario::parse_lenient`] of at most `MAX_KEYS + 1` pairs.
    fn parse_pairs(pairs: &[(&str, &str)]) -> (Scenario, Vec<ParamError>) {
        let mut s = Scenario::default();
        let mut errors = Vec::new();
        if program::implies_code_pattern(pairs) {
            s.pattern = Pattern::Code;
        }
        let mut seen: Vec<&str> = Vec::new();
        // The semaphore pattern's `limit` is a number of permits: none or a bad value gets the
        // semaphore's own message. `limit` may come before `pattern`: the pattern read is the
        // first one among the keys read (one given again is refused), unless it is too long.
        let semaphore = pairs
            .iter()
            .take(MAX_KEYS)
            .find(|(k, _)| *k == "pattern")
            .is_some_and(|(_, v)| v.trim() == Pattern::Semaphore.key() && v.len() <= MAX_VALUE_BYTES);
        for (index, &(key, value)) in pairs.iter().enumerate() {
            if index == MAX_KEYS {
                errors
                    .push(err("params", format!("more than {MAX_KEYS} parameters; awaitlab reads at most {MAX_KEYS}")));
                break;
            }
            if let Some(e) = oversized(key, value) {
                errors.push(e);
                continue;
            }
            // `code=1` beside a program is the embed's view flag (`ViewOptions`), not a second program.
            if key == "code" && program::is_view_flag(value) {
                continue;
            }
            if seen.contains(&key) {
                errors.push(err(key, repeated(key)));
                continue;
            }
            seen.push(key);
            let result = match param(key) {
                Some(p) => p.read_into(&mut s, value),
                None if key == "v" => read_version(value),
                None if VIEW_KEYS.contains(&key) => Ok(()),
                None => {
                    Err(err(key, format!("unknown key {} (known keys: {})", read::shown(key), Self::KEYS.join(", "))))
                }
            };
            match result {
                _ if key == "limit" && semaphore && (result.is_err() || reads_as_none(value)) => {
                    errors.push(Self::semaphore_limit_error(value))
                }
                Ok(()) => {}
                Err(e) => errors.push(e),
            }
        }
        s.check_together(&mut errors);
        (s, errors)
    }

    /// The error of a semaphore pattern's `limit` that gives no number of permits: a bad value
    /// (whose message for the other patterns offers none), or none (empty, `null`): no
    /// semaphore, which that pattern cannot be (it was read as the default, silently). Like any
    /// bad value, a link keeps the default (3) and says so.
    fn semaphore_limit_error(value: &str) -> ParamError {
        // The patterns named are those whose `limit` is optional (`tests/core_params.rs` checks).
        let why =
            if reads_as_none(value) { "; none, no semaphore, is only for retry, resource and pipeline" } else { "" };
        let got = read::shown(value);
        err(
            "limit",
            format!("limit must be a whole number from 1 to {MAX_LIMIT} for the semaphore pattern (got {got}){why}"),
        )
    }

    /// The checks that take several keys: each reports its error and puts back the default, as a
    /// bad single value is (a link's notice says so), so a lenient parse still ends with a valid
    /// scenario.
    fn check_together(&mut self, errors: &mut Vec<ParamError>) {
        let s = self;
        if s.min > s.max {
            errors.push(err("max", format!("max must be at least min ({} ms), got {} ms", s.min, s.max)));
            let d = Scenario::default();
            (s.min, s.max) = (d.min, d.max);
        }
        if s.clock == ClockKind::Browser && s.tasks > MAX_BROWSER_TASKS && s.tasks_key_runs() {
            errors.push(err(
                "tasks",
                format!("tasks must be at most {MAX_BROWSER_TASKS} on the browser clock (got {}); use clock=virtual for more", s.tasks),
            ));
            s.tasks = Scenario::default().tasks;
        }
        // Checked on the url kept, whatever else was wrong with the url keys: a link whose first
        // url lacks {id} must not open with it.
        if s.source == Source::Fetch && s.workload().len() > 1 && !s.url.contains("{id}") {
            errors.push(err(
                "url",
                format!(
                    "url must contain {{id}} when there is more than one task, so each task requests its own item (got {})",
                    read::shown(&s.url)
                ),
            ));
            s.url = DEFAULT_URL.to_string();
        }
        if s.pattern == Pattern::Code && s.code.trim().is_empty() {
            // A program refused on reading already has its message.
            if !errors.iter().any(|e| e.key == "code") {
                errors.push(err("code", NO_PROGRAM.into()));
            }
            s.pattern = Scenario::default().pattern;
        }
        // The semaphore pattern always has a limit: the link and the Run JSON say which.
        if s.pattern == Pattern::Semaphore {
            s.limit = s.effective_limit();
        }
        let tasks = s.workload().len();
        if let Some(task) = s.what_if.max_task().filter(|&t| t >= tasks) {
            errors.push(err(
                "what_if",
                format!("what_if names task {task}, but the tasks are numbered 0 to {}", tasks.saturating_sub(1)),
            ));
            s.what_if.retain_tasks(tasks);
        }
        if let Err(message) = budget::check_events(s) {
            errors.push(err("tasks", message));
            s.tasks = Scenario::default().tasks;
        }
    }

    /// Whether Run, which measures on the browser clock, can take this scenario: a `clock=virtual`
    /// one may be past that clock's task cap or event budget ([`Self::check_together`]).
    pub fn measurable(&self) -> bool {
        self.unmeasurable().is_none()
    }

    /// Why Run cannot take this scenario ([`Self::measurable`]), if it cannot: inline CPU work
    /// that would freeze the page too long, more tasks than the
    /// browser clock measures, or real requests whose run there could record more events than a
    /// run may (every request may fail for real, and a failure is another attempt; other sources
    /// record what the virtual clock's plan does, which was checked as the link was read).
    pub fn unmeasurable(&self) -> Option<String> {
        const ONLY: &str = "These values are predicted only:";
        if let Err(why) = budget::check_inline_cpu(self) {
            Some(format!("{ONLY} {why}."))
        } else if self.clock == ClockKind::Browser {
            None
        } else if self.tasks > MAX_BROWSER_TASKS && self.tasks_key_runs() {
            Some(format!("{ONLY} the browser clock measures at most {MAX_BROWSER_TASKS} tasks, not {}.", self.tasks))
        } else if self.source == Source::Fetch {
            budget::check_events_on(self, ClockKind::Browser)
                .err()
                .map(|why| format!("{ONLY} on the browser clock, {why}."))
        } else {
            None
        }
    }

    /// Whether `tasks` is how many tasks run: not for a program (it makes its own) nor for the
    /// breakfast (its two), so their links' `tasks` never stops a run.
    fn tasks_key_runs(&self) -> bool {
        self.preset == Preset::Random && self.is_relevant("tasks")
    }

    /// Whether `key` changes what this scenario's pattern does (the pattern and workload keys
    /// always do, and so do `v` and keys that are not the scenario's).
    pub fn is_relevant(&self, key: &str) -> bool {
        param(key).is_none_or(|p| p.is_relevant(self))
    }

    /// Whether `p`'s value changes what this scenario runs: its pattern uses it
    /// ([`ParamSpec::is_relevant`]), and a random workload's key only while the preset draws the
    /// tasks (the breakfast's two are fixed).
    pub fn runs_value(&self, p: &ParamSpec) -> bool {
        p.is_relevant(self) && !(matches!(p.uses, Uses::Workload) && self.preset != Preset::Random)
    }

    /// What a link gives that this scenario keeps (the form has it for a switch of preset or
    /// pattern) but does not run, as the sentence its notice adds: a seeded workload's values
    /// beside `preset=breakfast`, and a program beside another pattern. A value at its default is
    /// not named: the page's own links always carry the workload's keys.
    pub fn unused_note(&self) -> Option<String> {
        if self.pattern == Pattern::Code {
            return None;
        }
        let mut keys = Vec::new();
        for p in self.unused_workload() {
            let value = p.get(self);
            if value != p.default {
                keys.push(format!("{}={value}", p.key));
            }
        }
        let mut said = Vec::new();
        if !keys.is_empty() {
            said.push(format!("Ignored {}: preset=breakfast runs the article's own two tasks.", keys.join(", ")));
        }
        if !self.code.is_empty() {
            said.push("Ignored code: a program runs only with pattern=code.".to_string());
        }
        (!said.is_empty()).then(|| said.join(" "))
    }

    /// The workload keys this scenario keeps but does not run (all of them beside the breakfast).
    fn unused_workload(&self) -> impl Iterator<Item = &'static ParamSpec> + '_ {
        PARAMS.iter().filter(|p| matches!(p.uses, Uses::Workload) && !self.runs_value(p))
    }

    /// This scenario as a link for others writes it (Share, Embed): what it runs, with the values
    /// it keeps only for a switch of preset or pattern at their defaults, so the link runs the
    /// same and opens without an "Ignored …" notice ([`Self::unused_note`]). The address bar
    /// keeps them: a reload gives the form back whole.
    pub fn shared(&self) -> Scenario {
        let mut s = self.without_idle_program();
        if self.pattern != Pattern::Code {
            for p in self.unused_workload() {
                // Every default reads (params.rs tests it); a failure would only keep the value.
                p.read_into(&mut s, p.default).ok();
            }
        }
        s
    }

    /// This scenario without a program it keeps beside another pattern (the form keeps it for a
    /// switch back to `pattern=code`; it never runs): what a run of it records and compares.
    pub fn without_idle_program(&self) -> Scenario {
        let code = if self.pattern == Pattern::Code { self.code.clone() } else { String::new() };
        Scenario { code, ..self.clone() }
    }

    /// The parameters as `(key, value)` text, so a link does not depend on defaults: the workload
    /// keys and every key the pattern uses, always; a key the pattern ignores only when it differs
    /// from its default (so a setting survives switching patterns, and `parse(to_pairs())` gives
    /// back this very scenario).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let defaults = Scenario::default();
        let mut pairs = vec![("v", PARAMS_VERSION.to_string())];
        for p in PARAMS {
            let value = p.get(self);
            if p.is_relevant(self) || value != p.get(&defaults) {
                pairs.push((p.key, value));
            }
        }
        pairs
    }

    /// The semaphore size this run uses, if any: `limit` for the patterns that take one (the
    /// semaphore pattern always has one, [`DEFAULT_LIMIT`] when none is given), `None` for the
    /// others. The one place that default is applied.
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
            .map(|(k, v)| if *k == "url" { format!("{k}={}", url::query_escape(v)) } else { format!("{k}={v}") })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// This scenario's value for `key`, as text, whether or not its pattern uses it (empty for an
    /// unknown key).
    pub fn value(&self, key: &str) -> String {
        match param(key) {
            Some(p) => p.get(self),
            None if key == "v" => PARAMS_VERSION.to_string(),
            None => String::new(),
        }
    }

    /// The tasks this scenario runs.
    pub fn workload(&self) -> Workload {
        let tasks = match self.preset {
            Preset::Breakfast => Tasks::Fixed(BREAKFAST),
            Preset::Random => Tasks::Random {
                tasks: self.tasks,
                min_ms: self.min,
                max_ms: self.max,
                fail: self.fail,
                seed: self.seed,
            },
        };
        Workload { tasks, what_if: self.what_if.clone() }
    }
}

/// `v=`: the link format's version; a later one than this build's was written by a newer awaitlab.
/// A number that is no version says which ones this page reads (not "from 1 to 1").
fn read_version(value: &str) -> Result<(), ParamError> {
    let newest = u64::from(PARAMS_VERSION);
    let reads = if newest == 1 { "version 1".to_string() } else { format!("versions 1 to {newest}") };
    match whole("v", value, 1, newest) {
        Ok(_) => Ok(()),
        Err(_) => Err(err(
            "v",
            match read::exact_whole(value.trim()) {
                Some(v) if v > newest => {
                    format!("v={v}: this link was written by a newer awaitlab; this one reads links up to v={newest}")
                }
                Some(v) => format!("v={v} is not a version this page reads: it reads {reads}"),
                None => format!("v must be a version number: this page reads {reads} (got {})", read::shown(value)),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Scenario, Vec<ParamError>> {
        Scenario::from_query(q)
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
