//! The browser side: a [`Clock`](crate::core::clock::Clock) over `performance.now()` and real
//! timers, the run session (one live run at a time), the panic banner and `window.awaitlab`.

pub mod api;
pub mod clock;
pub mod cpu;
pub mod embed;
pub mod fetch;
pub mod panic;
pub mod py_module;
pub mod session;
pub mod workers;

pub use clock::BrowserClock;
pub use session::LiveRun;
