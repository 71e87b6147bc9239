//! `window.awaitlab`: the JavaScript API tutorial pages script against.
//!
//! `awaitlab.run(params)` takes an object keyed like the URL (`{pattern: "gather", tasks: 50}`) and
//! returns a Promise of the Run JSON. With `clock: "virtual"` it resolves at once with the
//! predicted run; otherwise it runs on the browser clock as the page's current run (cancelling the
//! one in progress, whose promise then rejects). Bad params reject with a message naming the key.

use js_sys::{Array, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::session;
use crate::core::run::{run_virtual, Run};
use crate::core::scenario::{ClockKind, Scenario};

/// Version of the JS API.
pub const API_VERSION: u32 = 1;

/// Turns a params object into `(key, text)` pairs. Strings pass as they are, numbers and booleans
/// as their JS text; anything else is an error naming the key.
pub fn params_to_pairs(params: &JsValue) -> Result<Vec<(String, String)>, String> {
    if params.is_undefined() || params.is_null() {
        return Ok(Vec::new());
    }
    if !params.is_object() || Array::is_array(params) {
        return Err("params must be an object like {pattern: \"gather\", tasks: 50}".into());
    }
    let mut pairs = Vec::new();
    for entry in Object::entries(params.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        let text = if let Some(s) = value.as_string() {
            s
        } else if let Some(n) = value.as_f64() {
            // JS's own formatting: 200 -> "200", 0.25 -> "0.25", NaN -> "NaN" (rejected later).
            String::from(js_sys::Number::from(n).to_string_with_radix(10).unwrap_or_else(|_| "NaN".into()))
        } else if let Some(b) = value.as_bool() {
            if b { "1" } else { "0" }.to_string()
        } else {
            return Err(format!("{key} must be a number or a string"));
        };
        pairs.push((key, text));
    }
    Ok(pairs)
}

/// Parses a params object into a scenario, or one message naming every bad key.
pub fn scenario_from_js(params: &JsValue) -> Result<Scenario, String> {
    let pairs = params_to_pairs(params)?;
    Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|errors| errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
}

fn run_to_js(run: &Run) -> Result<JsValue, JsValue> {
    JSON::parse(&run.to_json())
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(&format!("awaitlab: {message}")).into()
}

fn summary_to_js(run: &Run) -> Result<JsValue, JsValue> {
    JSON::parse(&serde_json::to_string(&run.summary).unwrap_or_default())
}

/// Runs `params` and resolves with `to_js` of the run.
fn run_to_promise(params: JsValue, to_js: fn(&Run) -> Result<JsValue, JsValue>) -> Promise {
    let scenario = match scenario_from_js(&params) {
        Ok(s) => s,
        Err(message) => return Promise::reject(&error(&message)),
    };
    if scenario.clock == ClockKind::Virtual {
        return match to_js(&run_virtual(&scenario)) {
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        };
    }
    let live = session::start_browser_run(scenario);
    future_to_promise(async move {
        match live.finished.await {
            Some(_) if live.problem.borrow().is_some() => {
                Err(error(live.problem.borrow().as_deref().unwrap_or_default()))
            }
            Some(run) => to_js(&run),
            None => Err(error("the run was cancelled: another run started before it finished")),
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

/// Defines `window.awaitlab` (once, at start-up).
pub fn install() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let api = Object::new();
    for (name, f) in [("run", run as fn(JsValue) -> Promise), ("summary", summary)] {
        let f = Closure::<dyn Fn(JsValue) -> Promise>::new(f);
        Reflect::set(&api, &name.into(), f.as_ref())?;
        // The API lives as long as the page.
        f.forget();
    }
    Reflect::set(&api, &"version".into(), &API_VERSION.into())?;
    Reflect::set(&window, &"awaitlab".into(), &api)?;
    Ok(())
}
