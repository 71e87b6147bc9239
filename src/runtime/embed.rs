//! The embed's browser side: view classes on the root element, the postMessage listener, replies
//! to the sender, and the height reports after the handshake.
//!
//! Origin rules (decided in `core::message::EmbedPolicy`; this file only gathers the facts): an
//! embed takes commands from the window it is framed in, and from other windows only when its
//! link allows their origin (`origin=`). Messages from anyone else are dropped unread and
//! unanswered: they cannot run, load, seek or become the page that gets `height` and `finished`.
//! Replies go to `event.source` with the sender's origin as target; once an allowed page has said
//! `awaitlab:hello` (or sent any valid command), `height` and `finished` events go to that page.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Reflect, JSON};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::api::params_to_pairs;
use crate::core::message::{parse_command_for_reply, Command, EmbedPolicy, ViewOptions, RUN_CANCELLED_EVENT};

/// Where replies and events go: a page that sent a command.
#[derive(Clone)]
pub struct Peer {
    source: JsValue,
    origin: String,
}

impl Peer {
    /// Posts `message` to this page, restricted to its origin ("*" only when the origin is
    /// opaque, `null`, as for a file:// page or a sandboxed frame without allow-same-origin).
    pub fn post(&self, message: &Value) {
        self.post_text(&message.to_string());
    }

    /// [`Self::post`] of a message as JSON text.
    fn post_text(&self, message: &str) {
        let Ok(data) = JSON::parse(message) else { return };
        let target = if self.origin.is_empty() || self.origin == "null" { "*" } else { self.origin.as_str() };
        let Ok(post) = Reflect::get(&self.source, &"postMessage".into()) else { return };
        if let Some(post) = post.dyn_ref::<js_sys::Function>() {
            let _ = post.call2(&self.source, &data, &target.into());
        }
    }
}

thread_local! {
    /// The page that said hello last.
    static PARENT: RefCell<Option<Peer>> = const { RefCell::new(None) };
    static LAST_HEIGHT: RefCell<f64> = const { RefCell::new(-1.0) };
    /// The windows whose hello the embed has answered with `ready`.
    static GREETED: RefCell<Vec<JsValue>> = const { RefCell::new(Vec::new()) };
    /// Runs that a page's `run` command started, and that page, until they end.
    static ASKED: RefCell<Vec<(u64, Peer)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `source` says hello for the first time (and remembers it). Only a window's first hello
/// is answered with `ready`: a host that answers every `ready` with a hello (as the README's
/// snippet did until 2026-12) would otherwise keep the two pages posting to each other for good.
fn first_hello(source: &JsValue) -> bool {
    GREETED.with(|g| {
        let mut greeted = g.borrow_mut();
        let first = !greeted.iter().any(|w| js_sys::Object::is(w, source));
        if first {
            greeted.push(source.clone());
        }
        first
    })
}

/// The view options of the page's URL, applied as classes on `<html>`.
pub fn apply_view(options: &ViewOptions) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    for class in options.classes() {
        let _ = root.class_list().add_1(class);
    }
}

/// Posts an event to the page that said hello, if any.
pub fn post_to_parent(message: &Value) {
    PARENT.with(|p| {
        if let Some(peer) = p.borrow().as_ref() {
            peer.post(message);
        }
    });
}

/// Completes once the page is at least partly inside the top-level viewport: an embed further
/// down a tutorial autoplays when the reader scrolls to it, not while another demo is on screen.
/// Completes at once where IntersectionObserver is missing.
pub async fn visible() {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let tx = RefCell::new(Some(tx));
    let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let seen = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
        if seen {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        }
    });
    // Without a root, an observer in a frame measures against the top-level page's viewport.
    let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()) else { return };
    observer.observe(&root);
    let _ = rx.await;
    observer.disconnect();
}

/// Runs `work` while holding a Web Lock shared by every awaitlab page of this origin, so embeds
/// on one tutorial page measure their runs one at a time: they share one main thread, and one
/// demo's rendering makes the others' timers late. Where Web Locks are missing (an insecure
/// context), runs `work` at once.
pub async fn one_at_a_time<F: std::future::Future>(work: F) -> F::Output {
    let locks = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks
        .as_ref()
        .and_then(|l| Reflect::get(l, &"request".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else { return work.await };
    // The lock is held until the promise the callback returns settles: until `release` is called.
    let mut release: Option<js_sys::Function> = None;
    let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let (granted_tx, granted_rx) = futures::channel::oneshot::channel::<()>();
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        let _ = granted_tx.send(());
        held
    });
    let Ok(requested) = request.call2(&locks, &"awaitlab-live-run".into(), &callback) else { return work.await };
    // The request's promise settles before the grant only if it failed (an opaque origin, such
    // as a sandboxed frame without allow-same-origin, rejects it): then run unlocked.
    let settled = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&requested));
    if let futures::future::Either::Right(_) = futures::future::select(granted_rx, settled).await {
        return work.await;
    }
    let output = work.await;
    if let Some(release) = release {
        let _ = release.call0(&JsValue::UNDEFINED);
    }
    output
}

/// An error event for `peer`.
pub fn error_event(message: &str, command: Option<&str>) -> Value {
    json!({"type": "awaitlab:error", "message": message, "command": command})
}

/// Remembers that `peer` asked for run `id` (a `run` command on the browser clock), so that it
/// hears if the run is cancelled ([`ended`]).
pub fn asked(id: u64, peer: Peer) {
    ASKED.with(|a| a.borrow_mut().push((id, peer)));
}

/// Run `id` ended: a page that asked for it and may be waiting for a reply gets `finished` as
/// every run's end, or, when it was `cancelled` before it finished, an `awaitlab:error` saying so
/// with `cancelled: true` ([`RUN_CANCELLED_EVENT`]).
pub fn ended(id: u64, cancelled: bool) {
    let peer = ASKED.with(|a| {
        let mut a = a.borrow_mut();
        let i = a.iter().position(|(run, _)| *run == id)?;
        Some(a.swap_remove(i).1)
    });
    if let (Some(peer), true) = (peer, cancelled) {
        peer.post_text(RUN_CANCELLED_EVENT);
    }
}

fn page_height() -> f64 {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return 0.0 };
    doc.body().map_or(0.0, |b| b.get_bounding_client_rect().height().ceil() + 2.0)
}

/// Posts the page's height to the parent when it changed.
pub fn report_height() {
    let h = page_height();
    let changed = LAST_HEIGHT.with(|l| {
        let changed = (*l.borrow() - h).abs() >= 1.0;
        *l.borrow_mut() = h;
        changed
    });
    if changed {
        post_to_parent(&json!({"type": "awaitlab:height", "height": h}));
    }
}

fn observe_height() {
    thread_local! { static OBSERVING: RefCell<bool> = const { RefCell::new(false) }; }
    if OBSERVING.with(|o| o.replace(true)) {
        return;
    }
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
    let callback = Closure::<dyn Fn()>::new(report_height);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
        // Observes for the page's whole life.
        std::mem::forget(observer);
    }
    callback.forget();
}

/// The message listener: removes itself when dropped.
pub struct Listener(Closure<dyn Fn(web_sys::MessageEvent)>);

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("message", self.0.as_ref().unchecked_ref());
        }
    }
}

/// Whether `source` is the window this page is framed in (for a page that is not framed,
/// `window.parent` is the page itself). Compared by identity: origins can be shared or opaque.
fn is_parent(source: &JsValue) -> bool {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    parent.is_some_and(|p| JsValue::from(p) == *source)
}

/// Says once, on the console, why a page's commands are ignored: the host's author sees it, the
/// sender gets nothing back.
fn warn_refused(origin: &str, data: &JsValue) {
    thread_local! { static WARNED: RefCell<bool> = const { RefCell::new(false) }; }
    let kind = Reflect::get(data, &"type".into()).ok().and_then(|t| t.as_string()).unwrap_or_default();
    if !kind.starts_with("awaitlab:") || WARNED.with(|w| w.replace(true)) {
        return;
    }
    let shown: String = origin.chars().take(100).collect();
    web_sys::console::warn_1(&format!(
        "awaitlab: ignoring commands from {shown}: an embed takes them from the page it is framed in, or from origins its link allows (origin=)"
    ).into());
}

/// Reads a posted message into a command, or the error to reply with and the command it is about.
/// `run` and `set` read their params from the posted object itself, as `awaitlab.run` does: as
/// JSON text, NaN and ±Infinity became `null` (the key's default) and a Map `{}`, so a host's
/// `tasks: NaN` ran 10 tasks without a word; and the rest of such a message is never copied.
/// Every other command is read from the message's JSON text.
fn read_message(data: &JsValue) -> Result<Option<Command>, (String, Option<&'static str>)> {
    type WithParams = fn(Vec<(String, String)>) -> Command;
    let kind = Reflect::get(data, &"type".into()).ok().and_then(|t| t.as_string()).unwrap_or_default();
    let (command, name): (WithParams, _) = match kind.as_str() {
        "awaitlab:run" => (Command::Run, "run"),
        "awaitlab:set" => (Command::Set, "set"),
        // Structured-cloned data as JSON text (functions cannot be posted; a cycle throws).
        _ => {
            return match JSON::stringify(data) {
                Ok(text) => parse_command_for_reply(&text.as_string().unwrap_or_default()),
                Err(_) if kind.starts_with("awaitlab:") => Err(("message could not be read as JSON".into(), None)),
                Err(_) => Ok(None),
            }
        }
    };
    let params = Reflect::get(data, &"params".into()).unwrap_or_default();
    params_to_pairs(&params).map(|pairs| Some(command(pairs))).map_err(|e| (e, Some(name)))
}

/// Listens for commands from the senders `policy` allows; each valid one goes to `handler` with
/// the peer to reply to. Invalid messages from an allowed sender get an error event; the sender
/// becomes the parent only when valid.
pub fn listen(policy: EmbedPolicy, handler: Rc<dyn Fn(Command, Peer)>) -> Option<Listener> {
    let window = web_sys::window()?;
    let closure = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let Some(source) = event.source() else { return };
        let source = JsValue::from(source);
        let data = event.data();
        if !policy.allows_sender(is_parent(&source), &event.origin()) {
            warn_refused(&event.origin(), &data);
            return;
        }
        let peer = Peer { source, origin: event.origin() };
        match read_message(&data) {
            Ok(None) => {}
            Err((message, command)) => peer.post(&error_event(&message, command)),
            Ok(Some(command)) => {
                PARENT.with(|p| *p.borrow_mut() = Some(peer.clone()));
                if command == Command::Hello {
                    if first_hello(&peer.source) {
                        peer.post(&json!({"type": "awaitlab:ready", "version": crate::runtime::api::API_VERSION}));
                    }
                    LAST_HEIGHT.with(|l| *l.borrow_mut() = -1.0);
                    observe_height();
                    report_height();
                }
                handler(command, peer);
            }
        }
    });
    window.add_event_listener_with_callback("message", closure.as_ref().unchecked_ref()).ok()?;
    // Tell a parent page the embed is listening (it may have posted hello too early).
    if let Ok(Some(parent)) = window.parent() {
        if parent != window {
            let _ =
                parent.post_message(&JSON::parse(r#"{"type":"awaitlab:ready","version":1}"#).unwrap_or_default(), "*");
        }
    }
    Some(Listener(closure))
}
