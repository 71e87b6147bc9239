//! The embed's postMessage API, pure: commands a host page sends (validated here, shape, types and
//! size) and the view options of an embed link (`embed`, `theme`, `controls`, `autoplay`).
//!
//! A message is for awaitlab when its `type` starts with `awaitlab:`; others are ignored (pages
//! post all sorts of messages). Commands: `hello` (the handshake), `run` and `set` (with
//! `params`, keyed like the URL), `play`, `pause`, `seek` (`ms`), `load` (`run`: a Run JSON
//! object or text). Anything else addressed to awaitlab is an error with a message.

use serde_json::Value;

use super::run::{Run, MAX_RUN_BYTES};

/// Largest message other than `load`, as JSON text.
pub const MAX_COMMAND_BYTES: usize = 65_536;
/// Most keys in `params`.
pub const MAX_PARAMS: usize = 64;

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

/// A command's `params` as `(key, text)` pairs for `Scenario::parse`: strings as they are,
/// numbers as their JSON text, booleans as 1 / 0.
pub fn params_pairs(params: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    let Some(params) = params.filter(|p| !p.is_null()) else { return Ok(Vec::new()) };
    let Some(map) = params.as_object() else {
        return Err("params must be an object like {\"pattern\": \"gather\", \"tasks\": 50}".into());
    };
    if map.len() > MAX_PARAMS {
        return Err(format!("params has {} keys; at most {MAX_PARAMS}", map.len()));
    }
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
                _ => return Err(format!("{k} must be a number or a string")),
            };
            Ok((k.clone(), text))
        })
        .collect()
}

/// Reads one message (as JSON text, e.g. `JSON.stringify(event.data)`). `Ok(None)` when it is not
/// addressed to awaitlab; an error message when it is but is not a valid command.
pub fn parse_command(text: &str) -> Result<Option<Command>, String> {
    if text.len() > MAX_RUN_BYTES + MAX_COMMAND_BYTES {
        return Err(format!("message of {} bytes is too large", text.len()));
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        // Messages that are not JSON-like objects are someone else's.
        Err(_) if !text.contains("awaitlab:") => return Ok(None),
        Err(e) => return Err(format!("message is not valid JSON: {e}")),
    };
    let Some(kind) = value.get("type").and_then(Value::as_str) else { return Ok(None) };
    let Some(name) = kind.strip_prefix("awaitlab:") else { return Ok(None) };
    if name != "load" && text.len() > MAX_COMMAND_BYTES {
        return Err(format!("{name} message of {} bytes is too large (at most {MAX_COMMAND_BYTES})", text.len()));
    }
    let command = match name {
        "hello" => Command::Hello,
        "play" => Command::Play,
        "pause" => Command::Pause,
        "run" => Command::Run(params_pairs(value.get("params"))?),
        "set" => Command::Set(params_pairs(value.get("params"))?),
        "seek" => match value.get("ms").and_then(Value::as_f64) {
            Some(ms) if ms.is_finite() && ms >= 0.0 => Command::Seek(ms),
            _ => return Err("seek needs ms: a number of milliseconds, 0 or more".into()),
        },
        "load" => {
            let run = match value.get("run") {
                Some(Value::String(s)) => Run::from_json(s),
                Some(v @ Value::Object(_)) => Run::from_json(&v.to_string()),
                _ => return Err("load needs run: the Run JSON (an object or its text)".into()),
            };
            Command::Load(Box::new(run.map_err(|e| format!("load: {e}"))?))
        }
        // Events awaitlab itself posts: echoes, not commands.
        "ready" | "height" | "finished" | "error" => return Ok(None),
        other => {
            let shown: String = other.chars().take(40).collect();
            return Err(format!(
                "unknown command \"awaitlab:{shown}\" (known: hello, run, set, play, pause, seek, load)"
            ));
        }
    };
    Ok(Some(command))
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

/// How an embed link asks to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewOptions {
    pub embed: bool,
    pub theme: Theme,
    pub controls: bool,
    pub autoplay: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions { embed: false, theme: Theme::Auto, controls: true, autoplay: false }
    }
}

impl ViewOptions {
    /// Reads the view keys from a URL's pairs; unknown values keep the defaults.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ViewOptions {
        let mut o = ViewOptions::default();
        let on = |v: &str| matches!(v, "1" | "true" | "yes");
        for (k, v) in pairs {
            match k {
                "embed" => o.embed = on(v),
                "autoplay" => o.autoplay = on(v),
                "controls" => o.controls = !matches!(v, "0" | "false" | "no"),
                "theme" => {
                    o.theme = match v {
                        "light" => Theme::Light,
                        "dark" => Theme::Dark,
                        _ => Theme::Auto,
                    }
                }
                _ => {}
            }
        }
        o
    }

    /// Classes for the page's root element.
    pub fn classes(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if self.embed {
            c.push("embed");
        }
        if !self.controls {
            c.push("no-controls");
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
        assert!(parse_command(r#"{"type":"awaitlab:eval","code":"alert(1)"}"#).unwrap_err().contains("unknown command"));
        assert!(parse_command(r#"{"type":"awaitlab:run","params":[1]}"#).unwrap_err().contains("params must be an object"));
        assert!(parse_command(r#"{"type":"awaitlab:run","params":{"tasks":{"a":1}}}"#).unwrap_err().contains("tasks must be"));
        assert!(parse_command(r#"{"type":"awaitlab:load","run":{"format":"x"}}"#).unwrap_err().contains("load:"));
        assert!(parse_command(r#"{"type":"awaitlab:load"}"#).unwrap_err().contains("load needs run"));
        let big = format!(r#"{{"type":"awaitlab:run","params":{{"url":"{}"}}}}"#, "x".repeat(MAX_COMMAND_BYTES));
        assert!(parse_command(&big).unwrap_err().contains("too large"));
    }

    #[test]
    fn view_options_come_from_the_link() {
        let o = ViewOptions::from_pairs([("embed", "1"), ("theme", "dark"), ("controls", "0"), ("autoplay", "1")]);
        assert_eq!(o, ViewOptions { embed: true, theme: Theme::Dark, controls: false, autoplay: true });
        assert_eq!(o.classes(), vec!["embed", "no-controls", "theme-dark"]);
        assert_eq!(ViewOptions::from_pairs([("theme", "<script>")]), ViewOptions::default());
    }
}
