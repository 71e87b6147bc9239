//! Zoom and pan buttons for the timelines' shared window (the arithmetic is `core::view::zoom`).

use yew::prelude::*;

use crate::core::timeline::format_ms;
use crate::core::view::{zoom, zoom_moves, zoom_window, ZoomStep};

/// The zoom bar for the window `window` (`None` for the whole run) of an axis covering
/// `scale_ms`. A plain function, not a component: its callback is new on every render of the
/// page, so a component would re-render as often and only add code.
pub fn zoom_bar(window: Option<(f64, f64)>, scale_ms: f64, on_zoom: &Callback<Option<(f64, f64)>>) -> Html {
    let (from, to) = zoom_window(window, scale_ms);
    let step = |s: ZoomStep| on_zoom.reform(move |_: MouseEvent| zoom(s, window, scale_ms));
    let off = |s| !zoom_moves(s, window, scale_ms);
    html! {
        <div class="zoom" role="group" aria-label="Zoom">
            { "Time window:" }
            <button type="button" id="zoom-in" onclick={step(ZoomStep::In)}>{ "Zoom in" }</button>
            <button type="button" id="zoom-out" disabled={off(ZoomStep::Out)} onclick={step(ZoomStep::Out)}>{ "Zoom out" }</button>
            <button type="button" id="pan-left" disabled={off(ZoomStep::Earlier)} onclick={step(ZoomStep::Earlier)}>{ "← Earlier" }</button>
            <button type="button" id="pan-right" disabled={off(ZoomStep::Later)} onclick={step(ZoomStep::Later)}>{ "Later →" }</button>
            <button type="button" id="zoom-reset" disabled={off(ZoomStep::Whole)} onclick={step(ZoomStep::Whole)}>{ "Whole run" }</button>
            <span id="zoom-window">{ format!("{} – {}", format_ms(from), format_ms(to)) }</span>
        </div>
    }
}
