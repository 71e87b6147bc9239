//! URL templates (`source=fetch`): checking one, the request URL of an attempt, and the
//! percent-encoding a link's query uses for the template.

use super::params::shown;

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
pub(super) fn query_escape(value: &str) -> String {
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

/// Undoes [`query_escape`] (and any other `%XX` escape): what a browser's query parser gives for
/// a value, except that `+` stays `+` ([`query_escape`] never writes a space). An escape that is
/// not two hex digits, or bytes that are not UTF-8 once decoded, are kept as written.
/// A query string's `(key, value)` pairs (a leading `?` is skipped), `%XX` escapes decoded, in
/// order. A `+` stays a `+`, as [`super::Scenario::to_query`] writes it (`what_if=2:fail+x2`):
/// form decoding (`URLSearchParams`) would read it as a space and refuse the link.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .strip_prefix('?')
        .unwrap_or(query)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (query_unescape(k).into_owned(), query_unescape(v).into_owned()))
        .collect()
}

fn query_unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('%') {
        return text.into();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => (out.push(b), i += 3),
            (b, _) => (out.push(b), i += 1),
        };
    }
    String::from_utf8(out).map_or_else(|_| text.into(), Into::into)
}
