//! A run's timeline as SVG: a lane per task, a time axis, and the concurrency strip underneath.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
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
/// Past this many bars they are painted on a canvas: thousands of SVG nodes re-rendered per frame
/// would block the very event loop being measured. Below it, each bar is an SVG rect with a title.
pub const SVG_MAX_BARS: usize = 400;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// `predicted` or `measured`: the heading and the styling.
    pub kind: AttrValue,
    pub title: AttrValue,
    pub labels: Rc<Vec<String>>,
    pub timeline: Rc<Timeline>,
    /// The time the axis ends at, shared by the panels so they compare on one scale.
    pub scale_ms: f64,
    /// Where the replay's playhead is, if one is shown.
    #[prop_or_default]
    pub playhead: Option<f64>,
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Work => "work",
        Phase::Wait => "wait",
        Phase::Backoff => "backoff",
        Phase::Acquire => "acquire",
        Phase::Release => "release",
        Phase::Fetch => "fetch",
        Phase::Process => "process",
        Phase::Save => "save",
        Phase::Task => "task",
    }
}

fn close_name(close: Option<Kind>) -> &'static str {
    match close {
        None => "open",
        Some(Kind::Fail) => "fail",
        Some(Kind::Cancel) => "cancel",
        Some(Kind::Timeout) => "timeout",
        _ => "ok",
    }
}

fn bar_class(bar: &Bar) -> String {
    format!("bar {} {}", phase_name(bar.phase), close_name(bar.close))
}

/// The CSS custom property that colours a bar (the stylesheet's `.bar` rules, for the canvas).
fn bar_colour_var(bar: &Bar) -> &'static str {
    match close_name(bar.close) {
        "fail" => "--work-fail",
        "cancel" => "--cancel",
        "timeout" => "--timeout",
        _ => match bar.phase {
            Phase::Wait => "--wait",
            Phase::Backoff => "--backoff",
            Phase::Acquire => "--acquire",
            Phase::Release => "--release",
            Phase::Process => "--process",
            Phase::Save => "--save",
            _ => "--work",
        },
    }
}

/// Where the plot area is, in SVG user units (the canvas uses the same units).
#[derive(Clone, Copy, PartialEq)]
struct Geometry {
    lane_h: f64,
    height: f64,
    scale: f64,
}

impl Geometry {
    fn x(&self, t: f64) -> f64 {
        GUTTER + (t / self.scale).clamp(0.0, 1.0) * (WIDTH - GUTTER - RIGHT)
    }
}

/// Paints every bar on `canvas`, sized to the SVG's user units at the screen's pixel ratio.
fn paint(canvas: &HtmlCanvasElement, tl: &Timeline, g: Geometry) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    canvas.set_width((WIDTH * dpr) as u32);
    canvas.set_height((g.height * dpr) as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let style = web_sys::window().and_then(|w| w.get_computed_style(canvas).ok().flatten());
    let colour = |var: &str| {
        style.as_ref().and_then(|s| s.get_property_value(var).ok()).filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "#3a86c8".into())
    };
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok();
    ctx.clear_rect(0.0, 0.0, WIDTH, g.height);
    let pad = if g.lane_h >= 6.0 { g.lane_h * 0.15 } else { 0.0 };
    let h = (g.lane_h - 2.0 * pad).max(0.5);
    // Group by colour so the fill style changes a handful of times, not once per bar.
    let mut vars: Vec<&'static str> = tl.bars.iter().map(bar_colour_var).collect();
    vars.sort_unstable();
    vars.dedup();
    for var in vars {
        ctx.set_fill_style_str(colour(var).trim());
        for bar in tl.bars.iter().filter(|b| bar_colour_var(b) == var) {
            let x0 = g.x(bar.start);
            let w = (g.x(bar.end) - x0).max(1.0 / dpr);
            ctx.fill_rect(x0, TOP + f64::from(bar.task) * g.lane_h + pad, w, h);
        }
    }
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
    // The axis ends on the first round tick at or after the latest instant shown.
    let axis_ticks = ticks(props.scale_ms, 8);
    let scale = axis_ticks.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    let geometry = Geometry { lane_h, height: TOP + lanes_h + AXIS + STRIP + 8.0, scale };
    let (x, height) = (move |t: f64| geometry.x(t), geometry.height);
    // Label every lane when there is room, otherwise every k-th one.
    let label_every = (12.0 / lane_h).ceil().max(1.0) as usize;
    let on_canvas = tl.bars.len() > SVG_MAX_BARS;

    let canvas = use_node_ref();
    {
        let (canvas, timeline) = (canvas.clone(), props.timeline.clone());
        use_effect_with((timeline, geometry, on_canvas), move |(timeline, geometry, on_canvas)| {
            if let (true, Some(el)) = (*on_canvas, canvas.cast::<HtmlCanvasElement>()) {
                paint(&el, timeline, *geometry);
            }
        });
    }

    let label = |i: usize| props.labels.get(i).cloned().unwrap_or_else(|| format!("task {i}"));
    let label_node = |i: usize| {
        let y = TOP + i as f64 * lane_h + lane_h / 2.0;
        html! { <text class="lane-label" x={(GUTTER - 8.0).to_string()} y={format!("{y:.2}")}>{ label(i) }</text> }
    };
    let lane_nodes: Html = if on_canvas {
        (0..tl.lanes as usize).step_by(label_every).map(label_node).collect()
    } else {
        let mut by_lane: Vec<Vec<&Bar>> = vec![Vec::new(); tl.lanes as usize];
        for bar in &tl.bars {
            if let Some(lane) = by_lane.get_mut(bar.task as usize) {
                lane.push(bar);
            }
        }
        let pad = if lane_h >= 6.0 { lane_h * 0.15 } else { 0.0 };
        by_lane
            .iter()
            .enumerate()
            .map(|(i, bars)| {
                let y = TOP + i as f64 * lane_h;
                let name = label(i);
                html! {
                    <g class="lane" key={i} data-task={i.to_string()}>
                        if i % label_every == 0 { { label_node(i) } }
                        { for bars.iter().map(|bar| {
                            let x0 = x(bar.start);
                            let w = (x(bar.end) - x0).max(1.0);
                            html! {
                                <rect class={bar_class(bar)} x={format!("{x0:.2}")} y={format!("{:.2}", y + pad)}
                                      width={format!("{w:.2}")} height={format!("{:.2}", (lane_h - 2.0 * pad).max(0.5))}>
                                    <title>{ bar_title(&name, bar) }</title>
                                </rect>
                            }
                        }) }
                        { for tl.marks.iter().filter(|m| m.task as usize == i && m.kind == Kind::Fallback).map(|m| html! {
                            <text class="mark-fallback" x={format!("{:.2}", x(m.t))} y={format!("{:.2}", y + lane_h / 2.0)}>
                                { "◆" }<title>{ format!("{name}: fell back to a default at {}: {}", format_ms(m.t), m.detail) }</title>
                            </text>
                        }) }
                    </g>
                }
            })
            .collect()
    };

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
        <figure class={classes!("timeline", props.kind.to_string())} data-lanes={tl.lanes.to_string()}
                data-render={if on_canvas { "canvas" } else { "svg" }}>
            <figcaption>{ props.title.clone() }</figcaption>
            <div class="plot">
            if on_canvas {
                <canvas ref={canvas} class="bars" aria-hidden="true"></canvas>
            }
            <svg viewBox={format!("0 0 {WIDTH} {height:.2}")} role="img" aria-label={aria.clone()} preserveAspectRatio="xMinYMin meet">
                <title>{ aria }</title>
                <g class="ticks">{ for tick_nodes }</g>
                <g class="lanes">{ lane_nodes }</g>
                <g class="strip">
                    <text class="strip-label" x={(GUTTER - 8.0).to_string()} y={format!("{:.2}", strip_top + STRIP / 2.0)}>
                        { format!("in flight (peak {})", tl.peak()) }
                    </text>
                    <line class="strip-base" x1={GUTTER.to_string()} x2={(WIDTH - RIGHT).to_string()}
                          y1={format!("{:.2}", strip_top + STRIP)} y2={format!("{:.2}", strip_top + STRIP)} />
                    <path class="strip-line" d={strip_path} />
                </g>
                if let Some(t) = props.playhead {
                    <line class="playhead" x1={format!("{:.2}", x(t))} x2={format!("{:.2}", x(t))}
                          y1="0" y2={format!("{:.2}", height)} />
                }
            </svg>
            </div>
        </figure>
    }
}
