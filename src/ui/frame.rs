//! Waiting for the next animation frame, as a future.

use futures::channel::oneshot;

/// Completes at the next animation frame (UI updates are batched per frame, not per event).
pub async fn next_frame() {
    let (tx, rx) = oneshot::channel();
    let _frame = gloo_render::request_animation_frame(move |_| {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// The next animation frame, or `ms` milliseconds if that comes first: frames stop in a hidden
/// tab and in an iframe scrolled out of view, and some updates must not wait for the reader.
pub async fn next_frame_within(ms: u32) {
    let frame = std::pin::pin!(next_frame());
    let timeout = gloo_timers::future::TimeoutFuture::new(ms);
    futures::future::select(frame, timeout).await;
}
