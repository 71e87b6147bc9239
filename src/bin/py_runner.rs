//! The Python interpreter as a second wasm module of the page (issue 16): the reader's code is
//! interpreted here (`core::py::interp`: 140 KB gzip off the page, README "Page weight"), so a
//! reader who never runs code never downloads it. Trunk builds it as an ES module (`data-type="worker"
//! data-bindgen-target="web"` in index.html: `py_runner.js` and `py_runner_bg.wasm` beside the
//! page, not loaded by it); the page imports it on first need (src/runtime/py_module.rs) and calls
//! these exports on its own thread:
//!
//! - `predict(query)`: the scenario's predicted Run JSON, on the virtual clock;
//! - `measure(id, query, on_events)`: a Promise of the measured Run JSON, run on this module's
//!   browser clock with real fetches; `on_events(json)` gets the new events (a JSON array) about
//!   once per animation frame, so the page draws the run as it goes;
//! - `cancel(id)`: stops measured run `id` (its spans close as cancelled; its Promise resolves
//!   to an empty string);
//! - `check(source)`: the parser's verdict as JSON (`core::py::check_json`): the code editor's
//!   every-keystroke check and the scripts' validation of `code`, so the page does not link the
//!   parser either;
//! - `deflate(bytes)`: raw DEFLATE (miniz, level 9) of a program's UTF-8 bytes, for the `code`
//!   key's link form (`core::scenario::program`): the page does not link the compressor.

#[cfg(target_arch = "wasm32")]
mod module {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    use awaitlab::core::patterns::{self, Ctx};
    use awaitlab::core::py::runner;
    use awaitlab::core::run::{deadlock_marks, run_virtual, Run};
    use awaitlab::core::scenario::{program, ClockKind, Scenario};
    use awaitlab::runtime::clock::next_due;
    use awaitlab::runtime::fetch::CodeWork;
    use awaitlab::runtime::BrowserClock;
    use futures::future::{select, AbortHandle, Abortable, Either};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::future_to_promise;

    thread_local! {
        static RUNS: RefCell<HashMap<u32, AbortHandle>> = RefCell::default();
    }

    fn scenario(query: &str) -> Result<Scenario, String> {
        Scenario::from_query(query)
            .map_err(|errors| errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
    }

    /// The predicted Run JSON of `query` (a scenario as URL pairs), or an error's sentence
    /// starting with `error: `.
    #[wasm_bindgen]
    pub fn predict(query: &str) -> String {
        match scenario(query) {
            Ok(s) => run_virtual(&Scenario { clock: ClockKind::Virtual, ..s }).to_json(),
            Err(e) => format!("error: {e}"),
        }
    }

    /// The parser's verdict on `source`: `{"ok":true}` or `{"ok":false,"errors":[{"line",
    /// "column","message"}]}`.
    #[wasm_bindgen]
    pub fn check(source: &str) -> String {
        awaitlab::core::py::check_json(source)
    }

    /// A program's bytes compressed for its link form (raw DEFLATE, level 9).
    #[wasm_bindgen]
    pub fn deflate(bytes: &[u8]) -> Vec<u8> {
        program::deflate(bytes).unwrap_or_default()
    }

    /// Sends the events recorded since `*sent` to `on_events`.
    fn flush(ctx: &Ctx, sent: &mut usize, on_events: &js_sys::Function) {
        let new = ctx.rec.events_since(*sent);
        if new.is_empty() {
            return;
        }
        *sent += new.len();
        let json = serde_json::to_string(&new).unwrap_or_default();
        let _ = on_events.call1(&JsValue::NULL, &JsValue::from_str(&json));
    }

    /// Runs `query` on this module's browser clock; resolves to the measured Run JSON (empty if
    /// cancelled). Its clock starts now: the page does its set-up before calling.
    #[wasm_bindgen]
    pub fn measure(id: u32, query: &str, on_events: js_sys::Function) -> js_sys::Promise {
        let scenario = match scenario(query) {
            Ok(s) => Scenario { clock: ClockKind::Browser, ..s },
            Err(e) => return js_sys::Promise::reject(&JsValue::from_str(&e)),
        };
        let (abort, registration) = AbortHandle::new_pair();
        RUNS.with(|r| r.borrow_mut().insert(id, abort));
        future_to_promise(async move {
            let clock = BrowserClock::new();
            let work = CodeWork::new(clock.clone());
            let requests = work.in_flight();
            let ctx = Ctx::with_work(clock.clone(), scenario.clone(), Rc::new(work));
            ctx.rec.restart_clock();
            let mut sent = 0;
            let finished = {
                let wakes = Arc::new(AtomicU64::new(0));
                let body = Abortable::new(patterns::run(&ctx), registration);
                let mut body = std::pin::pin!(counting_wakes(body, wakes.clone()));
                // A frame after which nothing woke the run, with no timer armed and no request out:
                // nothing ever will (an `Event` nobody sets). CPython would wait forever; the run
                // stops and says so, as the prediction does.
                let mut quiet_frames = 0;
                loop {
                    let before = wakes.load(Ordering::Relaxed);
                    let frame = std::pin::pin!(next_frame());
                    match select(body.as_mut(), frame).await {
                        Either::Left((done, _)) => {
                            break if done.is_ok() { Stalled::Finished } else { Stalled::Aborted }
                        }
                        Either::Right(_) => flush(&ctx, &mut sent, &on_events),
                    }
                    let stuck = wakes.load(Ordering::Relaxed) == before && next_due().is_none() && requests.get() == 0;
                    quiet_frames = if stuck { quiet_frames + 1 } else { 0 };
                    if quiet_frames == 2 {
                        break Stalled::Deadlock;
                    }
                }
            };
            RUNS.with(|r| r.borrow_mut().remove(&id));
            let mut events = ctx.rec.snapshot();
            match finished {
                Stalled::Aborted => return Ok(JsValue::from_str("")),
                Stalled::Deadlock => {
                    let marks = deadlock_marks(&events, ctx.rec.elapsed());
                    events.extend(marks);
                }
                Stalled::Finished => flush(&ctx, &mut sent, &on_events),
            }
            Ok(JsValue::from_str(&Run::new(&scenario, ClockKind::Browser, events).to_json()))
        })
    }

    /// Stops measured run `id`, if it is still going.
    #[wasm_bindgen]
    pub fn cancel(id: u32) {
        if let Some(abort) = RUNS.with(|r| r.borrow_mut().remove(&id)) {
            abort.abort();
        }
    }

    /// How a measured run's loop ended.
    enum Stalled {
        Finished,
        /// Cancelled (`cancel(id)`).
        Aborted,
        /// Nothing can wake it any more.
        Deadlock,
    }

    /// `fut`, counting in `wakes` each time something wakes it (a poll alone, as `select` polls
    /// it at every frame, is not counted).
    fn counting_wakes<F: std::future::Future>(
        fut: F,
        wakes: Arc<AtomicU64>,
    ) -> impl std::future::Future<Output = F::Output> {
        struct Counting {
            wakes: Arc<AtomicU64>,
            inner: Waker,
        }
        impl Wake for Counting {
            fn wake(self: Arc<Self>) {
                self.wake_by_ref();
            }
            fn wake_by_ref(self: &Arc<Self>) {
                self.wakes.fetch_add(1, Ordering::Relaxed);
                self.inner.wake_by_ref();
            }
        }
        let mut fut = Box::pin(fut);
        std::future::poll_fn(move |cx| {
            let waker = Waker::from(Arc::new(Counting { wakes: wakes.clone(), inner: cx.waker().clone() }));
            fut.as_mut().poll(&mut Context::from_waker(&waker))
        })
    }

    /// Resolves at the next animation frame.
    async fn next_frame() {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let _frame = gloo_render::request_animation_frame(move |_| {
            let _ = tx.send(());
        });
        let _ = rx.await;
    }

    pub fn start() {
        awaitlab::runtime::panic::install();
        runner::set_runner(runner::interpreter);
        program::set_deflater(program::deflate);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    module::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("py_runner is the page's lazily loaded Python interpreter: build it with `trunk build --release`");
}
