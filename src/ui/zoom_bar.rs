//! Zoom and pan buttons for the timelines' shared window (the arithmetic is `core::view::zoom`).

use yew::prelude::*;

use crate::core::timeline::format_ms;
use crate::core::view::{zoom, zoom_window, ZoomStep};

#[derive(PartialEq, Properties)]
pub struct Props {
    /// The window shown, `None` for the whole run.
    pub window: Option<(f64, f64)>,
    /// The time the panels' axis covers, ms.
    pub scale_ms: f64,
    pub on_zoom: Callback<Option<(f64, f64)>>,
}

#[component]
pub fn ZoomBar(props: &Props) -> Html {
    let (window, scale_ms) = (props.window, props.scale_ms);
    let (from, to) = zoom_window(window, scale_ms);
    let step = |s: ZoomStep| props.on_zoom.reform(move |_: MouseEvent| zoom(s, window, scale_ms));
    let whole = window.is_none();
    html! {
        <div class="zoom" role="group" aria-label="Zoom">
            { "Time window:" }
            <button type="button" id="zoom-in" onclick={step(ZoomStep::In)}>{ "Zoom in" }</button>
            <button type="button" id="zoom-out" onclick={step(ZoomStep::Out)}>{ "Zoom out" }</button>
            <button type="button" id="pan-left" disabled={whole} onclick={step(ZoomStep::Earlier)}>{ "← Earlier" }</button>
            <button type="button" id="pan-right" disabled={whole} onclick={step(ZoomStep::Later)}>{ "Later →" }</button>
            <button type="button" id="zoom-reset" disabled={whole} onclick={step(ZoomStep::Whole)}>{ "Whole run" }</button>
            <span id="zoom-window">{ format!("{} – {}", format_ms(from), format_ms(to)) }</span>
        </div>
    }
}
