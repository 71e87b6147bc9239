//! A run's timeline as SVG: a lane per task, a time axis, and the concurrency strip underneath.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::event::{Kind, Phase};
use crate::core::timeline::{format_ms, ticks, Bar, Timeline};

const WIDTH: f64 = 960.0;
const GUTTER: f64 = 120.0;
const RIGHT: f64 = 30.0;
const AXIS: f64 = 26.0;
const STRIP: f64 = 46.0;
/// The lanes' area grows with the task count up to this height, then lanes get thinner.
const MAX_LANES_HEIGHT: f64 = 440.0;
const LANE_MAX: f64 = 24.0;
/// Room above the first lane so its label is not clipped.
const TOP: f64 = 6.0;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// `predicted` or `measured`: the heading and the styling.
    pub kind: AttrValue,
    pub title: AttrValue,
    pub labels: Rc<Vec<String>>,
    pub timeline: Rc<Timeline>,
    /// The time the axis ends at, shared by the panels so they compare on one scale.
    pub scale_ms: f64,
}

fn bar_class(bar: &Bar) -> String {
    let phase = match bar.phase {
        Phase::Work => "work",
        Phase::Wait => "wait",
        Phase::Backoff => "backoff",
        Phase::Acquire => "acquire",
        Phase::Release => "release",
        Phase::Fetch => "fetch",
        Phase::Process => "process",
        Phase::Save => "save",
        Phase::Task => "task",
    };
    let close = match bar.close {
        None => "open",
        Some(Kind::Fail) => "fail",
        Some(Kind::Cancel) => "cancel",
        Some(Kind::Timeout) => "timeout",
        _ => "ok",
    };
    format!("bar {phase} {close}")
}

fn bar_title(label: &str, bar: &Bar) -> String {
    let outcome = match bar.close {
        None => "still running".to_string(),
        Some(Kind::Fail) => format!("failed: {}", bar.detail),
        Some(Kind::Cancel) => "cancelled".to_string(),
        Some(Kind::Timeout) => "timed out".to_string(),
        _ if bar.detail.is_empty() => "done".to_string(),
        _ => format!("done ({})", bar.detail),
    };
    format!(
        "{label}, attempt {}: {:?} from {} to {} ({}), {outcome}",
        bar.attempt,
        bar.phase,
        format_ms(bar.start),
        format_ms(bar.end),
        format_ms(bar.end - bar.start)
    )
    .replace("Work", "work")
}

#[component]
pub fn TimelineView(props: &Props) -> Html {
    let tl = &props.timeline;
    let lanes = tl.lanes.max(1) as f64;
    let lane_h = (MAX_LANES_HEIGHT / lanes).min(LANE_MAX);
    let lanes_h = lane_h * lanes;
    let plot_w = WIDTH - GUTTER - RIGHT;
    // The axis ends on the first round tick at or after the latest instant shown.
    let axis_ticks = ticks(props.scale_ms, 8);
    let scale = axis_ticks.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    let x = move |t: f64| GUTTER + (t / scale).clamp(0.0, 1.0) * plot_w;
    let height = TOP + lanes_h + AXIS + STRIP + 8.0;
    // Label every lane when there is room, otherwise every k-th one.
    let label_every = (12.0 / lane_h).ceil().max(1.0) as u32;

    let mut by_lane: Vec<Vec<&Bar>> = vec![Vec::new(); tl.lanes as usize];
    for bar in &tl.bars {
        if let Some(lane) = by_lane.get_mut(bar.task as usize) {
            lane.push(bar);
        }
    }
    let lane_nodes = by_lane.iter().enumerate().map(|(i, bars)| {
        let y = TOP + i as f64 * lane_h;
        let label = props.labels.get(i).cloned().unwrap_or_else(|| format!("task {i}"));
        let pad = if lane_h >= 6.0 { lane_h * 0.15 } else { 0.0 };
        let text = (i as u32 % label_every == 0).then(|| {
            html! { <text class="lane-label" x={(GUTTER - 8.0).to_string()} y={(y + lane_h / 2.0).to_string()}>{ label.clone() }</text> }
        });
        html! {
            <g class="lane" key={i} data-task={i.to_string()}>
                { for text }
                { for bars.iter().map(|bar| {
                    let x0 = x(bar.start);
                    let w = (x(bar.end) - x0).max(1.0);
                    html! {
                        <rect class={bar_class(bar)} x={format!("{x0:.2}")} y={format!("{:.2}", y + pad)}
                              width={format!("{w:.2}")} height={format!("{:.2}", (lane_h - 2.0 * pad).max(0.5))}>
                            <title>{ bar_title(&label, bar) }</title>
                        </rect>
                    }
                }) }
            </g>
        }
    });

    let tick_nodes = axis_ticks.into_iter().map(|t| {
        let tx = x(t);
        html! {
            <g class="tick">
                <line x1={format!("{tx:.2}")} x2={format!("{tx:.2}")} y1={TOP.to_string()} y2={format!("{:.2}", TOP + lanes_h + 4.0)} />
                <text x={format!("{tx:.2}")} y={format!("{:.2}", TOP + lanes_h + 18.0)}>{ format_ms(t) }</text>
            </g>
        }
    });

    let strip_top = TOP + lanes_h + AXIS;
    let peak = tl.peak().max(1) as f64;
    let strip_path = {
        let y = |n: u32| strip_top + STRIP - (f64::from(n) / peak) * (STRIP - 6.0);
        let mut d = format!("M{:.2},{:.2}", x(0.0), y(0));
        let mut last = 0;
        for &(t, n) in &tl.concurrency {
            d.push_str(&format!(" L{:.2},{:.2} L{:.2},{:.2}", x(t), y(last), x(t), y(n)));
            last = n;
        }
        d.push_str(&format!(" L{:.2},{:.2}", x(tl.end), y(last)));
        d
    };
    let aria = format!(
        "{} timeline: {} tasks over {}, at most {} in flight at once",
        props.title,
        tl.lanes,
        format_ms(tl.end),
        tl.peak()
    );

    html! {
        <figure class={classes!("timeline", props.kind.to_string())} data-lanes={tl.lanes.to_string()}>
            <figcaption>{ props.title.clone() }</figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {height:.0}")} role="img" aria-label={aria.clone()} preserveAspectRatio="xMinYMin meet">
                <title>{ aria }</title>
                <g class="ticks">{ for tick_nodes }</g>
                <g class="lanes">{ for lane_nodes }</g>
                <g class="strip">
                    <text class="strip-label" x={(GUTTER - 8.0).to_string()} y={format!("{:.2}", strip_top + STRIP / 2.0)}>
                        { format!("in flight (peak {})", tl.peak()) }
                    </text>
                    <line class="strip-base" x1={GUTTER.to_string()} x2={(WIDTH - RIGHT).to_string()}
                          y1={format!("{:.2}", strip_top + STRIP)} y2={format!("{:.2}", strip_top + STRIP)} />
                    <path class="strip-line" d={strip_path} />
                </g>
            </svg>
        </figure>
    }
}
