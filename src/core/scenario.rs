//! A scenario: which pattern runs over which workload, from parameters that arrive as text (URL
//! query, form fields, the JS API). Every entry point goes through [`Scenario::parse`], so a bad
//! value gets the same message everywhere, naming the key and the allowed range.

use std::fmt;

use serde::Serialize;

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

/// Keys that are about the view, not the run; accepted and left to the UI.
pub const VIEW_KEYS: &[&str] = &["v", "embed", "theme", "autoplay", "controls", "speed"];

/// A concurrency pattern from the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// One task after another: `for t in tasks: await t`.
    Sequential,
    /// All at once: `await asyncio.gather(*tasks)`.
    Gather,
}

impl Pattern {
    /// Every pattern, in the order the UI lists them.
    pub const ALL: &'static [Pattern] = &[Pattern::Sequential, Pattern::Gather];

    /// The value used in URLs and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Pattern::Sequential => "sequential",
            Pattern::Gather => "gather",
        }
    }

    /// A short human title.
    pub fn title(self) -> &'static str {
        match self {
            Pattern::Sequential => "Sequential (await one by one)",
            Pattern::Gather => "Concurrent (asyncio.gather / join_all)",
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
}

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Sleep => "sleep",
        }
    }
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
    pub clock: ClockKind,
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
            clock: ClockKind::Browser,
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
    let v = value.trim();
    let n = v.parse::<u64>().ok().or_else(|| {
        // Accept "200.0" from JSON numbers, but not 200.5.
        v.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64).map(|f| f as u64)
    });
    match n {
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(err(key, format!("{key} must be a whole number from {lo} to {hi} (got {})", shown(value)))),
    }
}

fn probability(key: &str, value: &str) -> Result<f64, ParamError> {
    match value.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(err(key, format!("{key} must be a number from 0 to 1 (got {})", shown(value)))),
    }
}

fn choice<T: Copy>(key: &str, value: &str, options: &[(&str, T)]) -> Result<T, ParamError> {
    options.iter().find(|(k, _)| *k == value.trim()).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
        err(key, format!("{key} must be one of {} (got {})", names.join(", "), shown(value)))
    })
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
        let mut s = Scenario::default();
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            if seen.contains(&key) {
                errors.push(err(key, format!("{key} is given more than once")));
                continue;
            }
            seen.push(key);
            let result = match key {
                "pattern" => choice(key, value, &[("sequential", Pattern::Sequential), ("gather", Pattern::Gather)])
                    .map(|v| s.pattern = v),
                "preset" => choice(key, value, &[("random", Preset::Random), ("breakfast", Preset::Breakfast)])
                    .map(|v| s.preset = v),
                "tasks" => whole(key, value, 1, MAX_TASKS.into()).map(|v| s.tasks = v as u32),
                "seed" => whole(key, value, 0, MAX_SEED).map(|v| s.seed = v),
                "min" => whole(key, value, 0, MAX_DURATION_MS.into()).map(|v| s.min = v as u32),
                "max" => whole(key, value, 0, MAX_DURATION_MS.into()).map(|v| s.max = v as u32),
                "fail" => probability(key, value).map(|v| s.fail = v),
                "source" => choice(key, value, &[("sleep", Source::Sleep)]).map(|v| s.source = v),
                "clock" => choice(key, value, &[("browser", ClockKind::Browser), ("virtual", ClockKind::Virtual)])
                    .map(|v| s.clock = v),
                "v" => whole(key, value, 1, PARAMS_VERSION.into()).map(|_| ()),
                k if VIEW_KEYS.contains(&k) => Ok(()),
                _ => Err(err(key, format!("unknown key {} (known keys: {})", shown(key), Self::KEYS.join(", ")))),
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
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
        (s, errors)
    }

    /// The keys this scenario is made of, in URL order.
    pub const KEYS: &'static [&'static str] =
        &["pattern", "preset", "tasks", "seed", "min", "max", "fail", "source", "clock"];

    /// Every parameter as `(key, value)` text, complete, so a link does not depend on defaults.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
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
            ("clock", self.clock.key().into()),
        ]
    }

    /// The parameters as a URL query string (without `?`). Values are plain tokens: no escaping needed.
    pub fn to_query(&self) -> String {
        self.to_pairs().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    /// The tasks this scenario runs.
    pub fn workload(&self) -> Workload {
        match self.preset {
            Preset::Breakfast => Workload::Fixed(BREAKFAST),
            Preset::Random => {
                Workload::Random { tasks: self.tasks, min_ms: self.min, max_ms: self.max, fail: self.fail, seed: self.seed }
            }
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
                kind: FieldKind::Choice(vec![("random", "N requests (seeded)"), ("breakfast", "Breakfast: coffee 3 s, eggs 2 s")]),
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
        fields
    }

    /// This scenario's value for `key`, as text (empty for an unknown key).
    pub fn value(&self, key: &str) -> String {
        self.to_pairs().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).unwrap_or_default()
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
