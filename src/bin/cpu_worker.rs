//! A Web Worker of the `offload=workers` pool: the same wasm code as the page, answering CPU jobs
//! (see src/runtime/workers.rs). Trunk builds it as a worker (`data-type="worker"` in index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    awaitlab::runtime::workers::worker_main();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cpu_worker runs as a Web Worker of the awaitlab page: build it with `trunk build --release`");
}
