//! The runtime in headless Chromium: real timers, real run lifecycle, the real DOM.
#![cfg(target_arch = "wasm32")]

mod common;

use awaitlab::core::clock::Clock;
use awaitlab::core::event::Kind;
use awaitlab::runtime::clock as runtime_clock;
use awaitlab::runtime::{session, BrowserClock};
use common::scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Yields to the event loop until `cond` holds; fails after `max` turns. Each turn is a
/// zero-delay timer, so this waits for work to happen, not for a guessed amount of time.
async fn until(what: &str, max: u32, mut cond: impl FnMut() -> bool) {
    for _ in 0..max {
        if cond() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    panic!("gave up waiting for {what}");
}

#[wasm_bindgen_test]
async fn the_browser_clock_really_sleeps() {
    let clock = BrowserClock::new();
    let wall = js_sys::Date::now();
    let t0 = clock.now();
    clock.sleep(120.0).await;
    let slept = clock.now() - t0;
    let wall_slept = js_sys::Date::now() - wall;
    // A timer never fires early (1 ms of slack for rounding); 5 s would mean it was not a timer.
    assert!(slept >= 119.0, "slept only {slept} ms");
    assert!(wall_slept >= 119.0, "the wall clock saw only {wall_slept} ms");
    assert!(slept < 5_000.0, "slept {slept} ms");
}

#[wasm_bindgen_test]
async fn sleeps_sharing_timers_never_end_early() {
    // 300 concurrent sleeps of 1–60 ms: many end in the same millisecond and share a timer.
    let clock = BrowserClock::new();
    let sleeps = (0..300u32).map(|i| {
        let clock = clock.clone();
        let ms = f64::from(1 + (i * 37) % 60);
        async move {
            let t0 = clock.now();
            clock.sleep(ms).await;
            (ms, clock.now() - t0)
        }
    });
    let slept = futures::future::join_all(sleeps).await;
    let early: Vec<_> = slept.iter().filter(|(ms, took)| took < ms).collect();
    assert!(early.is_empty(), "sleeps that ended early: {early:?}");
    // Physics: all of them together take about the longest one, not their sum (9 s).
    let longest = slept.iter().map(|s| s.1).fold(0.0, f64::max);
    assert!(longest < 2_000.0, "{longest}");
}

#[wasm_bindgen_test]
async fn a_gather_runs_concurrently_on_real_timers() {
    let run = session::start_browser_run(scenario("pattern=gather&tasks=20&min=150&max=150"));
    let done = run.finished.clone().await.expect("the run finishes");
    assert_eq!(done.summary.attempts, 20);
    assert_eq!(done.summary.peak_concurrency, 20);
    // 20 × 150 ms one by one would be 3 s; concurrently it is one timer's worth (plus scheduling).
    assert!(done.summary.makespan_ms >= 149.0, "{}", done.summary.makespan_ms);
    assert!(done.summary.makespan_ms < 1_500.0, "{}", done.summary.makespan_ms);
}

#[wasm_bindgen_test]
async fn measured_zero_sleeps_yield_as_asyncio_sleep_0_does() {
    // Each task's 0 ms sleep hands the loop to the other before either finishes.
    let run = session::start_browser_run(scenario("pattern=gather&tasks=2&min=0&max=0"))
        .finished
        .clone()
        .await
        .expect("finished");
    assert_eq!(run.summary.peak_concurrency, 2);
    // Zero-ms retries under one permit take turns: 0, 1, 0, 1, 0, 1.
    let q = "pattern=retry&tasks=2&min=0&max=0&fail=1&retries=3&delay=0&limit=1&hold=0";
    let run = session::start_browser_run(scenario(q)).finished.clone().await.expect("finished");
    let grants: Vec<u32> = run
        .events
        .iter()
        .filter(|e| e.kind == Kind::End && e.phase == awaitlab::core::event::Phase::Wait)
        .map(|e| e.task)
        .collect();
    assert_eq!(grants, [0, 1, 0, 1, 0, 1]);
}

/// Blocks the page's thread for `ms` (a CPU-bound stretch: no timer can fire meanwhile).
fn block_for(ms: f64) {
    let clock = BrowserClock::new();
    let until = clock.now() + ms;
    while clock.now() < until {}
}

#[wasm_bindgen_test]
async fn sleeps_due_together_all_finish_before_the_first_ones_callbacks_run() {
    use awaitlab::core::aio::{Loop, Signal};
    use std::rc::Rc;
    // Two sleeps on separate timers (armed 2 ms apart) are both overdue when the loop gets the
    // thread back: the first timer to fire wakes both, as asyncio pops every due timer at once,
    // so a `wait(FIRST_COMPLETED)` woken by the first sees the second done too.
    let clock = BrowserClock::new();
    let lp = Loop::new(|| {});
    let main = async {
        let c = clock.clone();
        let a = lp.spawn(async move { c.sleep(50.0).await });
        clock.sleep(0.0).await; // a arms its timer
        block_for(2.0);
        let c = clock.clone();
        let b = lp.spawn(async move { c.sleep(50.0).await });
        clock.sleep(0.0).await; // b arms its own, 2 ms later
        block_for(60.0); // both deadlines pass while the thread is busy
        let first = Rc::new(Signal::default());
        for t in [&a, &b] {
            let first = first.clone();
            t.add_done_callback(move || first.set());
        }
        first.wait().await;
        (a.is_done(), b.is_done())
    };
    assert_eq!(lp.run(main).await, (true, true));
}

#[wasm_bindgen_test]
async fn a_rerun_mid_flight_cancels_the_old_run_and_no_stale_event_reaches_the_new_one() {
    let old = session::start_browser_run(scenario("pattern=gather&tasks=6&min=300&max=300&seed=1"));
    until("the first run's tasks to start", 100, || old.rec.len() >= 6).await;

    let new = session::start_browser_run(scenario("pattern=sequential&tasks=3&min=20&max=20&seed=2"));
    assert!(old.finished.clone().await.is_none(), "the first run must report cancellation");
    let old_len = old.rec.len();
    let old_events = old.rec.snapshot();
    assert_eq!(old_events.iter().filter(|e| e.kind == Kind::Cancel).count(), 6, "{old_events:?}");

    let run = new.finished.clone().await.expect("the new run finishes");
    assert_ne!(old.id, new.id);
    assert!(run.events.iter().all(|e| e.task < 3), "an event from the old run: {:?}", run.events);
    assert_eq!(run.summary.attempts, 3);
    assert_eq!(run.summary.peak_concurrency, 1);

    // Let the old run's timers come due (they were at 300 ms): nothing may be recorded by then.
    BrowserClock::new().sleep(350.0).await;
    assert_eq!(old.rec.len(), old_len, "the cancelled run kept recording");
    assert_eq!(new.rec.len(), run.events.len(), "late events reached the new run");
}

#[wasm_bindgen_test]
async fn a_run_starts_its_clock_at_once_and_says_when_its_next_timer_fires() {
    let clock = BrowserClock::new();
    let drawn = std::rc::Rc::new(std::cell::Cell::new(None));
    let subscription = {
        let drawn = drawn.clone();
        // A listener that draws the run (here: takes 20 ms) does it after the run's tasks started.
        session::on_start(move |live| {
            let (drawn, rec) = (drawn.clone(), live.rec.clone());
            wasm_bindgen_futures::spawn_local(async move {
                drawn.set(Some(rec.len()));
                let t = BrowserClock::new().now();
                while BrowserClock::new().now() - t < 20.0 {}
            });
        })
    };
    let started = clock.now();
    let run = session::start_browser_run(scenario("pattern=gather&tasks=4&min=60&max=60&seed=3"));
    drop(subscription);
    until("the listener's work", 100, || drawn.get().is_some()).await;
    assert_eq!(drawn.get(), Some(4), "the tasks had started before the listener's work");
    // Their sleeps share one timer, armed 60 ms after the start (no earlier: it never fires early).
    let due = runtime_clock::next_due().expect("a timer is armed");
    assert!(due >= started + 59.0 && due < started + 80.0, "due {} ms after the start", due - started);
    let done = run.finished.clone().await.expect("the run finishes");
    assert_eq!(done.summary.attempts, 4);
    // Its clock started with the call: the listener's 20 ms are inside the run, not before it.
    let ended = clock.now() - started;
    assert!(
        done.summary.makespan_ms >= 59.0 && done.summary.makespan_ms <= ended,
        "{} vs {ended}",
        done.summary.makespan_ms
    );
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_draws_the_predicted_timeline() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<awaitlab::ui::App>::with_root(root.clone()).render();

    until("the predicted timeline", 200, || root.query_selector("figure.predicted").ok().flatten().is_some()).await;
    let figure = root.query_selector("figure.predicted").unwrap().unwrap();
    // The defaults: 10 tasks.
    assert_eq!(figure.get_attribute("data-lanes").as_deref(), Some("10"));
    assert_eq!(figure.query_selector_all("g.lane").unwrap().length(), 10);

    // A bad value is named next to its field and does not start a run.
    let tasks: web_sys::HtmlInputElement = root.query_selector("#field-tasks").unwrap().unwrap().dyn_into().unwrap();
    tasks.set_value("0");
    tasks.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    until("the field error", 200, || root.query_selector("#error-tasks").ok().flatten().is_some()).await;
    let message = root.query_selector("#error-tasks").unwrap().unwrap().text_content().unwrap();
    assert!(message.contains("tasks must be a whole number from 1"), "{message}");
    let before = session::current().map(|r| r.id);
    root.query_selector("#run").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert_eq!(session::current().map(|r| r.id), before, "a rejected form must not start a run");
}
