//! The time axis: a grid line and a label per tick.

use yew::prelude::*;

use super::geometry::{px, Geometry, TOP};
use crate::core::timeline::{format_ms, tick_labels};

/// The ticks' grid lines across the lanes and their labels under them (those `tick_labels` picks
/// when they would not all fit: from 0, a round step apart).
pub fn ticks(g: &Geometry, ticks: Vec<f64>) -> Html {
    let labelled = tick_labels(&ticks, g.right() - g.gutter);
    let nodes = ticks.into_iter().enumerate().map(|(i, t)| {
        let tx = g.x(t);
        html! {
            <g class="tick">
                <line x1={px(tx)} x2={px(tx)} y1={TOP.to_string()} y2={px(TOP + g.lanes_h + 4.0)} />
                if labelled(i) {
                    <text x={px(tx)} y={px(TOP + g.lanes_h + 15.0)}>{ format_ms(t) }</text>
                }
            </g>
        }
    });
    html! { <g class="ticks">{ for nodes }</g> }
}
