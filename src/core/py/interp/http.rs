//! aiohttp, as articles use it: `ClientSession()`, `session.get(url)` (awaited, or as `async
//! with`), `resp.status`, `await resp.json()` / `resp.text()`, `resp.raise_for_status()`; and
//! `json.dumps` / `json.loads`.
//!
//! A request is a `fetch` span (detail: the status and the shortened URL). Its planned time is
//! the offline mock API's `ms=<n>` (with `fail=1`: status 500) when the URL has it, otherwise a
//! seeded duration from the scenario's workload. The core builds that simulated reply (a sleep on
//! the run's clock, then the mock API's JSON) and hands it to [`Work::request`], which the
//! browser runtime overrides with a real fetch.
//!
//! [`Work::request`]: crate::core::patterns::Work::request

use std::cell::RefCell;
use std::fmt::Write;
use std::pin::pin;
use std::rc::Rc;

use super::builtins::B;
use super::call::Kwargs;
use super::native::{reason, Obj};
use super::value::{Dict, Value};
use super::{fmt, raise, Exc, Flow, Frame, Interp, Res, E};
use crate::core::clock::Clock;
use crate::core::event::Phase;
use crate::core::patterns::{HttpReply, RequestFuture};

/// Longest planned request, as the mock API clamps it (ms).
const MAX_REQUEST_MS: f64 = 600_000.0;

/// Deepest nesting `json.dumps` writes.
const MAX_JSON_DEPTH: u32 = 100;

/// A query parameter of `url`.
fn query_param<'u>(url: &'u str, key: &str) -> Option<&'u str> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then_some(v)
    })
}

/// Whether `url` is the offline mock API's item endpoint (`api/item/<id>`, relative or absolute),
/// which answers after the `ms=` it is given.
fn is_mock_item(url: &str) -> bool {
    url.split(['?', '#']).next().unwrap_or(url).contains("api/item/")
}

/// The URL a request really goes to: a mock API item without `ms=` gets the planned time (and
/// `fail=`) written in, so the measured request takes what the prediction planned; any other URL
/// goes as written.
fn planned_url(url: &str, ms: f64, fail: bool) -> std::borrow::Cow<'_, str> {
    if !is_mock_item(url) || query_param(url, "ms").is_some() {
        return url.into();
    }
    let (base, fragment) = url.split_once('#').map_or((url, ""), |(b, f)| (b, f));
    let sep = match base.split_once('?') {
        None => "?",
        Some((_, q)) if q.is_empty() || q.ends_with('&') => "",
        Some(_) => "&",
    };
    let hash = if fragment.is_empty() { "" } else { "#" };
    format!("{base}{sep}ms={}&fail={}{hash}{fragment}", ms_param(ms), u8::from(fail)).into()
}

/// `ms` as the mock API's query writes it: `120`, `7.5`.
fn ms_param(ms: f64) -> String {
    let text = fmt::float_repr(ms);
    text.strip_suffix(".0").map_or_else(|| text.clone(), str::to_owned)
}

/// The mock API's item id of a URL: its last path segment.
fn item_id(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path)
}

impl<'a> Interp<'a> {
    /// `aiohttp.ClientSession()`, `ClientTimeout(...)`, `TCPConnector(...)`.
    pub fn aiohttp_new(&self, b: B, args: Vec<Value>, kwargs: Kwargs) -> Res {
        let o = match b {
            B::ClientSession => Obj::Session { closed: Default::default(), timeout: request_timeout(&kwargs)? },
            B::ClientTimeout => {
                let total = kwargs.iter().find(|(k, _)| &**k == "total").map(|(_, v)| v).or(args.first());
                Obj::ClientTimeout(super::library::seconds(total)?)
            }
            _ => Obj::ClientTimeout(None),
        };
        Ok(Value::Obj(Rc::new(o)))
    }

    /// Methods of sessions and responses.
    pub fn http_method(&self, o: &Obj, b: B, args: Vec<Value>, kwargs: Kwargs, _f: &Frame, _line: u32) -> Res {
        let ready = |v: Value| Ok(Value::Obj(Rc::new(Obj::Ready(v))));
        match (o, b) {
            (Obj::Session { closed, timeout }, B::SessGet | B::SessPost) => {
                if closed.get() {
                    return raise(E::RuntimeError, "Session is closed");
                }
                let Some(Value::Str(url)) = args.first() else { return raise(E::TypeError, "the URL must be a str") };
                let method = if b == B::SessGet { "GET" } else { "POST" };
                let timeout = request_timeout(&kwargs)?.or(*timeout);
                Ok(Value::Obj(Rc::new(Obj::Request { method, url: url.clone(), resp: Default::default(), timeout })))
            }
            (Obj::Session { closed, .. }, B::SessClose) => {
                closed.set(true);
                ready(Value::None)
            }
            (Obj::Response { body, .. }, B::RespText) => ready(Value::Str(body.clone())),
            (Obj::Response { body, .. }, B::RespJson) => ready(self.json_parse(body)?),
            (Obj::Response { status, url, .. }, B::RespRaiseForStatus) => {
                if *status < 400 {
                    return Ok(Value::None);
                }
                let msg = format!("{status}, message='{}', url='{url}'", reason(*status));
                let exc = self.new_exception(self.classes.get(E::ClientResponseError), vec![Value::str(&msg)]);
                if let Value::Instance(i) = &exc {
                    i.attrs.borrow_mut().insert(Rc::from("status"), Value::Int(i64::from(*status)));
                    i.attrs.borrow_mut().insert(Rc::from("message"), Value::str(reason(*status)));
                }
                Err(Flow::Exc(Box::new(Exc::new(exc))))
            }
            (Obj::Response { .. }, B::SessClose) => ready(Value::None),
            _ => raise(E::AttributeError, format!("'{}' object has no attribute '{}'", o.type_name(), b.name())),
        }
    }

    /// Performs a request (once: `async with` and a later `await` share the response). A
    /// timeout (the session's `ClientTimeout(total=...)` or the request's) raises
    /// `asyncio.TimeoutError`, the span closing with `timeout`.
    pub async fn request(&self, o: &Rc<Obj>, f: &Frame, line: u32) -> Res {
        let Obj::Request { url, resp, timeout, .. } = &**o else { return Ok(Value::None) };
        if let Some(r) = resp.borrow().clone() {
            return Ok(r);
        }
        let deadline = timeout.map(|ms| self.arm_deadline(&f.task(), ms));
        let result = self.request_once(url, f, line).await;
        let result = match deadline {
            Some(d) => self.leave_deadline(d.id, result, f),
            None => result,
        };
        if let Ok(r) = &result {
            *resp.borrow_mut() = Some(r.clone());
        }
        result
    }

    async fn request_once(&self, url: &Rc<str>, f: &Frame, line: u32) -> Res {
        let span = self.span(&f.task(), Phase::Fetch, line)?;
        let (ms, fail) = self.planned(url, &f.task());
        let simulated = self.simulated_reply(url, ms, fail);
        let mut fut: RequestFuture = self.ctx.work.request(&planned_url(url, ms, fail), simulated);
        let short = fmt::short_url(url);
        match self.suspend(&f.task(), pin!(&mut fut).as_mut()).await {
            Ok(Ok(reply)) => {
                span.end_with(format!("{} {short}", reply.status));
                Ok(Value::Obj(Rc::new(Obj::Response {
                    status: reply.status,
                    body: Rc::from(reply.body),
                    url: url.clone(),
                })))
            }
            Ok(Err(why)) => {
                span.fail(format!("{why} {short}"));
                raise(E::ClientConnectionError, format!("Cannot connect to {url}: {why}"))
            }
            Err(why) => {
                match why {
                    super::tasks::Interrupt::Deadline => span.timeout(short),
                    super::tasks::Interrupt::Cancel => drop(span),
                }
                Err(self.interrupted(&f.task(), why))
            }
        }
    }

    /// A request's planned time (ms) and failure: the URL's `ms=` and `fail=1` when it has them
    /// (the mock API's own), otherwise the scenario's seeded plan for the task's next attempt.
    fn planned(&self, url: &str, task: &super::TaskObj) -> (f64, bool) {
        let given = query_param(url, "ms").and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite());
        let ms = match given {
            Some(ms) => ms.clamp(0.0, MAX_REQUEST_MS),
            None => f64::from(self.ctx.workload.attempt(task.index, task.next_attempt()).duration_ms),
        };
        (ms, query_param(url, "fail") == Some("1"))
    }

    /// The reply the offline mock API would give to `url`, after `ms` on the run's clock.
    fn simulated_reply(&self, url: &str, ms: f64, fail: bool) -> RequestFuture {
        let id = item_id(url).to_owned();
        let ms_text = ms_param(ms);
        let (status, body) = if fail {
            (
                500,
                format!(
                    r#"{{"error":"simulated failure of item {} after {ms_text} ms","id":{},"ms":{ms_text}}}"#,
                    json_escape(&id, true),
                    json_string(&id, true)
                ),
            )
        } else {
            (
                200,
                format!(
                    r#"{{"id":{},"ms":{ms_text},"name":{},"served_by":"awaitlab offline mock API"}}"#,
                    json_string(&id, true),
                    json_string(&format!("item {id}"), true)
                ),
            )
        };
        let sleep = self.ctx.clock.sleep(ms);
        Box::pin(async move {
            sleep.await;
            Ok(HttpReply { status, body })
        })
    }

    /// `json.dumps(v, indent=None, sort_keys=False, separators=None, ensure_ascii=True)`, as
    /// CPython's: `", "` and `": "` between items and after keys (`","` between items when
    /// indented), escapes past ASCII unless `ensure_ascii=False`.
    pub fn json_dumps(&self, args: &[Value], kwargs: &Kwargs) -> Res {
        let kw = |name: &str| kwargs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v);
        let indent = match kw("indent") {
            None | Some(Value::None) => None,
            Some(Value::Str(s)) => Some(s.to_string()),
            Some(v) => Some(" ".repeat(super::ops::as_int(v).map_or(0, |n| n.clamp(0, 16) as usize))),
        };
        let (item_sep, key_sep) = match kw("separators") {
            None | Some(Value::None) => (if indent.is_some() { "," } else { ", " }.into(), ": ".into()),
            Some(v) => match &self.iterate(v)?[..] {
                [Value::Str(i), Value::Str(k)] => (i.to_string(), k.to_string()),
                _ => return raise(E::TypeError, "separators must be a pair of str"),
            },
        };
        let opts = JsonOpts {
            indent,
            item_sep,
            key_sep,
            sort_keys: kw("sort_keys").is_some_and(Value::truthy),
            ascii: kw("ensure_ascii").is_none_or(Value::truthy),
            open: RefCell::default(),
        };
        let mut out = String::new();
        self.write_json(&mut out, args.first().unwrap_or(&Value::None), &opts, 0)?;
        self.new_str(out)
    }

    fn write_json(&self, out: &mut String, v: &Value, opts: &JsonOpts, depth: u32) -> Result<(), Flow> {
        if depth > MAX_JSON_DEPTH || out.len() > super::limits::MAX_STR_BYTES {
            return raise(E::ValueError, "the value is too deep or too large for json.dumps here");
        }
        let newline = |out: &mut String, level: u32| {
            if let Some(pad) = &opts.indent {
                out.push('\n');
                out.push_str(&pad.repeat(level as usize));
            }
        };
        match v {
            Value::None => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(x) if x.is_nan() => out.push_str("NaN"),
            Value::Float(x) if x.is_infinite() => out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" }),
            Value::Float(x) => out.push_str(&fmt::float_repr(*x)),
            Value::Str(s) => out.push_str(&json_string(s, opts.ascii)),
            Value::List(_) | Value::Tuple(_) | Value::Dict(_) => {
                if opts.open.borrow().contains(&v.identity()) {
                    return raise(E::ValueError, "Circular reference detected");
                }
                let (open, close) = if let Value::Dict(_) = v { ('{', '}') } else { ('[', ']') };
                let items = self.json_items(v, opts)?;
                opts.open.borrow_mut().push(v.identity());
                out.push(open);
                for (i, (key, item)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&opts.item_sep);
                    }
                    newline(out, depth + 1);
                    if let Some(key) = key {
                        out.push_str(&json_string(key, opts.ascii));
                        out.push_str(&opts.key_sep);
                    }
                    self.write_json(out, item, opts, depth + 1)?;
                }
                opts.open.borrow_mut().pop();
                if !items.is_empty() {
                    newline(out, depth);
                }
                out.push(close);
            }
            other => {
                return raise(E::TypeError, format!("Object of type {} is not JSON serializable", other.type_name()))
            }
        }
        Ok(())
    }

    /// The items of a list (no keys) or a dict (its keys as JSON says them, sorted by key for
    /// `sort_keys`, as CPython sorts them: as Python values, before they become strings).
    fn json_items(&self, v: &Value, opts: &JsonOpts) -> Result<Vec<(Option<String>, Value)>, Flow> {
        let Value::Dict(d) = v else { return Ok(self.iterate(v)?.into_iter().map(|x| (None, x)).collect()) };
        let mut pairs: Vec<(Value, Value)> = d.borrow().iter().cloned().collect();
        if opts.sort_keys {
            self.work(pairs.len() * (usize::BITS - pairs.len().leading_zeros()) as usize)?;
            let lt = &mut |a: &(Value, Value), b: &(Value, Value)| -> Result<bool, Flow> {
                Ok(self.order(&a.0, &b.0, "<")? == std::cmp::Ordering::Less)
            };
            pairs = super::sort::sort_by_lt(pairs, false, lt)?;
        }
        pairs
            .into_iter()
            .map(|(k, val)| {
                let key = match &k {
                    Value::Str(s) => s.to_string(),
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None => {
                        let mut s = String::new();
                        self.write_json(&mut s, &k, opts, MAX_JSON_DEPTH)?;
                        s
                    }
                    other => {
                        let t = other.type_name();
                        return raise(E::TypeError, format!("keys must be str, int, float, bool or None, not {t}"));
                    }
                };
                Ok((Some(key), val))
            })
            .collect()
    }

    /// `json.loads(text)`.
    pub fn json_loads(&self, args: &[Value]) -> Res {
        match args.first() {
            Some(Value::Str(s)) => self.json_parse(s),
            Some(other) => {
                let t = other.type_name();
                raise(E::TypeError, format!("the JSON object must be str, bytes or bytearray, not {t}"))
            }
            None => raise(E::TypeError, "loads() missing 1 required positional argument: 's'"),
        }
    }

    fn json_parse(&self, text: &str) -> Res {
        let parsed: Json = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return raise(E::JSONDecodeError, json_error(text, &e)),
        };
        // serde_json reads such an integer as a float, without a word; CPython reads it exactly.
        if int_past_i64(text) {
            return raise(E::OverflowError, "integer too large for awaitlab's 64-bit integers");
        }
        self.json_value(parsed)
    }

    /// A JSON value as a Python value (serde_json limits nesting to 128 levels).
    fn json_value(&self, v: Json) -> Res {
        Ok(match v {
            Json::Null => Value::None,
            Json::Bool(b) => Value::Bool(b),
            Json::Int(i) => Value::Int(i),
            Json::Float(x) => Value::Float(x),
            Json::Str(s) => Value::str(&s),
            Json::Array(items) => {
                self.alloc(items.len())?;
                Value::list(items.into_iter().map(|i| self.json_value(i)).collect::<Result<_, _>>()?)
            }
            Json::Object(pairs) => {
                let mut d = Dict::default();
                for (k, val) in pairs {
                    let val = self.json_value(val)?;
                    self.dict_set(&mut d, Value::str(&k), val)?;
                }
                Value::dict(d)
            }
        })
    }
}

/// A parsed JSON document, objects in their document's order (as Python's `json.loads` keeps
/// them; serde_json's own `Value` is built here without `preserve_order` and sorts keys).
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Json, E> {
        Ok(Json::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Json, E> {
        // Past an i64: refused by `json_parse` (`int_past_i64`), as serde's floats for integers
        // past a u64 are.
        Ok(i64::try_from(u).map_or(Json::Float(u as f64), Json::Int))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Json, E> {
        Ok(Json::Float(x))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::Str(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut pairs = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            pairs.push((k, v));
        }
        Ok(Json::Object(pairs))
    }
}

/// Whether JSON `text` writes an integer (a number without `.` or exponent) past an i64.
fn int_past_i64(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            // A string, to its closing quote (past each escaped character).
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                let number = &text[start..i];
                if !number.contains(['.', 'e', 'E']) && number.parse::<i64>().is_err() {
                    return true;
                }
            }
            _ => i += 1,
        }
    }
    false
}

/// CPython's message for a JSON text serde_json refused, and where, as CPython says it
/// (`Expecting value: line 1 column 1 (char 0)`); serde's own for the rarer errors.
fn json_error(text: &str, e: &serde_json::Error) -> String {
    let serde = e.to_string();
    let what = serde.rsplit_once(" at line ").map_or(&serde[..], |(w, _)| w);
    // The byte after the last one serde read.
    let line_start: usize = text.split_inclusive('\n').take(e.line().saturating_sub(1)).map(str::len).sum();
    let at = (line_start + e.column()).min(text.len());
    let before = text[..at].trim_end();
    let eof_value = || match before.chars().last() {
        Some('[' | ',' | ':') | None => "Expecting value",
        _ => "Expecting ',' delimiter",
    };
    let (msg, pos) = match what {
        "key must be a string" => ("Expecting property name enclosed in double quotes", at - 1),
        "trailing comma" if text[at - 1..].starts_with('}') => {
            ("Expecting property name enclosed in double quotes", at - 1)
        }
        "trailing comma" | "expected value" | "expected ident" => ("Expecting value", at - 1),
        "trailing characters" => ("Extra data", at - 1),
        "expected `,` or `]`" | "expected `,` or `}`" => ("Expecting ',' delimiter", at - 1),
        "expected `:`" => ("Expecting ':' delimiter", at - 1),
        "EOF while parsing a string" => ("Unterminated string starting at", text.rfind('"').unwrap_or(0)),
        "EOF while parsing a value" => ("Expecting value", text.len()),
        "EOF while parsing a list" => (eof_value(), text.len()),
        "EOF while parsing an object" => match before.chars().last() {
            Some('{' | ',') => ("Expecting property name enclosed in double quotes", text.len()),
            // After a string: a key's wants its `:`, a value's its `,`.
            Some('"')
                if !before[..before.len() - 1].rsplit_once('"').is_some_and(|(b, _)| b.trim_end().ends_with(':')) =>
            {
                ("Expecting ':' delimiter", text.len())
            }
            _ => (eof_value(), text.len()),
        },
        _ => return serde,
    };
    // A misspelt `null`, `true`…: CPython points at its start.
    let word = text[..pos].trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let pos = if msg == "Expecting value" { word.len() } else { pos };
    let line = text[..pos].matches('\n').count() + 1;
    let column = text[..pos].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{msg}: line {line} column {column} (char {})", text[..pos].chars().count())
}

/// A `timeout=` keyword: a `ClientTimeout(total=...)` or a number of seconds, in ms.
fn request_timeout(kwargs: &Kwargs) -> Result<Option<f64>, Flow> {
    match kwargs.iter().find(|(k, _)| &**k == "timeout").map(|(_, v)| v) {
        Some(Value::Obj(o)) => match &**o {
            Obj::ClientTimeout(total) => Ok(*total),
            _ => raise(E::TypeError, "timeout must be a ClientTimeout or a number"),
        },
        other => super::library::seconds(other),
    }
}

/// What `json.dumps` was told.
struct JsonOpts {
    /// What each level indents by (`indent=2`: two spaces), or None: all on one line.
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
    /// `ensure_ascii`: escape what is past ASCII.
    ascii: bool,
    /// The lists, tuples and dicts being written, by identity (CPython's `markers`), to refuse
    /// one that holds itself.
    open: RefCell<Vec<usize>>,
}

/// A JSON string literal, escaped as Python's `json` escapes (past ASCII too if `ascii`).
fn json_string(s: &str, ascii: bool) -> String {
    format!("\"{}\"", json_escape(s, ascii))
}

fn json_escape(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (ascii && (c as u32) > 0x7e) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::planned_url;

    #[test]
    fn a_mock_api_item_without_ms_goes_with_its_planned_time_and_others_go_as_written() {
        assert_eq!(planned_url("api/item/3", 120.0, false), "api/item/3?ms=120&fail=0");
        assert_eq!(planned_url("/app/api/item/3?x=1#top", 7.5, true), "/app/api/item/3?x=1&ms=7.5&fail=1#top");
        assert_eq!(planned_url("api/item/3?ms=50", 120.0, false), "api/item/3?ms=50");
        assert_eq!(planned_url("https://example.com/users/7", 120.0, false), "https://example.com/users/7");
    }
}
