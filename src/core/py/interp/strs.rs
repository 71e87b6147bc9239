//! The methods of `str` that search, split or test a string, with every argument CPython's take
//! (`start`/`end` as slice bounds, in characters; `maxsplit`; a tuple of prefixes).

use super::builtins::{want_str, B};
use super::value::Value;
use super::{ops, raise, Flow, Interp, Res, E};

/// The byte offset of char `i` of `s` (its length past the end).
fn byte_at(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

/// A `start`/`end` argument: an int, or None for the default.
fn bound(v: Option<&Value>) -> Result<Option<i64>, Flow> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => ops::as_int(v)
            .map(Some)
            .ok_or(())
            .or_else(|()| raise(E::TypeError, "slice indices must be integers or None or have an __index__ method")),
    }
}

/// `s[start:end]` as chars, as Python slices: `(first char, bytes lo..hi)`, or None when `start`
/// is past the end (where even `""` is not found, as CPython's `find`).
fn window(s: &str, start: Option<&Value>, end: Option<&Value>) -> Result<Option<(usize, usize, usize)>, Flow> {
    // The whole string, without counting its characters: `s.startswith(p)` stays O(len(p)).
    if matches!(start, None | Some(Value::None)) && matches!(end, None | Some(Value::None)) {
        return Ok(Some((0, 0, s.len())));
    }
    let len = s.chars().count() as i64;
    let at = |i: i64| if i < 0 { (i + len).max(0) } else { i.min(len) };
    let (raw_start, end) = (bound(start)?.unwrap_or(0), at(bound(end)?.unwrap_or(len)));
    if raw_start > len {
        return Ok(None);
    }
    let start = at(raw_start);
    let (lo, hi) = (byte_at(s, start as usize), byte_at(s, end.max(start) as usize));
    Ok(Some((start as usize, lo, hi)))
}

/// A separator or substring: CPython's `must be str, not int` (`or None` where None splits at
/// whitespace).
fn must_be_str<'v>(v: &'v Value, or_none: &str) -> Result<&'v str, Flow> {
    match v {
        Value::Str(s) => Ok(s),
        other => raise(E::TypeError, format!("must be str{or_none}, not {}", other.type_name())),
    }
}

impl<'a> Interp<'a> {
    /// `find`, `rfind`, `index`, `rindex`, `count`, `startswith`, `endswith`.
    pub fn str_search(&self, b: B, s: &str, args: &[Value]) -> Res {
        use B::*;
        let Some(sub) = args.first() else {
            return raise(E::TypeError, format!("{}() takes at least 1 argument (0 given)", b.name()));
        };
        let Some((first, lo, hi)) = window(s, args.get(1), args.get(2))? else {
            return Ok(match b {
                StrFind | StrRfind => Value::Int(-1),
                StrIndex | StrRindex => return raise(E::ValueError, "substring not found"),
                StrCount => Value::Int(0),
                _ => Value::Bool(false),
            });
        };
        let hay = &s[lo..hi];
        if let StrStartswith | StrEndswith = b {
            let test = |p: &str| if b == StrStartswith { hay.starts_with(p) } else { hay.ends_with(p) };
            return Ok(Value::Bool(match sub {
                Value::Tuple(t) => t.iter().any(|p| matches!(p, Value::Str(p) if test(p))),
                Value::Str(p) => test(p),
                other => {
                    let what = format!("{} first arg must be str or a tuple of str, not", b.name());
                    return raise(E::TypeError, format!("{what} {}", other.type_name()));
                }
            }));
        }
        let sub = must_be_str(sub, "")?;
        if b == StrCount {
            let n = if sub.is_empty() { hay.chars().count() + 1 } else { hay.matches(sub).count() };
            return Ok(Value::Int(n as i64));
        }
        let found = if let StrFind | StrIndex = b { hay.find(sub) } else { hay.rfind(sub) };
        match found {
            Some(i) => Ok(Value::Int((first + hay[..i].chars().count()) as i64)),
            None if matches!(b, StrIndex | StrRindex) => raise(E::ValueError, "substring not found"),
            None => Ok(Value::Int(-1)),
        }
    }

    /// `split`, `rsplit` (`sep`, `maxsplit`), `partition`, `rpartition`, `splitlines`.
    pub fn str_split(&self, b: B, s: &str, args: &[Value]) -> Res {
        use B::*;
        let parts: Vec<&str> = match b {
            StrPartition | StrRpartition => {
                let sep = must_be_str(args.first().unwrap_or(&Value::None), "")?;
                if sep.is_empty() {
                    return raise(E::ValueError, "empty separator");
                }
                let cut = if b == StrPartition { s.split_once(sep) } else { s.rsplit_once(sep) };
                let parts = match (cut, b) {
                    (Some((l, r)), _) => [l, sep, r],
                    (None, StrPartition) => [s, "", ""],
                    (None, _) => ["", "", s],
                };
                return Ok(Value::tuple(parts.iter().map(|p| Value::str(p)).collect()));
            }
            StrSplitlines => splitlines(s, args.first().is_some_and(Value::truthy)),
            _ => {
                let max = match args.get(1) {
                    Some(m) => usize::try_from(super::builtins::want_int(m)?).ok(),
                    None => None,
                };
                let right = b == StrRsplit;
                match args.first().filter(|a| !matches!(a, Value::None)) {
                    Some(sep) => {
                        let sep = must_be_str(sep, " or None")?;
                        if sep.is_empty() {
                            return raise(E::ValueError, "empty separator");
                        }
                        match (max, right) {
                            // `saturating_add`: a maxsplit of 2**32 - 1 is usize::MAX on wasm32.
                            (Some(m), false) => s.splitn(m.saturating_add(1), sep).collect(),
                            (Some(m), true) => {
                                s.rsplitn(m.saturating_add(1), sep).collect::<Vec<_>>().into_iter().rev().collect()
                            }
                            (None, _) => s.split(sep).collect(),
                        }
                    }
                    None if right => rsplit_whitespace(s, max),
                    None => split_whitespace(s, max),
                }
            }
        };
        self.alloc(parts.len())?;
        Ok(Value::list(parts.into_iter().map(Value::str).collect()))
    }

    /// `isalpha`, `isalnum`, `isupper`, `islower`, `isspace`, `isdigit`, as Python's over Unicode
    /// (Rust's character classes, which agree but for a few rare code points).
    pub fn str_is(&self, b: B, s: &str) -> Res {
        let all = |f: fn(&char) -> bool| !s.is_empty() && s.chars().all(|c| f(&c));
        // Cased: an upper- or lowercase letter; `isupper` wants one, and no lowercase one.
        let cased = |upper: bool| {
            s.chars().any(|c| if upper { c.is_uppercase() } else { c.is_lowercase() })
                && !s.chars().any(|c| if upper { c.is_lowercase() } else { c.is_uppercase() })
        };
        Ok(Value::Bool(match b {
            B::StrIsalpha => all(|c| c.is_alphabetic()),
            B::StrIsalnum => all(|c| c.is_alphanumeric()),
            B::StrIsspace => all(|c| c.is_whitespace()),
            B::StrIsupper => cased(true),
            B::StrIslower => cased(false),
            // Numeric characters: digits, fractions, Roman numerals (Unicode's N categories).
            B::StrIsnumeric => all(|c| c.is_numeric()),
            // `isdigit` and `isdecimal` know the ASCII digits only (CPython: any script's).
            _ => all(char::is_ascii_digit),
        }))
    }

    /// `swapcase`, `casefold` (lowercase, with `ß` as `ss`: the folds beyond lowercasing that
    /// text meets), `removeprefix`, `removesuffix`.
    pub fn str_change(&self, b: B, s: &str, args: &[Value]) -> Result<String, Flow> {
        Ok(match b {
            B::StrSwapcase => s
                .chars()
                .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
                    if c.is_uppercase() {
                        Box::new(c.to_lowercase())
                    } else {
                        Box::new(c.to_uppercase())
                    }
                })
                .collect(),
            B::StrCasefold => s.to_lowercase().replace(['ß', 'ẞ'], "ss"),
            _ => {
                let what = format!("{}() argument", b.name());
                let affix = &**want_str(args.first().unwrap_or(&Value::None), &what)?;
                let cut = if b == B::StrRemoveprefix { s.strip_prefix(affix) } else { s.strip_suffix(affix) };
                cut.unwrap_or(s).to_owned()
            }
        })
    }
}

/// `s.split()` / `s.split(None, max)`: runs of whitespace separate, at most `max` splits (the
/// rest kept as it is, but for its leading whitespace).
pub fn split_whitespace(s: &str, max: Option<usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if max.is_some_and(|m| out.len() == m) {
            out.push(rest);
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    out
}

/// `s.rsplit(None, max)`: [`split_whitespace`] from the right.
fn rsplit_whitespace(s: &str, max: Option<usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_end();
    while !rest.is_empty() {
        if max.is_some_and(|m| out.len() == m) {
            out.push(rest);
            break;
        }
        let start =
            rest.rfind(char::is_whitespace).map_or(0, |i| i + rest[i..].chars().next().map_or(1, char::len_utf8));
        out.push(&rest[start..]);
        rest = rest[..start].trim_end();
    }
    out.reverse();
    out
}

/// `s.splitlines(keepends)`: Python's line boundaries (`\n`, `\r\n`, `\r`, `\v`, `\f`, the
/// separators `\x1c`–`\x1e`, `\x85`, `\u2028`, `\u2029`).
fn splitlines(s: &str, keepends: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            chars.next();
            end += 1;
        }
        out.push(&s[start..if keepends { end } else { i }]);
        start = end;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}
