//! The Python interpreter, loaded on first need (issue 16). The page's own wasm does not link
//! `core::py::interp` (140 KB gzip): it lives in the `py_runner` module
//! (src/bin/py_runner.rs), an ES module `py_runner.js` with its `py_runner_bg.wasm` beside the
//! page, imported by a relative URL (so the app also works from a sub-path) the first time code is
//! needed: a code scenario is predicted (the editor opened, a link, the API or a postMessage
//! naming `pattern=code`) or the code panel's Edit button is pointed at or focused ([`preload`]).
//!
//! The parser and the `code` key's compressor are in the module too: the code editor's syntax check and the scripts' validation of
//! `code` are its `check` ([`check_now`], [`check`]); until it has loaded the editor says it is
//! checking. A program's link form is its `deflate` once loaded (before, stored DEFLATE).
//!
//! Once loaded, predictions of code scenarios are the module's `predict` (registered with
//! [`crate::core::py::runner::set_predictor`]; until then a prediction says the interpreter is
//! loading, and the page predicts again when it has loaded: [`on_loaded`]), and a measured code run
//! is the module's `measure` on the page's thread, its events arriving about once per animation
//! frame. Loading fails with a plain sentence, never a hang: [`LOAD_TIMEOUT_MS`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::{select, Either, FutureExt, LocalBoxFuture, Shared};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use crate::core::clock::Clock;
use crate::core::event::{Event, Recorder};
use crate::core::py::{read_check_json, runner, CodeError};
use crate::core::run::Run;
use crate::core::scenario::{program, ClockKind, Scenario};

/// Where the module is, relative to the page. `window.awaitlabPyRunnerUrl` overrides it (the
/// end-to-end tests use that to make loading fail).
pub const MODULE_URL: &str = "./py_runner.js";
/// How long loading may take before it counts as failed, ms.
pub const LOAD_TIMEOUT_MS: u32 = 30_000;
/// What a prediction says while the module loads.
pub const LOADING: &str = "loading the Python interpreter…";

#[derive(Clone)]
struct Module {
    predict: Function,
    measure: Function,
    cancel: Function,
    check: Function,
    deflate: Function,
}

type Loading = Shared<LocalBoxFuture<'static, Result<(), String>>>;
type Listener = (u64, Rc<dyn Fn()>);

thread_local! {
    static LOAD: RefCell<Option<Loading>> = const { RefCell::new(None) };
    static MODULE: RefCell<Option<Module>> = const { RefCell::new(None) };
    static FAILED: RefCell<Option<String>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u64> = const { Cell::new(1) };
    /// What the module's last prediction took, ms (NaN before the first).
    static LAST_PREDICTION_MS: Cell<f64> = const { Cell::new(f64::NAN) };
}

/// What the module's last prediction took, ms (NaN before the first): the editor stops
/// predicting as the reader types when it was slow ([`crate::core::code_editor::predicts_as_you_type`]).
pub fn last_prediction_ms() -> f64 {
    LAST_PREDICTION_MS.with(Cell::get)
}

/// Registers the page's predictor of code scenarios and compressor of programs' link forms
/// (called once at start).
pub fn install() {
    runner::set_predictor(predict);
    program::set_deflater(deflate);
}

/// The module's compressor for a program's link form; `None` until it has loaded (the link is
/// then stored DEFLATE: the same format, longer; the page writes its address again once loaded).
fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let module = MODULE.with(|m| m.borrow().clone())?;
    let packed = module.deflate.call1(&JsValue::NULL, &js_sys::Uint8Array::from(bytes)).ok()?;
    packed.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec()).filter(|p| !p.is_empty())
}

/// Whether the module has loaded.
pub fn loaded() -> bool {
    MODULE.with(|m| m.borrow().is_some())
}

/// Starts loading the module if nothing has yet (or the last attempt failed); resolves when it
/// has loaded, or with why it could not.
pub fn load() -> Loading {
    if let Some(l) = LOAD.with(|l| l.borrow().clone()) {
        return l;
    }
    FAILED.with(|f| f.borrow_mut().take());
    let loading: Loading = async {
        let result = fetch_module().await;
        match &result {
            Ok(module) => {
                MODULE.with(|m| *m.borrow_mut() = Some(module.clone()));
                let listeners: Vec<_> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
                for f in listeners {
                    f();
                }
            }
            Err(why) => {
                FAILED.with(|f| *f.borrow_mut() = Some(why.clone()));
                // The next need tries again.
                LOAD.with(|l| l.borrow_mut().take());
                let listeners: Vec<_> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
                for f in listeners {
                    f();
                }
            }
        }
        result.map(|_| ())
    }
    .boxed_local()
    .shared();
    LOAD.with(|l| *l.borrow_mut() = Some(loading.clone()));
    spawn_local(loading.clone().map(|_| ()));
    loading
}

/// Why the last attempt to load the module failed, if it did (and nothing loads it again yet).
pub fn failure() -> Option<String> {
    FAILED.with(|f| f.borrow().clone())
}

/// The parser's verdict on `source` (the module's `check`), if the module has loaded: `Ok(Err(_))`
/// is the program's first syntax error, `Err` a sentence when the module did not answer.
pub fn check_now(source: &str) -> Option<Result<Result<(), CodeError>, String>> {
    let module = MODULE.with(|m| m.borrow().clone())?;
    let answer = module.check.call1(&JsValue::NULL, &source.into()).map_err(|e| describe(&e));
    Some(answer.and_then(|v| read_check_json(&v.as_string().unwrap_or_default())))
}

/// [`check_now`], loading the module first if needed (`Err` with why it could not load).
pub async fn check(source: &str) -> Result<Result<(), CodeError>, String> {
    if !loaded() {
        load().await?;
    }
    check_now(source).unwrap_or_else(|| Err(failed("it is gone")))
}

/// Starts loading the module without waiting for it (the code panel's Edit button, pointed at or focused).
pub fn preload() {
    if !loaded() {
        drop(load());
    }
}

fn module_url() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let url = Reflect::get(&window, &"awaitlabPyRunnerUrl".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| MODULE_URL.to_string());
    let base = window.document().and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
    web_sys::Url::new_with_base(&url, &base).map(|u| u.href()).map_err(|_| format!("a bad module URL: {url}"))
}

fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "it could not be loaded".to_string())
}

fn failed(why: &str) -> String {
    format!("The Python interpreter could not be loaded: {why}. Reload the page to try again.")
}

/// `promise`, or a failure after the time left of [`LOAD_TIMEOUT_MS`].
async fn within(promise: Promise, deadline: f64) -> Result<JsValue, String> {
    let left = (deadline - js_sys::Date::now()).max(0.0) as u32;
    let timeout = TimeoutFuture::new(left);
    match select(JsFuture::from(promise), timeout).await {
        Either::Left((r, _)) => r.map_err(|e| failed(&describe(&e))),
        Either::Right(_) => Err(failed(&format!("it took more than {} s", LOAD_TIMEOUT_MS / 1000))),
    }
}

async fn fetch_module() -> Result<Module, String> {
    let deadline = js_sys::Date::now() + f64::from(LOAD_TIMEOUT_MS);
    let url = module_url().map_err(|e| failed(&e))?;
    // A dynamic import, which the page's wasm cannot write itself.
    let import = Function::new_with_args("u", "return import(u)");
    let promise = import.call1(&JsValue::NULL, &url.into()).map_err(|e| failed(&describe(&e)))?;
    let module = within(promise.unchecked_into(), deadline).await?;
    let get = |name: &str| -> Result<Function, String> {
        Reflect::get(&module, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| failed(&format!("its module has no `{name}`")))
    };
    // wasm-bindgen's init: without arguments it fetches py_runner_bg.wasm beside py_runner.js.
    let init = get("default")?;
    let started = init.call0(&JsValue::NULL).map_err(|e| failed(&describe(&e)))?;
    within(started.unchecked_into(), deadline).await?;
    Ok(Module {
        predict: get("predict")?,
        measure: get("measure")?,
        cancel: get("cancel")?,
        check: get("check")?,
        deflate: get("deflate")?,
    })
}

/// Calls `f` whenever loading ends (loaded or failed), so the page can predict again; dropping
/// the returned guard unsubscribes.
pub fn on_loaded(f: impl Fn() + 'static) -> Subscription {
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(f))));
    Subscription(id)
}

/// Keeps an [`on_loaded`] listener registered while it lives.
pub struct Subscription(u64);

impl Drop for Subscription {
    fn drop(&mut self) {
        LISTENERS.with(|l| l.borrow_mut().retain(|(id, _)| *id != self.0));
    }
}

/// The predicted run of a code scenario: the module's, or while it loads (or if it failed) a
/// run of one `<module>` lane saying so.
fn predict(scenario: &Scenario) -> Run {
    let module = MODULE.with(|m| m.borrow().clone());
    let Some(module) = module else {
        if let Some(why) = FAILED.with(|f| f.borrow().clone()) {
            return runner::placeholder(scenario, &why, true);
        }
        drop(load());
        return runner::placeholder(scenario, LOADING, false);
    };
    let clock = super::BrowserClock::new();
    let started = clock.now();
    let query = Scenario { clock: ClockKind::Virtual, ..scenario.clone() }.to_query();
    let json = module.predict.call1(&JsValue::NULL, &query.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let run = match Run::from_json(&json) {
        Ok(run) => run,
        Err(e) => runner::placeholder(scenario, &format!("the interpreter's prediction could not be read: {e}"), true),
    };
    LAST_PREDICTION_MS.with(|c| c.set(clock.now() - started));
    run
}

/// Cancels measured run `id` in the module if dropped while armed (the page's run was cancelled).
struct CancelOnDrop {
    id: u32,
    cancel: Function,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.cancel.call1(&JsValue::NULL, &self.id.into());
        }
    }
}

thread_local! {
    static NEXT_RUN: Cell<u32> = const { Cell::new(1) };
}

/// Measures `scenario` (a code scenario) with the module on the browser clock, from now: its
/// events are added to `rec` as they arrive; resolves to the module's Run. Loads the module first
/// if needed (call [`load`] before the run's clock starts, so loading is not part of it).
pub async fn measure(scenario: &Scenario, rec: &Recorder) -> Result<Run, String> {
    load().await?;
    let Some(module) = MODULE.with(|m| m.borrow().clone()) else { return Err(failed("it is gone")) };
    let id = NEXT_RUN.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let sink = rec.clone();
    let on_events = Closure::<dyn FnMut(String)>::new(move |json: String| {
        if let Ok(events) = serde_json::from_str::<Vec<Event>>(&json) {
            sink.extend(events);
        }
    });
    let query = Scenario { clock: ClockKind::Browser, ..scenario.clone() }.to_query();
    let promise = module
        .measure
        .call3(&JsValue::NULL, &id.into(), &query.into(), on_events.as_ref())
        .map_err(|e| describe(&e))?;
    let mut guard = CancelOnDrop { id, cancel: module.cancel.clone(), armed: true };
    let result = JsFuture::from(Promise::from(promise)).await;
    guard.armed = false;
    drop(on_events);
    let json = result.map_err(|e| describe(&e))?.as_string().unwrap_or_default();
    if json.is_empty() {
        return Err("the run was cancelled".into());
    }
    Run::from_json(&json)
}
