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

/// The allocator of every wasm bundle (the page, the CPU worker, the interpreter's module): Talc
/// instead of Rust's default dlmalloc, for size (the page is 2.5 KB gzip lighter) at the same
/// speed (bench/HISTORY.md, "Page weight").
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
