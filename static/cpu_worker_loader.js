// The CPU pool's Web Worker (src/runtime/workers.rs, WORKER_URL): loads wasm-bindgen's no-modules
// glue and starts the cpu_worker bin, beside this file. Ours rather than Trunk's loader shim, which
// passes the wasm's path positionally: wasm-bindgen warns "using deprecated parameters for the
// initialization function" on every worker start for that.
importScripts("./cpu_worker.js");
wasm_bindgen({ module_or_path: "./cpu_worker_bg.wasm" });
