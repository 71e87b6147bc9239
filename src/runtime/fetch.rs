//! `source=fetch`: each attempt is a real `fetch` through web-sys, timed from the request to the
//! last byte of its body, and the pipeline's `save` stage writes for real to the Origin Private
//! File System.
//!
//! - Every outcome becomes text on the lane: `HTTP 200, 57 bytes`; `HTTP 500 Internal Server
//!   Error, 61 bytes: simulated failure…`; `network error or CORS refusal: Failed to fetch` (fetch
//!   reports both as the same TypeError, by design); `malformed JSON: …` when the response says it
//!   is JSON and is not.
//! - Dropping an attempt's future (a timeout, a cancelled run, a re-run) aborts its request with
//!   its `AbortController`: a drop guard lives inside the future. The lane shows the core's own
//!   `timeout` or `cancel` close.
//! - The default template, `api/item/{id}`, is answered by the offline mock API in `static/sw.js`.
//!   [`prepare`] registers that service worker and waits until it controls the page; when the
//!   browser refuses it, the run fails with a plain message suggesting `source=sleep`.
//! - Requests go without credentials (no cookies, no HTTP auth), same-origin ones too.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::{select, Either, FutureExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions,
    FileSystemGetFileOptions, FileSystemWritableFileStream, RequestCache, RequestCredentials, RequestInit, RequestMode,
    Response, ServiceWorkerContainer, StorageManager,
};

use super::clock::BrowserClock;
use crate::core::event::{Phase, Text};
use crate::core::patterns::{HttpReply, Outcome, RequestFuture, SleepWork, Work, WorkFuture};
use crate::core::scenario::request_url;
use crate::core::workload::Attempt;

/// The folder (inside the origin's private file system) the pipeline saves items to.
pub const SAVE_DIR: &str = "awaitlab";

/// How long [`prepare`] waits for the mock API's service worker to take control of the page.
const WORKER_WAIT_MS: u32 = 10_000;

/// A finished request: status, body size and body text.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub bytes: usize,
    pub body: String,
}

/// Aborts the request when dropped before [`AbortOnDrop::disarm`]: a dropped attempt (timeout,
/// cancellation, re-run) must not leave its request running.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// A JS error's `name: message`, or its text.
fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let message = String::from(err.message());
        if message.is_empty() {
            String::from(err.name())
        } else {
            message
        }
    } else {
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    }
}

fn js_name(e: &JsValue) -> String {
    Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default()
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `url` resolved against the page (so `api/item/3` works under any sub-path).
pub fn resolve(url: &str) -> Result<String, String> {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .or_else(|| web_sys::window().and_then(|w| w.location().href().ok()))
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .map_err(|e| format!("invalid URL {url}: {}", js_message(&e)))
}

/// One GET of `url`, from the request to the last byte of the body. Dropping the future aborts
/// the request. A non-2xx status, a body that says it is JSON but is not, a network error or a
/// CORS refusal is an `Err` whose text names it.
pub async fn fetch_text(url: &str) -> Result<Fetched, String> {
    let (fetched, status_text, content_type) = fetch_reply(url).await?;
    let Fetched { status, bytes, ref body } = fetched;
    if !(200..300).contains(&status) {
        let why = if status_text.is_empty() { reason(status).to_string() } else { status_text };
        let why = if why.is_empty() { String::new() } else { format!(" {why}") };
        // A JSON error body's "error" says what went wrong.
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").and_then(|m| m.as_str()).map(|m| format!(": {m}")))
            .unwrap_or_default();
        return Err(format!("HTTP {status}{why}, {bytes} bytes{message}"));
    }
    if content_type.to_ascii_lowercase().contains("json") {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
            return Err(format!("malformed JSON (HTTP {status}, {bytes} bytes): {e}"));
        }
    }
    Ok(fetched)
}

/// One GET of `url` whatever its status (a code run's `session.get` gives the program a 500 to
/// look at): the reply, its status text and content type. Only a request with no reply at all
/// (a network error, a CORS refusal, an abort) is an `Err`. Dropping the future aborts it.
async fn fetch_reply(url: &str) -> Result<(Fetched, String, String), String> {
    let window = web_sys::window().ok_or("fetch needs a window")?;
    let controller = AbortController::new().map_err(|e| format!("no AbortController: {}", js_message(&e)))?;
    let mut guard = AbortOnDrop(Some(controller.clone()));
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    init.set_cache(RequestCache::NoStore);
    // No cookies or HTTP auth, even to the app's own origin: the URL may come from a host page
    // (an embed link allowed fetch=1), and timing a request needs no identity. The mock API
    // (a service worker) needs none either.
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(&controller.signal()));
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(|e| {
        match js_name(&e).as_str() {
            "AbortError" => "request aborted".to_string(),
            // fetch rejects with a bare TypeError for a refused connection, a DNS failure, a
            // CORS refusal and a blocked mixed-content request alike: the page may not know which.
            "TypeError" => format!("network error or CORS refusal: {}", js_message(&e)),
            _ => format!("fetch failed: {}", js_message(&e)),
        }
    })?;
    let response: Response = response.dyn_into().map_err(|_| "fetch resolved to something that is not a Response")?;
    let status = response.status();
    let content_type = response.headers().get("content-type").ok().flatten().unwrap_or_default();
    let text = response.text().map_err(|e| format!("HTTP {status}: body unreadable: {}", js_message(&e)))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|e| format!("HTTP {status}: body cut off: {}", js_message(&e)))?
        .as_string()
        .unwrap_or_default();
    guard.disarm();
    let bytes = body.len();
    Ok((Fetched { status, bytes, body }, response.status_text(), content_type))
}

/// Real requests for a scenario's tasks, from its `url` template.
pub struct FetchWork {
    template: String,
    /// The last body fetched per task, for the pipeline's save stage.
    bodies: Rc<RefCell<HashMap<u32, String>>>,
}

impl FetchWork {
    pub fn new(template: &str) -> Self {
        FetchWork { template: template.to_string(), bodies: Rc::default() }
    }

    /// The absolute URL attempt `plan` requests.
    pub fn url_for(&self, plan: &Attempt) -> Result<String, String> {
        resolve(&request_url(&self.template, plan.task, plan.duration_ms, plan.fails))
    }
}

fn outcome(result: Result<String, String>) -> Outcome {
    result.map(Text::from).map_err(Text::from)
}

impl Work for FetchWork {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        let url = self.url_for(plan);
        let bodies = self.bodies.clone();
        let task = plan.task;
        Box::pin(
            async move {
                let fetched = fetch_text(&url?).await?;
                let detail = format!("HTTP {}, {} bytes", fetched.status, fetched.bytes);
                bodies.borrow_mut().insert(task, fetched.body);
                Ok::<_, String>(detail)
            }
            .map(outcome),
        )
    }

    fn stage(&self, phase: Phase, plan: &Attempt, simulated: WorkFuture) -> WorkFuture {
        if phase != Phase::Save {
            return simulated;
        }
        drop(simulated);
        let task = plan.task;
        let body = self.bodies.borrow_mut().remove(&task).unwrap_or_else(|| format!("{{\"id\":{task}}}"));
        Box::pin(
            async move {
                let name = format!("item-{task}.json");
                let bytes = save_file(&name, &body).await?;
                Ok::<_, String>(format!("wrote {bytes} bytes to OPFS {SAVE_DIR}/{name}"))
            }
            .map(outcome),
        )
    }
}

/// A code run's work (`pattern=code` in the browser): the reader's `session.get(url)` is a real
/// request (the mock API, or any URL that allows CORS), with the same rules as `source=fetch`:
/// no credentials, aborted when dropped, timed to the last byte. Anything else a program awaits
/// is a timer on the run's clock, as [`SleepWork`] does.
pub struct CodeWork {
    sleep: SleepWork<BrowserClock>,
    /// Requests sent and not yet answered (or dropped): a run waiting on one is not stuck.
    in_flight: Rc<Cell<u32>>,
}

impl CodeWork {
    pub fn new(clock: BrowserClock) -> Self {
        CodeWork { sleep: SleepWork::new(clock), in_flight: Rc::default() }
    }

    /// How many requests are out now (shared: it follows the run).
    pub fn in_flight(&self) -> Rc<Cell<u32>> {
        self.in_flight.clone()
    }
}

/// Counts a request as out from its start until it is answered or dropped.
struct Outstanding(Rc<Cell<u32>>);

impl Outstanding {
    fn new(count: &Rc<Cell<u32>>) -> Self {
        count.set(count.get() + 1);
        Outstanding(count.clone())
    }
}

impl Drop for Outstanding {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl Work for CodeWork {
    fn run(&self, plan: &Attempt) -> WorkFuture {
        self.sleep.run(plan)
    }

    fn request(&self, url: &str, simulated: RequestFuture) -> RequestFuture {
        // The planned reply is only the prediction's; dropping it disarms its timer.
        drop(simulated);
        let url = resolve(url);
        let outstanding = Outstanding::new(&self.in_flight);
        Box::pin(
            async move {
                let _outstanding = outstanding;
                let (fetched, _, _) = fetch_reply(&url?).await?;
                Ok(HttpReply { status: fetched.status, body: fetched.body })
            }
            .map(|reply: Result<HttpReply, String>| reply.map_err(Text::from)),
        )
    }
}

/// Whether a program may request the mock API (its text names `api/`), so the page registers the
/// mock API's worker before the run's clock starts, as `source=fetch` does.
pub fn code_uses_mock_api(source: &str) -> bool {
    source.contains("api/")
}

/// `navigator.<name>` if the browser has it (a missing one must not throw inside a binding).
fn navigator_member(name: &str) -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    Reflect::get(&navigator, &name.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn has_method(target: &JsValue, name: &str) -> bool {
    Reflect::get(target, &name.into()).is_ok_and(|f| f.is_function())
}

/// Writes `text` to `awaitlab/<name>` in the Origin Private File System; returns the bytes
/// written. A browser without OPFS (or without `createWritable` on the main thread) gets a
/// clear `Err`.
pub async fn save_file(name: &str, text: &str) -> Result<usize, String> {
    let unavailable = |why: &str| format!("save failed: the Origin Private File System is unavailable here ({why})");
    let storage =
        navigator_member("storage").ok_or_else(|| unavailable("no navigator.storage; it needs a secure context"))?;
    if !has_method(&storage, "getDirectory") {
        return Err(unavailable("no navigator.storage.getDirectory"));
    }
    let storage: StorageManager = storage.unchecked_into();
    let failed = |step: &str, e: JsValue| format!("save failed at {step}: {}", js_message(&e));
    let root: FileSystemDirectoryHandle =
        JsFuture::from(storage.get_directory()).await.map_err(|e| failed("getDirectory", e))?.unchecked_into();
    let dir_opts = FileSystemGetDirectoryOptions::new();
    dir_opts.set_create(true);
    let dir: FileSystemDirectoryHandle = JsFuture::from(root.get_directory_handle_with_options(SAVE_DIR, &dir_opts))
        .await
        .map_err(|e| failed("getDirectoryHandle", e))?
        .unchecked_into();
    let file_opts = FileSystemGetFileOptions::new();
    file_opts.set_create(true);
    let file: FileSystemFileHandle = JsFuture::from(dir.get_file_handle_with_options(name, &file_opts))
        .await
        .map_err(|e| failed("getFileHandle", e))?
        .unchecked_into();
    if !has_method(&file, "createWritable") {
        return Err(unavailable("no createWritable on this page; some browsers allow it only in workers"));
    }
    let writable: FileSystemWritableFileStream =
        JsFuture::from(file.create_writable()).await.map_err(|e| failed("createWritable", e))?.unchecked_into();
    let write = writable.write_with_str(text).map_err(|e| failed("write", e))?;
    JsFuture::from(write).await.map_err(|e| failed("write", e))?;
    JsFuture::from(writable.close()).await.map_err(|e| failed("close", e))?;
    Ok(text.len())
}

/// Reads `awaitlab/<name>` back from the Origin Private File System (for tests).
pub async fn read_saved(name: &str) -> Result<String, String> {
    let storage: StorageManager = navigator_member("storage").ok_or("no navigator.storage")?.unchecked_into();
    let err = |e: JsValue| js_message(&e);
    let root: FileSystemDirectoryHandle = JsFuture::from(storage.get_directory()).await.map_err(err)?.unchecked_into();
    let dir: FileSystemDirectoryHandle =
        JsFuture::from(root.get_directory_handle(SAVE_DIR)).await.map_err(err)?.unchecked_into();
    let file: FileSystemFileHandle = JsFuture::from(dir.get_file_handle(name)).await.map_err(err)?.unchecked_into();
    let blob: web_sys::Blob = JsFuture::from(file.get_file()).await.map_err(err)?.unchecked_into();
    Ok(JsFuture::from(blob.text()).await.map_err(err)?.as_string().unwrap_or_default())
}

/// Whether requests from `template` go to the offline mock API (the app's own `api/` path).
pub fn uses_mock_api(template: &str) -> bool {
    match (resolve("api/"), resolve(&request_url(template, 0, 0, false))) {
        (Ok(api), Ok(url)) => url.starts_with(&api),
        _ => false,
    }
}

/// The message a run shows when the mock API cannot start.
fn refused(why: &str) -> String {
    format!(
        "The offline mock API could not start: {why}. Use source=sleep (\"Timer sleep\") to run the same tasks \
         as timers, or point url at a real endpoint that allows CORS."
    )
}

/// Makes sure requests from `template` can be answered: for the mock API, registers
/// `static/sw.js` (served as `sw.js` beside the page) and waits until it controls the page.
/// `Err` is a plain sentence for the UI; nothing here panics on a browser without service workers.
pub async fn prepare(template: &str) -> Result<(), String> {
    if !uses_mock_api(template) {
        return Ok(());
    }
    let container = navigator_member("serviceWorker").ok_or_else(|| {
        refused("this browser offers no service worker to this page (it needs a secure context: https or localhost)")
    })?;
    if !has_method(&container, "register") {
        return Err(refused("this browser offers no service worker to this page"));
    }
    let container: ServiceWorkerContainer = container.unchecked_into();
    if container.controller().is_some() {
        return Ok(());
    }
    // Listen before looking, so a claim between the two is not missed.
    let changed = {
        let container = container.clone();
        Promise::new(&mut |resolve, _| {
            container.add_event_listener_with_callback("controllerchange", &resolve).ok();
        })
    };
    let sw_url = resolve("sw.js")?;
    JsFuture::from(container.register(&sw_url))
        .await
        .map_err(|e| refused(&format!("the browser refused its service worker ({})", js_message(&e))))?;
    if container.controller().is_some() {
        return Ok(());
    }
    let wait = select(JsFuture::from(changed), TimeoutFuture::new(WORKER_WAIT_MS));
    match wait.await {
        Either::Left(_) if container.controller().is_some() => Ok(()),
        _ if container.controller().is_some() => Ok(()),
        _ => Err(refused(&format!(
            "its service worker did not take control of the page within {} s (a hard reload bypasses workers; reload normally)",
            WORKER_WAIT_MS / 1000
        ))),
    }
}
