//! The time axis: a grid line and a label per tick.

use yew::prelude::*;

use super::geometry::{px, Geometry, TOP};
use crate::core::timeline::{tick_labels, tick_texts};

/// The ticks' grid lines across the lanes and their labels under them (those `tick_labels` picks
/// when they would not all fit: from 0, a round step apart).
pub fn ticks(g: &Geometry, ticks: Vec<f64>) -> Html {
    let labelled = tick_labels(&ticks, g.right() - g.gutter);
    let texts = tick_texts(&ticks);
    let nodes = ticks.into_iter().zip(texts).enumerate().map(|(i, (t, text))| {
        let tx = g.x(t);
        html! {
            <g class="tick">
                <line x1={px(tx)} x2={px(tx)} y1={TOP.to_string()} y2={px(TOP + g.lanes_h + 4.0)} />
                if labelled(i) {
                    <text x={px(tx)} y={px(TOP + g.lanes_h + 15.0)}>{ text }</text>
                }
            </g>
        }
    });
    html! { <g class="ticks">{ for nodes }</g> }
}
