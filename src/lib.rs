//! awaitlab: async concurrency patterns run for real on the browser's event loop, drawn as
//! timelines beside the timeline a virtual clock predicts.
//!
//! - [`core`]: pure, clock-generic patterns and everything derived from their events.
//! - `runtime` (wasm only): the browser clock, run lifecycle and the `window.awaitlab` API.
//! - `ui` (wasm only): the Yew app.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod runtime;
#[cfg(target_arch = "wasm32")]
pub mod ui;
