//! The pool of Web Workers for `offload=workers`: `loop.run_in_executor(ProcessPoolExecutor(k),
//! work)` in the browser.
//!
//! Each worker runs the same wasm code as the page: the `cpu_worker` bin (src/bin/cpu_worker.rs),
//! built by Trunk as a worker (`data-type="worker"` in index.html) into `cpu_worker.js` and
//! `cpu_worker_bg.wasm`, started by `cpu_worker_loader.js` (static/, copied beside the page: it
//! calls wasm-bindgen's init with `{ module_or_path }`), loaded by a relative URL so the app
//! also works from a sub-path. Workers are spawned once and reused by every run; a run that needs
//! more spawns the missing ones.
//!
//! A job is `[id, units, chunks_per_ms]`: the worker computes `units` with the page's calibration
//! ([`super::cpu::burn_with`]) and answers `[id, ms it took]`. A job whose task is cancelled
//! cannot be interrupted (a worker computes without looking at its messages), so its worker is
//! terminated and replaced by a fresh one, and the page says so ([`replaced()`]). A worker that
//! fails to start (its script missing, wasm refused) fails the run at once with the reason; one
//! that says nothing for [`START_TIMEOUT_MS`] does too: a run never waits forever.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either, FutureExt, LocalBoxFuture, Shared};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::core::clock::Clock;
use crate::core::cpu::{outcome, Exec, Pool};
use crate::core::patterns::WorkFuture;

use super::BrowserClock;

/// Where the worker's loader is, relative to the page. `window.awaitlabWorkerUrl` overrides it
/// (the end-to-end tests use that to make a worker fail to start).
pub const WORKER_URL: &str = "./cpu_worker_loader.js";
/// How long a worker may take to say it is ready, ms.
pub const START_TIMEOUT_MS: u32 = 10_000;

type Ready = Shared<LocalBoxFuture<'static, Result<(), String>>>;
type Reply = oneshot::Sender<Result<f64, String>>;

struct Slot {
    worker: Option<Worker>,
    ready: Ready,
    /// The job in progress: its id and where its answer goes.
    job: Rc<RefCell<Option<(u64, Reply)>>>,
    /// Keeps the worker's callbacks alive.
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

thread_local! {
    static POOL: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    static NEXT_JOB: Cell<u64> = const { Cell::new(1) };
    /// Workers replaced because their job was cancelled: (worker, when, `performance.now()` ms).
    static REPLACED: RefCell<Vec<(usize, f64)>> = const { RefCell::new(Vec::new()) };
}

fn worker_url() -> String {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"awaitlabWorkerUrl".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| WORKER_URL.to_string())
}

fn describe(e: &JsValue) -> String {
    if let Some(ev) = e.dyn_ref::<web_sys::ErrorEvent>() {
        let m = ev.message();
        if !m.is_empty() {
            return m;
        }
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "its script could not be loaded or run".to_string())
}

fn spawn(id: usize) -> Slot {
    let url = worker_url();
    let (tx, rx) = oneshot::channel::<Result<(), String>>();
    let ready: Ready = rx.map(|r| r.unwrap_or_else(|_| Err("the worker went away".into()))).boxed_local().shared();
    let job: Rc<RefCell<Option<(u64, Reply)>>> = Rc::default();
    let worker = match Worker::new(&url) {
        Ok(w) => w,
        Err(e) => {
            let _ = tx.send(Err(format!("worker {} failed to start from {url}: {}", id + 1, describe(&e))));
            return Slot { worker: None, ready, job, _callbacks: Vec::new() };
        }
    };
    let tx = Rc::new(RefCell::new(Some(tx)));
    let on_message = {
        let (tx, job) = (tx.clone(), job.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Some(e) = e.dyn_ref::<MessageEvent>() else { return };
            let data = js_sys::Array::from(&e.data());
            if data.get(0).as_string().as_deref() == Some("ready") {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(Ok(()));
                }
                return;
            }
            let (Some(job_id), Some(took)) = (data.get(0).as_f64(), data.get(1).as_f64()) else { return };
            let mut job = job.borrow_mut();
            if job.as_ref().is_some_and(|(id, _)| *id as f64 == job_id) {
                let (_, reply) = job.take().expect("checked");
                let _ = reply.send(Ok(took));
            }
        })
    };
    let on_error = {
        let (tx, job, url) = (tx.clone(), job.clone(), url.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let why = describe(&e);
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(Err(format!("worker {} failed to start from {url}: {why}", id + 1)));
            } else if let Some((_, reply)) = job.borrow_mut().take() {
                let _ = reply.send(Err(format!("worker {} failed: {why}", id + 1)));
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Slot { worker: Some(worker), ready, job, _callbacks: vec![on_message, on_error] }
}

/// Has `k` workers up (spawning the missing ones), or says why not: the first worker's failure,
/// or that one did not answer within [`START_TIMEOUT_MS`].
pub async fn ready(k: usize) -> Result<(), String> {
    super::cpu::chunks_per_ms();
    REPLACED.with(|r| r.borrow_mut().clear());
    let waits: Vec<Ready> = POOL.with(|p| {
        let mut p = p.borrow_mut();
        while p.len() < k {
            let id = p.len();
            p.push(spawn(id));
        }
        p[..k].iter().map(|s| s.ready.clone()).collect()
    });
    let all = futures::future::join_all(waits);
    match select(Box::pin(all), TimeoutFuture::new(START_TIMEOUT_MS)).await {
        Either::Left((results, _)) => {
            if let Some(Err(e)) = results.into_iter().find(Result::is_err) {
                // Forget the pool: the next run tries afresh.
                POOL.with(|p| p.borrow_mut().drain(..).for_each(terminate));
                return Err(format!("{e}. The run needs its Web Workers, so it did not start."));
            }
            Ok(())
        }
        Either::Right(_) => {
            POOL.with(|p| p.borrow_mut().drain(..).for_each(terminate));
            Err(format!("the Web Workers did not start within {} s, so the run did not start", START_TIMEOUT_MS / 1000))
        }
    }
}

fn terminate(slot: Slot) {
    if let Some(w) = &slot.worker {
        w.set_onmessage(None);
        w.set_onerror(None);
        w.terminate();
    }
}

/// Terminates worker `id` (its job was cancelled) and puts a fresh one in its place.
fn replace(id: usize) {
    let old = POOL.with(|p| {
        let mut p = p.borrow_mut();
        (id < p.len()).then(|| std::mem::replace(&mut p[id], spawn(id)))
    });
    if let Some(old) = old {
        terminate(old);
        REPLACED.with(|r| r.borrow_mut().push((id, BrowserClock::new().now())));
    }
}

/// Workers replaced during the last run (from 0): `(worker, when)`, `performance.now()` ms.
pub fn replaced() -> Vec<(usize, f64)> {
    REPLACED.with(|r| r.borrow().clone())
}

/// The running job: replaces its worker if dropped before the answer came.
struct Running {
    id: usize,
    done: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.done {
            replace(self.id);
        }
    }
}

/// Runs one job on worker `id`.
async fn job(id: usize, units: u32, chunks_per_ms: f64) -> Result<f64, String> {
    let slot = POOL.with(|p| p.borrow().get(id).map(|s| (s.ready.clone(), s.job.clone(), s.worker.clone())));
    let Some((ready, job, Some(worker))) = slot else { return Err(format!("worker {} is not running", id + 1)) };
    // A replaced worker may still be starting.
    ready.await?;
    let (tx, rx) = oneshot::channel();
    let job_id = NEXT_JOB.with(|n| n.replace(n.get() + 1));
    *job.borrow_mut() = Some((job_id, tx));
    let msg = js_sys::Array::of3(&(job_id as f64).into(), &units.into(), &chunks_per_ms.into());
    worker.post_message(&msg).map_err(|e| format!("worker {}: {}", id + 1, describe(&e)))?;
    let mut running = Running { id, done: false };
    let answer = rx.await.unwrap_or_else(|_| Err(format!("worker {} went away", id + 1)));
    running.done = true;
    answer
}

/// Jobs on the pool's first `k` workers, first come first served.
pub fn exec(k: usize) -> Exec {
    Exec::Workers {
        pool: Pool::new(k),
        run: Rc::new(|id, plan| -> WorkFuture {
            let (units, fails) = (plan.duration_ms, plan.fails);
            let chunks_per_ms = super::cpu::chunks_per_ms();
            Box::pin(async move {
                job(id, units, chunks_per_ms).await?;
                outcome(units, fails, Some(id), format!("{units} ms").into())
            })
        }),
    }
}

/// The worker's side: answers jobs until terminated. Called by the `cpu_worker` bin.
pub fn worker_main() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = js_sys::Array::from(&e.data());
        let (Some(job), Some(units), Some(cpm)) = (data.get(0).as_f64(), data.get(1).as_f64(), data.get(2).as_f64())
        else {
            return;
        };
        let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
        let t0 = perf.as_ref().map_or(0.0, |p| p.now());
        std::hint::black_box(super::cpu::burn_with(units as u32, cpm));
        let took = perf.as_ref().map_or(0.0, |p| p.now()) - t0;
        let _ = reply_to.post_message(&js_sys::Array::of2(&job.into(), &took.into()));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    super::cpu::warm_up();
    let _ = scope.post_message(&js_sys::Array::of1(&"ready".into()));
}
