//! The time axis: a grid line and a label per tick.

use yew::prelude::*;

use super::geometry::{px, Geometry, TOP};
use crate::core::timeline::format_ms;

/// The ticks' grid lines across the lanes and their labels under them (every k-th, if they would
/// not all fit, counted from the last: the axis's end is always labelled).
pub fn ticks(g: &Geometry, ticks: Vec<f64>) -> Html {
    let (n, every) = (ticks.len(), g.tick_label_every(ticks.len()));
    let nodes = ticks.into_iter().enumerate().map(|(i, t)| {
        let tx = g.x(t);
        html! {
            <g class="tick">
                <line x1={px(tx)} x2={px(tx)} y1={TOP.to_string()} y2={px(TOP + g.lanes_h + 4.0)} />
                if (n - 1 - i) % every == 0 {
                    <text x={px(tx)} y={px(TOP + g.lanes_h + 15.0)}>{ format_ms(t) }</text>
                }
            </g>
        }
    });
    html! { <g class="ticks">{ for nodes }</g> }
}
