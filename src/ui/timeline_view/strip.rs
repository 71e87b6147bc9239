//! The concurrency strip under the lanes: how many tasks are in flight over time, the permit
//! limit as a line, clipped at the playhead while replaying.

use std::rc::Rc;

use yew::prelude::*;

use super::geometry::{px, Geometry, STRIP};
use super::Shared;
use crate::core::timeline::{Cut, LabelPlace, Timeline};

/// Where a count of `n` tasks in flight is drawn.
fn count_y(g: &Geometry, top_count: f64, n: u32) -> f64 {
    g.strip_top() + STRIP - (f64::from(n) / top_count) * (STRIP - 6.0)
}

/// The whole run's curve as an SVG path. One vertical stroke per half unit of width (entry,
/// extremes, exit) draws the same step curve as every step would: a big run has tens of thousands
/// of steps in a few hundred pixels.
fn curve(tl: &Timeline, g: &Geometry, limit: Option<u32>) -> String {
    let top = tl.strip_scale(limit);
    let y = |n: u32| count_y(g, top, n);
    let column = |x: f64| (x * 2.0).round() as i64;
    let mut d = format!("M{:.1},{:.1}", g.x(g.from), y(0));
    let mut last = 0;
    let mut i = 0;
    let steps = &tl.concurrency;
    while i < steps.len() {
        let col = column(g.x(steps[i].0));
        let cx = g.x(steps[i].0);
        let (mut lo, mut hi, entry) = (last.min(steps[i].1), last.max(steps[i].1), last);
        while i < steps.len() && column(g.x(steps[i].0)) == col {
            lo = lo.min(steps[i].1);
            hi = hi.max(steps[i].1);
            last = steps[i].1;
            i += 1;
        }
        d.push_str(&format!(
            " L{cx:.1},{:.1} L{cx:.1},{:.1} L{cx:.1},{:.1} L{cx:.1},{:.1}",
            y(entry),
            y(hi),
            y(lo),
            y(last)
        ));
    }
    d.push_str(&format!(" L{:.1},{:.1}", g.x(tl.end), y(last)));
    d
}

/// The curve, built once per layout, window and limit (not per replay frame).
#[hook]
pub fn use_strip_curve(tl: &Shared<Timeline>, g: Geometry, limit: Option<u32>) -> Rc<String> {
    use_memo((tl.clone(), g, limit), |(tl, g, limit)| curve(tl, g, *limit))
}

/// The strip: its label, base line, curve (clipped at `cut`) and limit. `id` makes the clip path's
/// id unique on the page.
pub fn strip(tl: &Timeline, g: &Geometry, curve: &str, limit: Option<u32>, cut: Option<Cut>, id: &str) -> Html {
    let strip_top = g.strip_top();
    let limit_y = |limit: u32| count_y(g, tl.strip_scale(Some(limit)), limit);
    let clip = cut.map(|c| g.x(c.position));
    let clip_id = format!("strip-clip-{id}");
    html! {
        <g class="strip">
            // Two short lines: "in flight (peak 10000)" on one would not fit the gutter.
            <text class="strip-label" y={px(strip_top + STRIP / 2.0 - 6.0)}>
                <tspan x={(g.gutter - 8.0).to_string()}>{ "in flight" }</tspan>
                <tspan x={(g.gutter - 8.0).to_string()} dy="12">{ format!("peak {}", tl.peak()) }</tspan>
            </text>
            <line class="strip-base" x1={g.gutter.to_string()} x2={g.right().to_string()}
                  y1={px(strip_top + STRIP)} y2={px(strip_top + STRIP)} />
            if let Some(cx) = clip {
                <clipPath id={clip_id.clone()}>
                    <rect x="0" y={px(strip_top)} width={px(cx)} height={STRIP.to_string()} />
                </clipPath>
            }
            <path class="strip-line" d={curve.to_string()} clip-path={clip.map(|_| format!("url(#{clip_id})"))} />
            if let Some(limit) = limit {
                <line class="strip-limit" x1={g.gutter.to_string()} x2={g.right().to_string()}
                      y1={px(limit_y(limit))} y2={px(limit_y(limit))} />
                { limit_label(tl, g, limit, limit_y(limit)) }
            }
        </g>
    }
}

/// "limit N" over the limit's line, at the end of the plot where the curve leaves it room
/// ([`Timeline::limit_label_place`]).
fn limit_label(tl: &Timeline, g: &Geometry, limit: u32, y: f64) -> Html {
    let text = format!("limit {limit}");
    // 4 px in from the left edge, 10 px bold: at most 6 px a character. Its span at the left
    // starts at the edge, so a measured run's first rise a few ms in counts as under it.
    let ms = |px: f64| px / (g.right() - g.gutter) * (g.to - g.from);
    let (pad, width) = (ms(4.0), ms(text.len() as f64 * 6.0));
    let (x, anchor) = match tl.limit_label_place(limit, (g.from, g.from + pad + width), (g.to - width, g.to)) {
        LabelPlace::Left => (g.gutter + 4.0, "start"),
        LabelPlace::Right => (g.right(), "end"),
        LabelPlace::At(t) => (g.x(t), "start"),
    };
    html! { <text class="strip-limit-label" x={px(x)} y={px(y - 3.0)} text-anchor={anchor}>{ text }</text> }
}
