//! Reading one parameter's text as its kind says, with the message a bad value gets: it names the
//! key and what is allowed. Numbers are read exactly (never rounded through a float).

use super::budget::{MAX_KEY_BYTES, MAX_VALUE_BYTES};
use super::params::ParamKind;
use super::pattern::{from_key, Choice};
use super::url::check_url_template;
use super::ParamError;
use crate::core::what_if::WhatIf;

/// A parameter's value once read, before it is stored in its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Whole(u64),
    OptionalWhole(Option<u64>),
    Number(f64),
    Flag(bool),
    Choice(&'static str),
    Text(String),
    WhatIf(WhatIf),
}

// The accessors a parameter's setter uses. Its kind decides the variant, so a mismatch is a bug
// in the table, which `every_key_writes_back_what_it_reads` finds; it reads as zero here.
impl Value {
    pub fn u64(&self) -> u64 {
        match *self {
            Value::Whole(n) => n,
            _ => 0,
        }
    }
    pub fn u32(&self) -> u32 {
        u32::try_from(self.u64()).unwrap_or(u32::MAX)
    }
    pub fn maybe_u32(&self) -> Option<u32> {
        match *self {
            Value::OptionalWhole(n) => n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            _ => None,
        }
    }
    pub fn f64(&self) -> f64 {
        match *self {
            Value::Number(x) => x,
            _ => 0.0,
        }
    }
    pub fn flag(&self) -> bool {
        matches!(self, Value::Flag(true))
    }
    pub fn pick<T: Choice>(&self) -> T {
        match self {
            Value::Choice(key) => from_key(key).unwrap_or(T::ALL[0]),
            _ => T::ALL[0],
        }
    }
    pub fn what_if(self) -> WhatIf {
        match self {
            Value::WhatIf(w) => w,
            _ => WhatIf::default(),
        }
    }
    pub fn text(self) -> String {
        match self {
            Value::Text(t) => t,
            _ => String::new(),
        }
    }
}

impl ParamKind {
    /// Reads `value` as this kind of parameter `key`.
    pub fn read(self, key: &str, value: &str) -> Result<Value, ParamError> {
        match self {
            ParamKind::Whole { min, max } => whole(key, value, min, max).map(Value::Whole),
            ParamKind::OptionalWhole { min, max } => match value.trim() {
                v if reads_as_none(v) => Ok(Value::OptionalWhole(None)),
                v => whole(key, v, min, max).map(|n| Value::OptionalWhole(Some(n))).map_err(|_| {
                    err(
                        key,
                        format!("{key} must be a whole number from {min} to {max}, or none (got {})", shown(value)),
                    )
                }),
            },
            ParamKind::Number { min, max, .. } => float_in(value, min, max)
                .map(Value::Number)
                .ok_or_else(|| err(key, format!("{key} must be a number from {min} to {max} (got {})", shown(value)))),
            ParamKind::Flag { .. } => match value.trim() {
                "1" | "true" => Ok(Value::Flag(true)),
                "0" | "false" => Ok(Value::Flag(false)),
                _ => Err(err(key, format!("{key} must be 1 or 0 (got {})", shown(value)))),
            },
            ParamKind::Choice(options) => {
                let options = options();
                options.iter().find(|(k, _)| *k == value.trim()).map(|(k, _)| Value::Choice(k)).ok_or_else(|| {
                    let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                    err(key, format!("{key} must be one of {} (got {})", names.join(", "), shown(value)))
                })
            }
            ParamKind::WhatIf => WhatIf::parse(value)
                .map(Value::WhatIf)
                .map_err(|m| err(key, format!("{key}: {m} (see the README's what_if grammar)"))),
            ParamKind::Program => super::program::read(value).map(Value::Text).map_err(|m| err(key, m)),
            ParamKind::UrlTemplate => {
                check_url_template(value).map(|()| Value::Text(value.trim().to_string())).map_err(|m| err(key, m))
            }
        }
    }
}

/// Whether an optional whole number's text is none: `none`, empty, or `null` (how JSON writes
/// no value; the form and links are text, so it reads as `none` there too), white space around
/// it read past.
pub fn reads_as_none(value: &str) -> bool {
    matches!(value.trim(), "" | "none" | "null")
}

pub(super) fn err(key: &str, message: String) -> ParamError {
    ParamError { key: key.to_string(), message }
}

/// A value as an error message quotes it: at most 40 characters.
pub fn shown(value: &str) -> String {
    let v: String = value.chars().take(40).collect();
    if v.len() < value.len() {
        format!("\"{v}…\"")
    } else {
        format!("\"{v}\"")
    }
}

pub(super) fn whole(key: &str, value: &str, lo: u64, hi: u64) -> Result<u64, ParamError> {
    match exact_whole(value.trim()) {
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(err(key, format!("{key} must be a whole number from {lo} to {hi} (got {})", shown(value)))),
    }
}

/// The whole number `text` writes exactly: digits, then optionally a fraction of zeros and an
/// exponent (`50`, `50.0`, `5e1`, as JSON and JavaScript write numbers). `None` for anything
/// else: a fraction (`50.5`, and `50.0000000000000001`, which a float would round to 50), a sign,
/// or more than a u64 holds. Read digit by digit, never through a float, so nothing is rounded.
pub(super) fn exact_whole(text: &str) -> Option<u64> {
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

/// The error for a key or value longer than the budget allows, before it is read at all.
pub(super) fn oversized(key: &str, value: &str) -> Option<ParamError> {
    if key.len() > MAX_KEY_BYTES {
        let shown_key = shown(key);
        return Some(err(
            "params",
            format!("key {shown_key} is {} bytes long; keys are at most {MAX_KEY_BYTES}", key.len()),
        ));
    }
    // A program has its own limits, in either spelling: `program::read` checks them first.
    if key == "code" {
        return None;
    }
    (value.len() > MAX_VALUE_BYTES)
        .then(|| err(key, format!("{key} is {} bytes long; values are at most {MAX_VALUE_BYTES}", value.len())))
}
