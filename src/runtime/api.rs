//! `window.awaitlab`: the JavaScript API tutorial pages script against, every verb of it.
//!
//! `awaitlab.run(params)` takes an object keyed like the URL (`{pattern: "gather", tasks: 50}`) and
//! returns a Promise of the Run JSON. With `clock: "virtual"` it resolves at once with the
//! predicted run; otherwise it runs on the browser clock as the page's current run (cancelling the
//! one in progress, whose promise then rejects). Bad params reject with a message naming the key.
//! `summary(params)` is the same run resolving to its summary only.
//!
//! `play()`, `pause()`, `seek(ms)` and `load(run)` drive the page's replay: they exist while the
//! app is mounted ([`install_replay_verbs`]), are read into the same [`Command`]s as the embed's
//! postMessage API, by the same rules (`core::message`), and throw an Error with a message when
//! refused.

use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::session;
use crate::core::message::{self, param_pair, Command, ParamValue};
use crate::core::run::{run_virtual, Run};
use crate::core::scenario::{ClockKind, Pattern, Scenario};

/// Version of the JS API.
pub const API_VERSION: u32 = 1;

/// Turns a params object into `(key, text)` pairs ([`param_pair`]'s rule). Numbers are written as
/// JavaScript writes them (200 -> "200", 0.25 -> "0.25", NaN -> "NaN", rejected later by name).
/// The embed reads a posted `run` or `set` with it too (`embed::read_message`).
pub fn params_to_pairs(params: &JsValue) -> Result<Vec<(String, String)>, String> {
    const SHAPE: &str = "params must be an object like {pattern: \"gather\", tasks: 50}";
    if params.is_undefined() || params.is_null() {
        return Ok(Vec::new());
    }
    if !params.is_object() || Array::is_array(params) {
        return Err(SHAPE.into());
    }
    let entries = Object::entries(params.unchecked_ref());
    message::check_param_count(entries.length() as usize)?;
    // A Map, a Set or a Date keeps what it holds out of its own keys: it would run the defaults.
    if entries.length() == 0 {
        let kind = Reflect::get(params, &"constructor".into()).and_then(|c| Reflect::get(&c, &"name".into()));
        if let Some(kind) = kind.ok().and_then(|k| k.as_string()).filter(|k| k != "Object") {
            return Err(format!("{SHAPE}, not a {kind}"));
        }
    }
    entries
        .iter()
        .filter_map(|entry| {
            let entry: Array = entry.unchecked_into();
            let (key, value) = (entry.get(0).as_string().unwrap_or_default(), entry.get(1));
            let value = if let Some(s) = value.as_string() {
                ParamValue::Text(s)
            } else if let Some(n) = value.as_f64() {
                ParamValue::Number(String::from(
                    js_sys::Number::from(n).to_string_with_radix(10).unwrap_or_else(|_| "NaN".into()),
                ))
            } else if let Some(b) = value.as_bool() {
                ParamValue::Bool(b)
            } else if value.is_null() || value.is_undefined() {
                ParamValue::Null
            } else {
                ParamValue::Other
            };
            param_pair(key, value).transpose()
        })
        .collect()
}

/// Parses a params object into a scenario, or one message naming every bad key.
pub fn scenario_from_js(params: &JsValue) -> Result<Scenario, String> {
    message::parse_scenario(&params_to_pairs(params)?)
}

fn run_to_js(run: &Run) -> Result<JsValue, JsValue> {
    JSON::parse(&run.to_json())
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(&format!("awaitlab: {message}")).into()
}

fn summary_to_js(run: &Run) -> Result<JsValue, JsValue> {
    JSON::parse(&serde_json::to_string(&run.summary.clone().reported()).unwrap_or_default())
}

/// Runs `params` and resolves with `to_js` of the run. A program's syntax is checked first by the
/// interpreter module's parser (loading it if needed), so a syntax error rejects before anything runs.
fn run_to_promise(params: JsValue, to_js: fn(&Run) -> Result<JsValue, JsValue>) -> Promise {
    let scenario = match scenario_from_js(&params) {
        Ok(s) => s,
        Err(message) => return Promise::reject(&error(&message)),
    };
    let Some(code) = message::code_to_check(&scenario).map(str::to_string) else {
        return run_checked(scenario, to_js);
    };
    match super::py_module::check_now(&code) {
        Some(Ok(Ok(()))) => run_checked(scenario, to_js),
        Some(Ok(Err(e))) => Promise::reject(&error(&message::code_error(&e))),
        Some(Err(why)) => Promise::reject(&error(&why)),
        None => future_to_promise(async move {
            match super::py_module::check(&code).await {
                Ok(Ok(())) => JsFuture::from(run_checked(scenario, to_js)).await,
                Ok(Err(e)) => Err(error(&message::code_error(&e))),
                Err(why) => Err(error(&why)),
            }
        }),
    }
}

/// Runs a checked `scenario` and resolves with `to_js` of the run.
fn run_checked(scenario: Scenario, to_js: fn(&Run) -> Result<JsValue, JsValue>) -> Promise {
    if scenario.clock == ClockKind::Virtual && scenario.pattern == Pattern::Code {
        // A code prediction needs the interpreter module: wait for it.
        return future_to_promise(async move {
            super::py_module::load().await.map_err(|why| error(&why))?;
            to_js(&run_virtual(&scenario))
        });
    }
    if scenario.clock == ClockKind::Virtual {
        return match to_js(&run_virtual(&scenario)) {
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        };
    }
    if let Err(why) = crate::core::budget::check_browser_run(&scenario) {
        return Promise::reject(&error(&why));
    }
    let live = session::start_script_run(scenario);
    future_to_promise(async move {
        match live.finished.await {
            Some(_) if live.problem.borrow().is_some() => {
                Err(error(live.problem.borrow().as_deref().unwrap_or_default()))
            }
            Some(run) => to_js(&run),
            None => Err(error(message::RUN_CANCELLED)),
        }
    })
}

/// `awaitlab.run(params)`: a Promise of the Run JSON.
pub fn run(params: JsValue) -> Promise {
    run_to_promise(params, run_to_js)
}

/// `awaitlab.summary(params)`: the same run, resolving to its summary only (cheap for big runs).
pub fn summary(params: JsValue) -> Promise {
    run_to_promise(params, summary_to_js)
}

/// Defines `name` on `target` as `value`, read-only (an assignment is ignored, or throws in strict
/// code): a page script cannot replace the API's verbs or version by mistake. `removable` keeps it
/// deletable (the replay verbs go when the app unmounts).
fn define_read_only(target: &Object, name: &str, value: &JsValue, removable: bool) -> Result<(), JsValue> {
    let descriptor = Object::new();
    Reflect::set(&descriptor, &"value".into(), value)?;
    Reflect::set(&descriptor, &"enumerable".into(), &JsValue::TRUE)?;
    Reflect::set(&descriptor, &"configurable".into(), &removable.into())?;
    // Reflect's, which answers false where Object's would throw through the wasm (a property
    // already there and not configurable).
    match Reflect::define_property(target, &name.into(), &descriptor)? {
        true => Ok(()),
        false => Err(JsValue::from_str(&format!("awaitlab: could not define {name}"))),
    }
}

/// Defines `window.awaitlab` (once, at start-up), read-only, as its verbs and version are.
pub fn install() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let api = Object::new();
    for (name, f) in [("run", run as fn(JsValue) -> Promise), ("summary", summary)] {
        let f = Closure::<dyn Fn(JsValue) -> Promise>::new(f);
        define_read_only(&api, name, f.as_ref(), false)?;
        // The API lives as long as the page.
        f.forget();
    }
    define_read_only(&api, "version", &API_VERSION.into(), false)?;
    define_read_only(&window, "awaitlab", &api, false)
}

/// Carries out a replay command for the page, or says why it cannot.
pub type CommandHandler = Rc<dyn Fn(Command) -> Result<(), String>>;

type Verb = Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>>;

/// `play`, `pause`, `seek` and `load` on `window.awaitlab` while this lives; dropping it removes them.
pub struct ReplayVerbs(Vec<(&'static str, Verb)>);

/// The `window.awaitlab` object, when [`install`] has defined it.
fn api_object() -> Option<JsValue> {
    web_sys::window().and_then(|w| Reflect::get(&w, &"awaitlab".into()).ok()).filter(|a| a.is_object())
}

/// Reads a verb's argument into a command, by the postMessage API's rules.
type ReadCommand = fn(JsValue) -> Result<Command, String>;

fn read_play(_: JsValue) -> Result<Command, String> {
    Ok(Command::Play)
}

fn read_pause(_: JsValue) -> Result<Command, String> {
    Ok(Command::Pause)
}

fn read_seek(ms: JsValue) -> Result<Command, String> {
    message::seek_command(ms.as_f64()).ok_or_else(|| "seek needs a number of milliseconds, 0 or more".into())
}

fn read_load(run: JsValue) -> Result<Command, String> {
    let text = match run.as_string() {
        Some(text) => text,
        None => {
            JSON::stringify(&run).ok().and_then(|t| t.as_string()).ok_or("load needs a Run JSON object or its text")?
        }
    };
    message::load_command(&text)
}

/// Defines `awaitlab.play()`, `pause()`, `seek(ms)` and `load(run)`, each handing its command to
/// `handler`. Nothing when `window.awaitlab` is missing.
pub fn install_replay_verbs(handler: CommandHandler) -> ReplayVerbs {
    let Some(api) = api_object() else { return ReplayVerbs(Vec::new()) };
    let readers: [(&'static str, ReadCommand); 4] =
        [("play", read_play), ("pause", read_pause), ("seek", read_seek), ("load", read_load)];
    let verbs = readers
        .into_iter()
        .map(|(name, read)| {
            let handler = handler.clone();
            let verb: Verb = Closure::new(move |arg: JsValue| {
                read(arg).and_then(|command| handler(command)).map(|()| JsValue::UNDEFINED).map_err(|e| error(&e))
            });
            let _ = define_read_only(api.unchecked_ref(), name, verb.as_ref(), true);
            (name, verb)
        })
        .collect();
    ReplayVerbs(verbs)
}

impl Drop for ReplayVerbs {
    fn drop(&mut self) {
        let Some(api) = api_object() else { return };
        for (name, _verb) in &self.0 {
            let _ = Reflect::delete_property(api.unchecked_ref::<Object>(), &(*name).into());
        }
    }
}
