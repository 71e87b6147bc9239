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

/// The wasm heap's allocator: talc instead of the standard library's dlmalloc (issue 16). A
/// virtual run allocates a task body and a waker per task; in the page's first call, while V8
/// still runs the module's baseline code, dlmalloc's longer paths were a large part of it.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
