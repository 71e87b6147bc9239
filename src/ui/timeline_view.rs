//! A run's timeline: a lane per task (SVG, or a canvas for big runs), a time axis, and the
//! concurrency strip underneath.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::Shared;

use crate::core::event::{Kind, Phase};
use crate::core::palette;
use crate::core::timeline::{format_ms, ticks, ticks_between, Bar, Cut, Queued, Timeline};

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
/// Past this many bars, outlines or lanes, bars are painted on a canvas: thousands of SVG nodes
/// re-rendered per frame would block the very event loop being measured. Below it, each lane is
/// an SVG group and each bar a rect with a title.
pub const SVG_MAX_BARS: usize = 400;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// `predicted` or `measured`: the heading and the styling.
    pub kind: AttrValue,
    pub title: AttrValue,
    pub labels: Rc<Vec<String>>,
    pub timeline: Shared<Timeline>,
    /// The time the axis ends at, shared by the panels so they compare on one scale.
    pub scale_ms: f64,
    /// Where the replay's playhead is, if one is shown.
    #[prop_or_default]
    pub playhead: Option<f64>,
    /// A zoomed window `(from, to)` in ms; `None` shows 0 to `scale_ms`.
    #[prop_or_default]
    pub window: Option<(f64, f64)>,
    /// Another timeline of the same tasks (the prediction) drawn as outlines under the bars.
    #[prop_or_default]
    pub ghost: Option<Shared<Timeline>>,
    /// The semaphore's permit count, drawn as a line on the concurrency strip.
    #[prop_or_default]
    pub limit: Option<u32>,
    /// Replay: show the timeline as it was at this cut (the layout itself is of the whole run).
    #[prop_or_default]
    pub cut: Option<Cut>,
}

/// How `bar` looks at `cut`: `None` before it began, else its end and how it closed.
fn at(bar: &Bar, cut: Option<Cut>) -> Option<(f64, Option<Kind>)> {
    match cut {
        Some(c) => c.bar(bar),
        None => Some((bar.end, bar.close)),
    }
}

/// How a queued result looks at `cut`: `None` before its work ended, else from and to.
fn queued_at(q: &Queued, cut: Option<Cut>) -> Option<(f64, f64)> {
    match cut {
        Some(c) => c.queued(q),
        None => Some((q.from, q.to)),
    }
}

/// Where the planned rest of a bar cut short ends, if it shows while the bar is closed by `close`
/// (a cancelled or timed-out work span whose workload planned it longer).
fn planned_rest(bar: &Bar, close: Option<Kind>) -> Option<f64> {
    bar.planned_end.filter(|_| matches!(close, Some(Kind::Cancel | Kind::Timeout)))
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

fn bar_class(phase: Phase, close: Option<Kind>) -> String {
    format!("bar {} {}", phase_name(phase), close_name(close))
}

/// Where the plot area is, in SVG user units (the canvas uses the same units).
#[derive(Clone, Copy, PartialEq)]
struct Geometry {
    lane_h: f64,
    height: f64,
    /// The window shown, ms.
    from: f64,
    to: f64,
}

impl Geometry {
    fn x(&self, t: f64) -> f64 {
        GUTTER + ((t - self.from) / (self.to - self.from)).clamp(0.0, 1.0) * (WIDTH - GUTTER - RIGHT)
    }

    /// Whether any of `[start, end]` is inside the window.
    fn shows(&self, start: f64, end: f64) -> bool {
        end >= self.from && start <= self.to
    }

    /// The lane under a point `y` in user units.
    fn lane_at(&self, y: f64, lanes: u32) -> Option<usize> {
        let lane = ((y - TOP) / self.lane_h).floor();
        (lane >= 0.0 && lane < f64::from(lanes)).then_some(lane as usize)
    }
}

/// Whether the page is in its dark colour scheme: an embed's `theme=` class on `<html>`, else the
/// system's preference.
fn dark_scheme() -> bool {
    let window = web_sys::window();
    let root = window.as_ref().and_then(|w| w.document()).and_then(|d| d.document_element());
    if let Some(classes) = root.map(|r| r.class_list()) {
        if classes.contains("theme-dark") || classes.contains("theme-light") {
            return classes.contains("theme-dark");
        }
    }
    window.and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches())
}

/// A bar on the canvas: its lane and its x from and to.
type Span = (u32, f64, f64);

/// Paints every bar on `canvas`, sized to the SVG's user units at the screen's pixel ratio.
fn paint(canvas: &HtmlCanvasElement, tl: &Timeline, g: Geometry, cut: Option<Cut>) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    // Resizing reallocates the backing store: only when the size changes (clear_rect clears).
    let (px_w, px_h) = ((WIDTH * dpr) as u32, (g.height * dpr) as u32);
    if canvas.width() != px_w || canvas.height() != px_h {
        canvas.set_width(px_w);
        canvas.set_height(px_h);
    }
    let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let dark = dark_scheme();
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok();
    ctx.clear_rect(0.0, 0.0, WIDTH, g.height);
    let pad = if g.lane_h >= 6.0 { g.lane_h * 0.15 } else { 0.0 };
    let h = (g.lane_h - 2.0 * pad).max(0.5);
    // Grouped by colour in one pass, so the fill style changes a handful of times, not per bar.
    let mut groups: Vec<(&'static str, Vec<Span>)> = Vec::new();
    for bar in &tl.bars {
        let Some((end, close)) = at(bar, cut) else { continue };
        if !g.shows(bar.start, end) {
            continue;
        }
        let mut add = |name: &'static str, x0: f64, x1: f64| {
            let group = match groups.iter().position(|(n, _)| *n == name) {
                Some(i) => &mut groups[i].1,
                None => {
                    groups.push((name, Vec::new()));
                    &mut groups.last_mut().expect("just pushed").1
                }
            };
            group.push((bar.task, x0, x1));
        };
        add(palette::bar_colour_name(bar.phase, close), g.x(bar.start), g.x(end));
        if let Some(rest) = planned_rest(bar, close).filter(|rest| g.shows(end, *rest)) {
            add("unrun", g.x(end), g.x(rest));
        }
    }
    // Lanes thinner than a device pixel: many lanes share each pixel row, so draw each row's bars
    // of one colour as merged spans (10,000 lanes in 440 px is ~440 rects, not 10,000).
    let thin = g.lane_h * dpr < 1.0;
    for (name, bars) in groups {
        ctx.set_fill_style_str(palette::colour(name, dark));
        if !thin {
            for (task, x0, x1) in bars {
                ctx.fill_rect(x0, TOP + f64::from(task) * g.lane_h + pad, (x1 - x0).max(1.0 / dpr), h);
            }
            continue;
        }
        let mut spans: Vec<(i64, f64, f64)> = bars
            .into_iter()
            .map(|(task, x0, x1)| ((((TOP + f64::from(task) * g.lane_h) * dpr).floor()) as i64, x0, x1))
            .collect();
        spans.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut run: Option<(i64, f64, f64)> = None;
        let flush = |r: (i64, f64, f64)| ctx.fill_rect(r.1, r.0 as f64 / dpr, (r.2 - r.1).max(1.0 / dpr), 1.0 / dpr);
        for (row, x0, x1) in spans {
            run = match run {
                Some((r, a, b)) if r == row && x0 <= b + 1.0 / dpr => Some((r, a, b.max(x1))),
                Some(done) => {
                    flush(done);
                    Some((row, x0, x1))
                }
                None => Some((row, x0, x1)),
            };
        }
        if let Some(done) = run {
            flush(done);
        }
    }
}

/// How a measured bar compares with its predicted twin, e.g. ` · predicted 200 ms, +3.1 ms`.
fn versus(bar: &Bar, ghost: Option<&Timeline>) -> String {
    let twin = ghost
        .and_then(|g| g.bars.iter().find(|b| b.task == bar.task && b.attempt == bar.attempt && b.phase == bar.phase));
    match twin {
        Some(p) if bar.close.is_some() => {
            let diff = bar.end - p.end;
            let sign = if diff >= 0.0 { "+" } else { "−" };
            format!(" · predicted to end at {}, {sign}{}", format_ms(p.end), format_ms(diff.abs()))
        }
        _ => String::new(),
    }
}

/// A shape at the end of a span that failed (×), was cancelled (/) or timed out (|), so those
/// states do not read by colour alone. `x` is where the span ends, `size` its height.
pub fn end_mark(close: Option<Kind>, x: f64, y_mid: f64, size: f64) -> Html {
    let r = size * 0.32;
    let cx = x - r - 1.5;
    let d = match close {
        Some(Kind::Fail) => format!(
            "M{:.2},{:.2} L{:.2},{:.2} M{:.2},{:.2} L{:.2},{:.2}",
            cx - r,
            y_mid - r,
            cx + r,
            y_mid + r,
            cx - r,
            y_mid + r,
            cx + r,
            y_mid - r
        ),
        Some(Kind::Cancel) => format!("M{:.2},{:.2} L{:.2},{:.2}", cx - r, y_mid + r, cx + r, y_mid - r),
        Some(Kind::Timeout) => format!("M{:.2},{:.2} L{:.2},{:.2}", cx + r, y_mid - r * 1.3, cx + r, y_mid + r * 1.3),
        _ => return Html::default(),
    };
    html! { <path class={classes!("end-mark", close_name(close))} {d} /> }
}

/// `, 180 ms before its planned end at 420 ms` for work cut short.
fn spared(bar: &Bar) -> String {
    planned_rest(bar, bar.close).map_or_else(String::new, |p| {
        format!(", {} before its planned end at {}", format_ms(p - bar.end), format_ms(p))
    })
}

fn bar_title(label: &str, bar: &Bar) -> String {
    let outcome = match bar.close {
        None => "still running".to_string(),
        Some(Kind::Fail) => format!("failed: {}", bar.detail),
        Some(Kind::Cancel) => format!("cancelled{}", spared(bar)),
        Some(Kind::Timeout) => format!("timed out{}", spared(bar)),
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
    let height = TOP + lanes_h + AXIS + STRIP + 8.0;
    // Unzoomed, the axis ends on the first round tick at or after the latest instant shown.
    let (geometry, axis_ticks) = match props.window {
        Some((from, to)) if to > from => (Geometry { lane_h, height, from, to }, ticks_between(from, to, 8)),
        _ => {
            let t = ticks(props.scale_ms, 8);
            let to = t.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
            (Geometry { lane_h, height, from: 0.0, to }, t)
        }
    };
    let x = move |t: f64| geometry.x(t);
    // Label every lane when there is room, otherwise every k-th one.
    let label_every = (12.0 / lane_h).ceil().max(1.0) as usize;
    // Decided by what the whole run will show (its lanes, its prediction), not only by the bars so
    // far: a live run must not start as 10,000 empty SVG lanes and switch to canvas mid-run.
    let ghost_bars = props.ghost.as_ref().map_or(0, |g| g.bars.len());
    let on_canvas = tl.bars.len().max(ghost_bars).max(tl.lanes as usize) > SVG_MAX_BARS;
    let ghost = props.ghost.as_deref().filter(|_| !on_canvas);

    let canvas = use_node_ref();
    {
        let (canvas, timeline) = (canvas.clone(), props.timeline.clone());
        use_effect_with((timeline, geometry, on_canvas, props.cut), move |(timeline, geometry, on_canvas, cut)| {
            if let (true, Some(el)) = (*on_canvas, canvas.cast::<HtmlCanvasElement>()) {
                paint(&el, timeline, *geometry, *cut);
            }
        });
    }
    // The lane under the pointer or with keyboard focus: its details are written out below.
    let focused = use_state(|| None::<usize>);
    let plot = use_node_ref();
    let onmousemove = {
        let (focused, plot, lanes) = (focused.clone(), plot.clone(), tl.lanes);
        Callback::from(move |e: MouseEvent| {
            let Some(el) = plot.cast::<web_sys::Element>() else { return };
            let rect = el.get_bounding_client_rect();
            if rect.height() > 0.0 {
                let y = (f64::from(e.client_y()) - rect.top()) * height / rect.height();
                let lane = geometry.lane_at(y, lanes);
                if *focused != lane {
                    focused.set(lane);
                }
            }
        })
    };
    let onmouseleave = {
        let focused = focused.clone();
        Callback::from(move |_: MouseEvent| focused.set(None))
    };

    let label = |i: usize| props.labels.get(i).cloned().unwrap_or_else(|| format!("task {i}"));
    let label_node = |i: usize| {
        let y = TOP + i as f64 * lane_h + lane_h / 2.0;
        html! { <text class="lane-label" x={(GUTTER - 8.0).to_string()} y={format!("{y:.2}")}>{ label(i) }</text> }
    };
    let pad = if lane_h >= 6.0 { lane_h * 0.15 } else { 0.0 };
    let bar_h = (lane_h - 2.0 * pad).max(0.5);
    let lane_nodes: Html = if on_canvas {
        (0..tl.lanes as usize).step_by(label_every).map(label_node).collect()
    } else {
        // Each bar as it looks at the cut (a copy: there are at most SVG_MAX_BARS of them).
        let mut by_lane: Vec<Vec<Bar>> = vec![Vec::new(); tl.lanes as usize];
        for bar in &tl.bars {
            let Some((end, close)) = at(bar, props.cut) else { continue };
            if let (true, Some(lane)) = (geometry.shows(bar.start, end), by_lane.get_mut(bar.task as usize)) {
                lane.push(Bar { end, close, ..bar.clone() });
            }
        }
        let ghosts = |i: usize| {
            ghost.map(|g| {
                g.bars.iter().filter(|b| b.task as usize == i && geometry.shows(b.start, b.end)).collect::<Vec<_>>()
            })
        };
        by_lane
            .iter()
            .enumerate()
            .map(|(i, bars)| {
                let y = TOP + i as f64 * lane_h;
                let name = label(i);
                let onfocus = {
                    let focused = focused.clone();
                    Callback::from(move |_: FocusEvent| focused.set(Some(i)))
                };
                html! {
                    <g class="lane" key={i} data-task={i.to_string()} tabindex="0" {onfocus}
                       aria-label={format!("{name}: {} spans", bars.len())}>
                        if i % label_every == 0 { { label_node(i) } }
                        { for bars.iter().filter_map(|bar| Some((bar, planned_rest(bar, bar.close).filter(|r| geometry.shows(bar.end, *r))?))).map(|(bar, rest)| {
                            let x0 = x(bar.end);
                            html! {
                                <rect class="unrun" x={format!("{x0:.2}")} y={format!("{:.2}", y + pad)}
                                      width={format!("{:.2}", (x(rest) - x0).max(1.0))} height={format!("{bar_h:.2}")}>
                                    <title>{ format!("{name}: planned to run until {}; {} of work never ran", format_ms(rest), format_ms(rest - bar.end)) }</title>
                                </rect>
                            }
                        }) }
                        { for bars.iter().map(|bar| {
                            let x0 = x(bar.start);
                            let w = (x(bar.end) - x0).max(1.0);
                            // Only where the mark fits inside the bar and can be told apart.
                            let mark = (bar_h >= 8.0 && w >= bar_h).then(|| end_mark(bar.close, x0 + w, y + lane_h / 2.0, bar_h));
                            html! {
                                <>
                                <rect class={bar_class(bar.phase, bar.close)} x={format!("{x0:.2}")} y={format!("{:.2}", y + pad)}
                                      width={format!("{w:.2}")} height={format!("{bar_h:.2}")}>
                                    <title>{ format!("{}{}", bar_title(&name, bar), versus(bar, ghost)) }</title>
                                </rect>
                                { mark.unwrap_or_default() }
                                </>
                            }
                        }) }
                        { for ghosts(i).into_iter().flatten().map(|b| {
                            let x0 = x(b.start);
                            html! { <rect class="ghost" x={format!("{x0:.2}")} y={format!("{:.2}", y + pad)}
                                          width={format!("{:.2}", (x(b.end) - x0).max(1.0))} height={format!("{bar_h:.2}")} /> }
                        }) }
                        { for tl.queued.iter().filter(|q| q.task as usize == i).filter_map(|q| {
                            let (from, to) = queued_at(q, props.cut).filter(|(a, b)| geometry.shows(*a, *b))?;
                            let y_mid = format!("{:.2}", y + lane_h / 2.0);
                            Some(html! {
                                <line class="queued" x1={format!("{:.2}", x(from))} x2={format!("{:.2}", x(to))} y1={y_mid.clone()} y2={y_mid}>
                                    <title>{ format!("{name}: result waited {} for its turn to be processed", format_ms(to - from)) }</title>
                                </line>
                            })
                        }) }
                        { for tl.marks.iter().filter(|m| m.task as usize == i && m.kind == Kind::Fallback && props.cut.is_none_or(|c| c.shows(m))).map(|m| html! {
                            <text class="mark-fallback" x={format!("{:.2}", x(m.t) + 3.0)} y={format!("{:.2}", y + lane_h / 2.0)}>
                                { "↩ default" }<title>{ format!("{name}: fell back to a default at {}: {}", format_ms(m.t), m.detail) }</title>
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
    // Headroom above a limit, so its line is not hidden under a curve that reaches it.
    let top_count = match props.limit {
        Some(limit) => f64::from(tl.peak().max(limit)) * 1.25,
        None => f64::from(tl.peak().max(1)),
    };
    let strip_y = |n: u32| strip_top + STRIP - (f64::from(n) / top_count) * (STRIP - 6.0);
    // The whole run's curve, built once per layout and clipped at the playhead while replaying:
    // a big run has tens of thousands of steps.
    let strip_path = use_memo((props.timeline.clone(), geometry, props.limit), move |(tl, g, _)| {
        let y = |n: u32| strip_top + STRIP - (f64::from(n) / top_count) * (STRIP - 6.0);
        // One vertical stroke per half unit of width (entry, extremes, exit) draws the same step
        // curve as every step would: a big run has tens of thousands of steps in 960 units.
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
    });
    let strip_clip = props.cut.map(|c| x(c.position));
    let clip_id = format!("strip-clip-{}", props.kind);
    let aria = format!(
        "{} timeline: {} tasks over {}, at most {} in flight at once",
        props.title,
        tl.lanes,
        format_ms(tl.end),
        tl.peak()
    );
    let detail = focused.and_then(|i| {
        let mut spans: Vec<String> = tl
            .bars
            .iter()
            .filter(|b| b.task as usize == i)
            .filter_map(|b| at(b, props.cut).map(|(end, close)| Bar { end, close, ..b.clone() }))
            .map(|b| format!("{}{}", bar_title(&label(i), &b), versus(&b, props.ghost.as_deref())))
            .collect();
        spans.extend(tl.queued.iter().filter(|q| q.task as usize == i).filter_map(|q| queued_at(q, props.cut)).map(
            |(from, to)| {
                format!("its result waited {} (from {}) to be processed", format_ms(to - from), format_ms(from))
            },
        ));
        (!spans.is_empty()).then(|| spans.join(" · "))
    });

    html! {
        <figure class={classes!("timeline", props.kind.to_string())} data-lanes={tl.lanes.to_string()}
                data-render={if on_canvas { "canvas" } else { "svg" }}>
            <figcaption>{ props.title.clone() }</figcaption>
            <div class="plot" ref={plot} {onmousemove} {onmouseleave}>
            if on_canvas {
                <canvas ref={canvas} class="bars" aria-hidden="true"></canvas>
            }
            <svg viewBox={format!("0 0 {WIDTH} {height:.2}")} role="img" aria-label={aria.clone()} preserveAspectRatio="xMinYMin meet">
                <title>{ aria }</title>
                <g class="ticks">{ for tick_nodes }</g>
                <g class="lanes">{ lane_nodes }</g>
                <g class="strip">
                    // Two short lines: "in flight (peak 10000)" on one would not fit the gutter.
                    <text class="strip-label" y={format!("{:.2}", strip_top + STRIP / 2.0 - 7.0)}>
                        <tspan x={(GUTTER - 8.0).to_string()}>{ "in flight" }</tspan>
                        <tspan x={(GUTTER - 8.0).to_string()} dy="14">{ format!("peak {}", tl.peak()) }</tspan>
                    </text>
                    <line class="strip-base" x1={GUTTER.to_string()} x2={(WIDTH - RIGHT).to_string()}
                          y1={format!("{:.2}", strip_top + STRIP)} y2={format!("{:.2}", strip_top + STRIP)} />
                    if let Some(cx) = strip_clip {
                        <clipPath id={clip_id.clone()}>
                            <rect x="0" y={format!("{strip_top:.2}")} width={format!("{cx:.2}")} height={STRIP.to_string()} />
                        </clipPath>
                    }
                    <path class="strip-line" d={(*strip_path).clone()}
                          clip-path={strip_clip.map(|_| format!("url(#{clip_id})"))} />
                    if let Some(limit) = props.limit {
                        <line class="strip-limit" x1={GUTTER.to_string()} x2={(WIDTH - RIGHT).to_string()}
                              y1={format!("{:.2}", strip_y(limit))} y2={format!("{:.2}", strip_y(limit))} />
                        <text class="strip-limit-label" x={(WIDTH - RIGHT).to_string()} y={format!("{:.2}", strip_y(limit) - 3.0)}>
                            { format!("limit {limit}") }
                        </text>
                    }
                </g>
                if let Some(t) = props.playhead.filter(|t| geometry.shows(*t, *t)) {
                    <line class="playhead" x1={format!("{:.2}", x(t))} x2={format!("{:.2}", x(t))}
                          y1="0" y2={format!("{height:.2}")} />
                }
            </svg>
            </div>
            <p class="lane-detail" aria-live="polite">{ detail.unwrap_or_else(|| "Point at a lane, or tab to it, to read its spans.".into()) }</p>
        </figure>
    }
}
