//! The parameter table: one [`ParamSpec`] per URL key, stating its type and range, its default,
//! the patterns it matters to, its form label and help, its README line, and how it reads and
//! writes its [`Scenario`] field. Parsing, validation messages, links, the form ([`super::form`])
//! and the README's key table all come from here; adding a key is one entry below and the field
//! it fills.

use super::pattern::{options, Backoff, ClockKind, ErrorMode, Offload, Pattern, Preset, Source};
use super::url::DEFAULT_URL;
use super::Scenario;

pub use super::read::{shown, Value};

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
/// The semaphore pattern's `limit` when none is given (applied by [`Scenario::effective_limit`]).
pub const DEFAULT_LIMIT: u32 = 3;
/// Most attempts `retries` may allow.
pub const MAX_RETRIES: u32 = 20;
/// Largest exponential backoff `factor`.
pub const MAX_FACTOR: f64 = 10.0;
/// Most workers in a pool (`workers=`).
pub const MAX_WORKERS: u32 = 16;

/// Keys that are about the view, not the run; accepted and left to the UI.
pub const VIEW_KEYS: &[&str] =
    &["v", "embed", "theme", "autoplay", "controls", "speed", "origin", "fetch", "guess", "predicted", "axis"];

/// Whether a link's `key` was added by whoever shared it (`utm_*`, `fbclid` and the like: a
/// platform's click tracking, not the author's): a page opened from it reads past them silently.
pub fn is_tracking_key(key: &str) -> bool {
    const TRACKING: &[&str] = &[
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
    ];
    key.starts_with("utm_") || TRACKING.contains(&key)
}

/// Whether `key` is one a link may carry: a parameter of the run or of the view.
pub fn is_known_key(key: &str) -> bool {
    param(key).is_some() || VIEW_KEYS.contains(&key)
}

/// A parameter's type and range: how its text is read and how the form edits it.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// A whole number in `min..=max`.
    Whole { min: u64, max: u64 },
    /// A whole number in `min..=max`, or none (`none`, empty, or `null`: [`super::read::reads_as_none`]).
    OptionalWhole { min: u64, max: u64 },
    /// A number in `min..=max`; the form steps by `step`.
    Number { min: f64, max: f64, step: f64 },
    /// `1` / `true` or `0` / `false`; the form offers `on` and `off`.
    Flag { on: &'static str, off: &'static str },
    /// One of a closed set of `(key, form label)` options (see [`super::pattern::Choice`]).
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// A request URL template (see [`super::url::check_url_template`]).
    UrlTemplate,
    /// "What if" overrides (see [`crate::core::what_if`]).
    WhatIf,
    /// A program, plain or in its link form (see [`super::program`]).
    Program,
}

/// Which runs a key changes.
#[derive(Debug, Clone, Copy)]
pub enum Uses {
    /// Every run: always in a link and in the form.
    Every,
    /// Every run's random workload: always in a link; in the form only for `preset=random`.
    Workload,
    /// Only runs of these patterns.
    Patterns(&'static [Pattern]),
}

/// A form field's text and place.
#[derive(Debug, Clone, Copy)]
pub struct FormSpec {
    /// Place in the form, lowest first (the form groups keys differently from links).
    pub order: u8,
    pub label: &'static str,
    /// The help line, which may depend on the scenario.
    pub help: fn(&Scenario) -> &'static str,
}

/// One URL key: everything the app knows about it.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub key: &'static str,
    pub kind: ParamKind,
    /// Its value when a link leaves it out, written as a link writes it.
    pub default: &'static str,
    pub uses: Uses,
    /// A further condition for the key to matter (`factor` only with exponential backoff).
    pub when: fn(&Scenario) -> bool,
    /// What it means, for the README's key table.
    pub doc: &'static str,
    /// What the README adds to its range (limits that depend on other keys).
    pub note: &'static str,
    /// `None` for a key the form does not show.
    pub form: Option<FormSpec>,
    get: fn(&Scenario) -> String,
    set: fn(&mut Scenario, Value),
}

fn always(_: &Scenario) -> bool {
    true
}

const fn spec(
    key: &'static str,
    kind: ParamKind,
    default: &'static str,
    get: fn(&Scenario) -> String,
    set: fn(&mut Scenario, Value),
) -> ParamSpec {
    ParamSpec { key, kind, default, uses: Uses::Every, when: always, doc: "", note: "", form: None, get, set }
}

impl ParamSpec {
    const fn uses(mut self, uses: Uses) -> Self {
        self.uses = uses;
        self
    }
    const fn when(mut self, when: fn(&Scenario) -> bool) -> Self {
        self.when = when;
        self
    }
    const fn doc(mut self, doc: &'static str, note: &'static str) -> Self {
        (self.doc, self.note) = (doc, note);
        self
    }
    const fn form(mut self, order: u8, label: &'static str, help: fn(&Scenario) -> &'static str) -> Self {
        self.form = Some(FormSpec { order, label, help });
        self
    }

    /// Whether this key changes what runs of `pattern` do (before [`ParamSpec::when`]).
    pub fn used_by(&self, pattern: Pattern) -> bool {
        match self.uses {
            Uses::Every | Uses::Workload => true,
            Uses::Patterns(patterns) => patterns.contains(&pattern),
        }
    }

    /// Whether this key changes what `s` does.
    pub fn is_relevant(&self, s: &Scenario) -> bool {
        self.used_by(s.pattern) && (self.when)(s)
    }

    /// `s`'s value for this key, as a link writes it.
    pub fn get(&self, s: &Scenario) -> String {
        (self.get)(s)
    }

    /// Reads `text` as this key's value into `s`, or says why it cannot.
    pub fn read_into(&self, s: &mut Scenario, text: &str) -> Result<(), super::ParamError> {
        self.kind.read(self.key, text).map(|v| (self.set)(s, v))
    }
}

/// The spec of `key`, if it is a scenario key.
pub fn param(key: &str) -> Option<&'static ParamSpec> {
    PARAMS.iter().find(|p| p.key == key)
}

/// A program makes its own tasks (so `preset` and `tasks` do not pick them) and its own requests
/// (`session.get`, real in the browser whatever `source` says); `seed`, `min`, `max` and `fail`
/// still plan its requests.
fn not_code(s: &Scenario) -> bool {
    s.pattern != Pattern::Code
}

const LIMIT_PATTERNS: &[Pattern] = &[Pattern::Semaphore, Pattern::Retry, Pattern::Resource, Pattern::Pipeline];
const MS: ParamKind = ParamKind::Whole { min: 0, max: MAX_DURATION_MS as u64 };
const FRACTION: ParamKind = ParamKind::Number { min: 0.0, max: 1.0, step: 0.05 };

/// Every scenario key, in link order.
#[rustfmt::skip]
pub const PARAMS: &[ParamSpec] = &[
    spec("pattern", ParamKind::Choice(options::<Pattern>), "gather", |s| s.pattern.key().into(), |s, v| s.pattern = v.pick())
        .doc("how tasks are awaited", "")
        .form(0, "Pattern", |_| "How the tasks are awaited"),
    spec("preset", ParamKind::Choice(options::<Preset>), "random", |s| s.preset.key().into(), |s, v| s.preset = v.pick())
        .when(not_code)
        .doc("which tasks: N seeded tasks, or the article's coffee and eggs", "")
        .form(1, "Tasks", |_| "The article's breakfast, or N seeded requests"),
    spec("tasks", ParamKind::Whole { min: 1, max: MAX_TASKS as u64 }, "10", |s| s.tasks.to_string(), |s, v| s.tasks = v.u32())
        .uses(Uses::Workload)
        .when(not_code)
        .doc("number of tasks", "at most 10000 on the browser clock, and within the [event budget](#limits)")
        .form(2, "Task count", |_| "How many tasks (1–10000 on the browser clock)"),
    spec("seed", ParamKind::Whole { min: 0, max: MAX_SEED }, "1", |s| s.seed.to_string(), |s, v| s.seed = v.u64())
        .uses(Uses::Workload)
        .doc("seed for durations and failures", "")
        .form(6, "Seed", |_| "Same seed, same durations and failures"),
    spec("min", MS, "100", |s| s.min.to_string(), |s, v| s.min = v.u32())
        .uses(Uses::Workload)
        .doc("shortest task duration, ms", "")
        .form(3, "Min duration (ms)", |_| "Shortest task"),
    spec("max", MS, "400", |s| s.max.to_string(), |s, v| s.max = v.u32())
        .uses(Uses::Workload)
        .doc("longest task duration, ms", "at least `min`")
        .form(4, "Max duration (ms)", |_| "Longest task"),
    spec("fail", FRACTION, "0", |s| s.fail.to_string(), |s, v| s.fail = v.f64())
        .uses(Uses::Workload)
        .doc("probability that an attempt fails", "")
        .form(5, "Failure probability", |_| "Chance that an attempt fails, 0–1"),
    spec("source", ParamKind::Choice(options::<Source>), "sleep", |s| s.source.key().into(), |s, v| s.source = v.pick())
        .when(not_code)
        .doc("what a task does: a timer, a real request (the virtual clock predicts it as a sleep), or CPU-bound computation (one unit of `min`–`max` ≈ 1 ms)", "")
        .form(7, "Work", |_| "What each task does: sleep on a timer, a real fetch (its planned duration and failure go into the request), \
                              or CPU-bound computation (its planned duration in units of about 1 ms)"),
    spec("url", ParamKind::UrlTemplate, DEFAULT_URL, |s| s.url.clone(), |s, v| s.url = v.text())
        .when(|s| s.source == Source::Fetch)
        .doc("`source=fetch`: request URL template, `{id}` = task index (required when there is more than one task); `?ms=<planned ms>&fail=<0\\|1>` is appended",
             "relative to the app, or `http(s)://…`; the default is the offline mock API")
        .form(10, "URL template", |_| "{id} is the task index; ?ms=&fail= are appended. Default api/item/{id}: the offline mock API"),
    spec("clock", ParamKind::Choice(options::<ClockKind>), "browser", |s| s.clock.key().into(), |s, v| s.clock = v.pick())
        .doc("which clock runs it: the browser's (measured) or a virtual one (the prediction)", ""),
    spec("errors", ParamKind::Choice(options::<ErrorMode>), "collect", |s| s.errors.key().into(), |s, v| s.errors = v.pick())
        .uses(Uses::Patterns(&[Pattern::Gather]))
        .doc("what the first error does: every result or error comes back, the caller gets the first (the rest keep running), or a TaskGroup cancels the rest", "")
        .form(11, "On error", |_| "collect: every result or error comes back; raise: plain gather hands the caller the first \
                                  error and cancels nothing; fail_fast: a TaskGroup, whose first error cancels the tasks still running"),
    spec("limit", ParamKind::OptionalWhole { min: 1, max: MAX_LIMIT as u64 }, "none",
         |s| s.effective_limit().or(s.limit).map_or_else(|| "none".into(), |n| n.to_string()), |s, v| s.limit = v.maybe_u32())
        .uses(Uses::Patterns(LIMIT_PATTERNS))
        .doc("a semaphore of this many permits around each task", "`none` is no semaphore, which `semaphore` refuses: it defaults to 3")
        .form(17, "Limit", |s| if s.pattern == Pattern::Semaphore {
            "Permits: at most this many tasks run at once"
        } else {
            "Run inside a semaphore of this many permits (empty: no limit)"
        }),
    spec("hold", ParamKind::Flag { on: "Held (others keep waiting)", off: "Released (others may run)" }, "1",
         |s| if s.hold { "1" } else { "0" }.into(), |s, v| s.hold = v.flag())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .when(|s| s.limit.is_some())
        .doc("under a `limit`: keep the permit while backing off (1), or give it back and queue again (0)", "")
        .form(18, "Permit during backoff", |_| "Keep the permit while waiting to retry, or give it back and queue again"),
    spec("retries", ParamKind::Whole { min: 1, max: MAX_RETRIES as u64 }, "3", |s| s.retries.to_string(), |s, v| s.retries = v.u32())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .doc("most attempts per task, the first included", "")
        .form(12, "Attempts", |_| "Most attempts per task, the first included (1–20)"),
    spec("delay", MS, "100", |s| s.delay.to_string(), |s, v| s.delay = v.u32())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .doc("pause before the first retry, ms", "")
        .form(13, "Retry delay (ms)", |_| "Pause before the first retry"),
    spec("backoff", ParamKind::Choice(options::<Backoff>), "constant", |s| s.backoff.key().into(), |s, v| s.backoff = v.pick())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .doc("how the pause grows from one retry to the next", "")
        .form(14, "Backoff", |_| "How the pause grows from one retry to the next"),
    spec("factor", ParamKind::Number { min: 1.0, max: MAX_FACTOR, step: 0.5 }, "2", |s| s.factor.to_string(), |s, v| s.factor = v.f64())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .when(|s| s.backoff == Backoff::Exponential)
        .doc("with `backoff=exponential`: each pause is this many times the one before", "")
        .form(15, "Backoff factor", |_| "Each pause is this many times the one before (1–10)"),
    spec("jitter", FRACTION, "0", |s| s.jitter.to_string(), |s, v| s.jitter = v.f64())
        .uses(Uses::Patterns(&[Pattern::Retry]))
        .doc("each pause is shortened by a seeded random fraction up to this", "")
        .form(16, "Jitter", |_| "Each pause is shortened by a seeded random fraction up to this (0–1)"),
    spec("acquire", MS, "100", |s| s.acquire.to_string(), |s, v| s.acquire = v.u32())
        .uses(Uses::Patterns(&[Pattern::Resource]))
        .doc("time to enter the resource (`__aenter__`), ms", "")
        .form(19, "Acquire (ms)", |_| "Time to enter the resource (__aenter__)"),
    spec("release", MS, "50", |s| s.release.to_string(), |s, v| s.release = v.u32())
        .uses(Uses::Patterns(&[Pattern::Resource]))
        .doc("time to leave the resource (`__aexit__`), also after an error, ms", "")
        .form(20, "Release (ms)", |_| "Time to leave the resource (__aexit__), also after an error"),
    spec("process", MS, "20", |s| s.process.to_string(), |s, v| s.process = v.u32())
        .uses(Uses::Patterns(&[Pattern::Pipeline, Pattern::AsCompleted]))
        .doc("time to process one result, ms", "")
        .form(21, "Process (ms)", |_| "Time to process one result"),
    spec("save", MS, "10", |s| s.save.to_string(), |s, v| s.save = v.u32())
        .uses(Uses::Patterns(&[Pattern::Pipeline]))
        .doc("time to save one item, ms", "")
        .form(22, "Save (ms)", |_| "Time to save one item"),
    spec("timeout", ParamKind::Whole { min: 1, max: MAX_DURATION_MS as u64 }, "250", |s| s.timeout.to_string(), |s, v| s.timeout = v.u32())
        .uses(Uses::Patterns(&[Pattern::Timeout]))
        .doc("each task's deadline, ms: a task at least this long is cancelled", "")
        .form(23, "Timeout (ms)", |_| "A task still running after this long is cancelled"),
    spec("offload", ParamKind::Choice(options::<Offload>), "inline", |s| s.offload.key().into(), |s, v| s.offload = v.pick())
        .when(|s| s.source == Source::Cpu)
        .doc("`source=cpu`: the coroutine computes inline, blocking the event loop, or awaits `loop.run_in_executor` on a pool of Web Workers", "")
        .form(8, "Runs on", |_| "inline: the coroutine calls the function and blocks the event loop (the page freezes); \
                                 workers: loop.run_in_executor on a pool of Web Workers"),
    spec("workers", ParamKind::Whole { min: 1, max: MAX_WORKERS as u64 }, "2", |s| s.workers.to_string(), |s, v| s.workers = v.u32())
        .when(|s| s.source == Source::Cpu && s.offload == Offload::Workers)
        .doc("`source=cpu`, `offload=workers`: the pool's size", "")
        .form(9, "Workers", |_| "Pool size (1–16); compare with the cores the page reports"),
    spec("what_if", ParamKind::WhatIf, "", |s| s.what_if.to_string(), |s, v| s.what_if = v.what_if())
        .when(|s| !s.what_if.is_empty())
        .doc("overrides of the plan: an attempt made to fail or succeed, twice as slow or fast, a task cancelled at a time",
             "at most 32 entries, tasks within `tasks`"),
    spec("code", ParamKind::Program, "", |s| super::program::to_link(&s.code), |s, v| s.code = v.text())
        .uses(Uses::Patterns(&[Pattern::Code]))
        .doc("`pattern=code`: the program (Python, the [supported subset](#your-own-code)); links write it compressed, `!` then base64url of raw DEFLATE, and `awaitlab.run`, postMessage and the Run JSON take it plain",
             "at most 65536 bytes of source, 98309 in a link (room for any such program); `1`/`0` are the embed's view flag, no program"),
];

/// The keys of [`PARAMS`], in link order, as a constant.
pub const KEYS: &[&str] = &keys::<{ PARAMS.len() }>();

const fn keys<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = PARAMS[i].key;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_reads_and_is_what_a_default_scenario_writes() {
        let (mut s, d) = (Scenario::default(), Scenario::default());
        for p in PARAMS {
            assert_eq!(p.read_into(&mut s, p.default), Ok(()), "{}", p.key);
            assert_eq!(p.get(&d), p.default, "{}", p.key);
        }
    }

    #[test]
    fn every_key_writes_back_what_it_reads() {
        for p in PARAMS {
            let texts: Vec<String> = match p.kind {
                ParamKind::Whole { min, max } => vec![min.to_string(), max.to_string()],
                ParamKind::OptionalWhole { min, max } => vec![min.to_string(), max.to_string()],
                ParamKind::Number { min, max, step } => {
                    vec![min.to_string(), (min + step).to_string(), max.to_string()]
                }
                ParamKind::Flag { .. } => vec!["1".into(), "0".into()],
                ParamKind::Choice(options) => options().iter().map(|(k, _)| k.to_string()).collect(),
                ParamKind::UrlTemplate => vec!["https://example.com/{id}".into()],
                ParamKind::WhatIf => vec!["".into(), "1:cancel@150,1.1:fail,3.2:ok+x2".into()],
                ParamKind::Program => vec!["".into(), super::super::program::to_link("print('hi')\n")],
            };
            for text in texts {
                // A limit reads back under a pattern that takes one.
                let mut s = Scenario { pattern: Pattern::Retry, ..Scenario::default() };
                assert_eq!(p.read_into(&mut s, &text), Ok(()), "{}={text}", p.key);
                assert_eq!(p.get(&s), text, "{} does not write back what it read", p.key);
            }
        }
    }

    #[test]
    fn keys_are_unique_short_and_apart_from_the_view_keys_and_form_places_unique() {
        let mut keys: Vec<&str> = KEYS.to_vec();
        assert_eq!(keys, PARAMS.iter().map(|p| p.key).collect::<Vec<_>>());
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PARAMS.len());
        assert!(keys.iter().all(|k| !VIEW_KEYS.contains(k) && k.len() <= super::super::budget::MAX_KEY_BYTES));
        let mut places: Vec<u8> = PARAMS.iter().filter_map(|p| p.form.map(|f| f.order)).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), PARAMS.iter().filter(|p| p.form.is_some()).count());
    }
}
