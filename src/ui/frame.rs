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
