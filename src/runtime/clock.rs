//! The browser clock: `performance.now()` for time, `setTimeout` (through gloo-timers) for sleeps.

use gloo_timers::future::TimeoutFuture;

use crate::core::clock::Clock;

/// Real time on the page's event loop.
#[derive(Clone)]
pub struct BrowserClock {
    perf: Option<web_sys::Performance>,
}

impl BrowserClock {
    /// The page's clock. Falls back to `Date.now()` where `performance` is missing.
    pub fn new() -> Self {
        BrowserClock { perf: web_sys::window().and_then(|w| w.performance()) }
    }
}

impl Default for BrowserClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for BrowserClock {
    type Sleep = TimeoutFuture;

    fn now(&self) -> f64 {
        match &self.perf {
            Some(p) => p.now(),
            None => js_sys::Date::now(),
        }
    }

    fn sleep(&self, ms: f64) -> TimeoutFuture {
        // setTimeout takes whole milliseconds; it also clamps nested timers to >= 4 ms, which
        // is one of the gaps between the predicted and the measured run.
        let ms = if ms.is_finite() { ms.round().clamp(0.0, f64::from(i32::MAX)) } else { 0.0 };
        TimeoutFuture::new(ms as u32)
    }
}
