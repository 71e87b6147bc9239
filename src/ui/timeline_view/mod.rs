//! A run's timeline: a lane per task (SVG, or a canvas for big runs), a time axis, and the
//! concurrency strip underneath, with the details of the lane under the pointer written out.
//!
//! - `geometry`: where things go (SVG user units, shared with the canvas) and how bars look at a cut;
//! - `lanes`: the SVG lanes, bar titles and end marks, and the lane details;
//! - `canvas`: big runs' bars painted in palette colours;
//! - `pick`: a click (hit-tested, SVG or canvas) or a key on a bar picks it for the what-if menu;
//! - `axis` and `strip`: the ticks and the concurrency strip;
//! - `busy`: a CPU run's "event loop busy" strip under the plot.

mod axis;
mod busy;
mod canvas;
mod geometry;
mod lanes;
mod pick;
mod strip;

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::Shared;
use crate::core::code_editor::lane_labels;
use crate::core::timeline::{format_ms, gutter, gutter_chars, label_every, tasks_text, Cut, Timeline};
use crate::core::what_if::WhatIf;
use geometry::{px, Geometry, DEFAULT_WIDTH};
pub use lanes::end_mark;
use lanes::Lanes;
pub use pick::{focus, Pick};

/// Past this many bars, outlines or lanes, bars are painted on a canvas: thousands of SVG nodes
/// re-rendered per frame would block the very event loop being measured. Below it, each lane is
/// an SVG group and each bar a rect with a title.
pub const SVG_MAX_BARS: usize = 400;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// `predicted` or `measured`: the heading and the styling.
    pub kind: AttrValue,
    /// A run of the virtual clock in the `measured` place (a prediction replayed from the
    /// history, a Run JSON or a script's run): its heading is marked ◇, not ◆.
    #[prop_or_default]
    pub virtual_clock: bool,
    pub title: AttrValue,
    pub labels: Rc<Vec<String>>,
    /// The most characters of a label the gutter holds (`None`: as many as a third of the plot,
    /// [`gutter_chars`]).
    #[prop_or_default]
    pub label_chars: Option<usize>,
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
    /// The scenario's `what_if` overrides, marked on the bars they change.
    #[prop_or_default]
    pub what_if: Option<Rc<WhatIf>>,
    /// source=cpu inline: when the event loop was busy computing, drawn as a strip under the lanes.
    #[prop_or_default]
    pub busy: Option<crate::core::view::Busy>,
    /// The what-if menu: a click or Enter on a bar picks it (`None`: a click beside the bars).
    #[prop_or_default]
    pub on_pick: Option<Callback<Option<Pick>>>,
}

/// The plot's click and key handlers for picking bars (see `pick`).
fn pick_handlers(props: &Props, plot: &NodeRef, g: Geometry) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let on_pick = props.on_pick.clone();
    let (tl, cut, plot) = (props.timeline.clone(), props.cut, plot.clone());
    let onclick = {
        let (on_pick, tl) = (on_pick.clone(), tl.clone());
        Callback::from(move |e: MouseEvent| {
            let (Some(on_pick), Some(el)) = (&on_pick, plot.cast::<web_sys::Element>()) else { return };
            on_pick.emit(pick::clicked(&el, &e, &tl, g, cut));
        })
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if let Some(outcome) = pick::key(&e, &tl, cut, on_pick.is_some()) {
            e.prevent_default();
            if let (pick::KeyOutcome::Open(p), Some(on_pick)) = (outcome, &on_pick) {
                on_pick.emit(Some(p));
            }
        }
    });
    (onclick, onkeydown)
}

/// Whether `props` are drawn on a canvas: decided by what the whole run will show (its lanes, its
/// prediction), not only by the bars so far, so a live run does not start as 10,000 empty SVG
/// lanes and switch to canvas mid-run.
fn on_canvas(props: &Props) -> bool {
    let ghost_bars = props.ghost.as_ref().map_or(0, |g| g.bars.len());
    let tl = &props.timeline;
    tl.bars.len().max(ghost_bars).max(tl.lanes as usize) > SVG_MAX_BARS
}

/// Paints the canvas whenever what it shows changes.
#[hook]
fn use_canvas_paint(
    canvas: &NodeRef,
    timeline: &Shared<Timeline>,
    geometry: Geometry,
    on_canvas: bool,
    cut: Option<Cut>,
) {
    let (canvas, timeline) = (canvas.clone(), timeline.clone());
    use_effect_with((timeline, geometry, on_canvas, cut), move |(timeline, geometry, on_canvas, cut)| {
        if let (true, Some(el)) = (*on_canvas, canvas.cast::<HtmlCanvasElement>()) {
            canvas::paint(&el, timeline, *geometry, *cut);
        }
    });
}

/// A canvas run's keyboard cursor (see `pick::Cursor`): its state, the plot's key handler and
/// its focus handler (which puts the cursor on the first lane the first time). The lane under the
/// cursor gets its details written out, as a focused SVG lane does.
#[hook]
fn use_canvas_cursor(
    props: &Props,
    plot: &NodeRef,
    g: Geometry,
    on_lane: Callback<usize>,
) -> (Option<pick::Cursor>, Callback<KeyboardEvent>, Callback<FocusEvent>) {
    let cursor = use_state(|| None::<pick::Cursor>);
    let (tl, cut, on_pick) = (props.timeline.clone(), props.cut, props.on_pick.clone());
    let onfocus = {
        let (cursor, on_lane) = (cursor.clone(), on_lane.clone());
        Callback::from(move |_: FocusEvent| {
            let at = cursor.unwrap_or((0, g.from));
            on_lane.emit(at.0 as usize);
            cursor.set(Some(at));
        })
    };
    let (handle, plot) = (cursor.clone(), plot.clone());
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let Some(at) = *handle else { return };
        let key = e.key();
        if let Some(next) = pick::move_cursor(&key, &tl, cut, at) {
            e.prevent_default();
            on_lane.emit(next.0 as usize);
            handle.set(Some(next));
        } else if let (true, Some(on_pick)) = (key == "Enter" || key == " ", &on_pick) {
            e.prevent_default();
            if let Some(p) = plot.cast::<web_sys::Element>().and_then(|el| pick::cursor_pick(&el, &tl, g, cut, at)) {
                on_pick.emit(Some(p));
            }
        }
    });
    (*cursor, onkeydown, onfocus)
}

/// The keyboard cursor's outline on a canvas run, around the bar it is on (at least 8 px high, so
/// it shows on lanes thinner than a pixel); shown while the plot has focus (lab.css).
fn cursor_outline(props: &Props, g: &Geometry, cursor: Option<pick::Cursor>) -> Html {
    let Some(bar) = cursor.and_then(|c| pick::cursor_bar(&props.timeline, props.cut, c)) else {
        return Html::default();
    };
    let (x, y, w, h) = g.bar_box(bar.task, bar.start, bar.end);
    let grow = ((8.0 - h) / 2.0).max(0.0) + 2.0;
    html! {
        <rect class="kbd-cursor" x={px(x - 2.0)} y={px(y - grow)}
              width={px(w + 4.0)} height={px(h + 2.0 * grow)}
              data-task={bar.task.to_string()} data-attempt={bar.attempt.to_string()} />
    }
}

/// The plot's width in whole CSS px, kept up to date by a ResizeObserver: the SVG is drawn at
/// that width, one user unit a pixel (see `geometry`).
#[hook]
fn use_plot_width(plot: &NodeRef) -> f64 {
    let width = use_state(|| None::<f64>);
    {
        let (plot, width) = (plot.clone(), width.clone());
        use_effect_with((), move |()| {
            let el = plot.cast::<web_sys::Element>();
            let measure = {
                let (el, width) = (el.clone(), width.clone());
                move || {
                    let w = el.as_ref().map_or(0, |e| e.client_width());
                    if w > 0 && *width != Some(f64::from(w)) {
                        width.set(Some(f64::from(w)));
                    }
                }
            };
            measure();
            let callback = Closure::<dyn Fn()>::new(measure);
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }
    width.unwrap_or(DEFAULT_WIDTH)
}

/// The labels drawn in the gutter (`None`: `props.labels` whole, titles and lane names keep them
/// so) and the gutter's width: room for the longest label, or where one is longer than
/// `label_chars` ([`gutter_chars`]) hold, every label shortened to fit (`lane_labels`: a code
/// run's calls keep the argument that tells them apart). Made once per set of labels and plot
/// width, so the predicted and measured panels of a run (same labels and width) share one axis.
#[hook]
fn use_gutter(props: &Props, width: f64) -> (Option<Rc<Vec<String>>>, f64) {
    let chars = props.label_chars.unwrap_or_else(|| gutter_chars(width));
    let drawn = use_memo((props.labels.clone(), chars), |(labels, chars)| {
        let longest = |l: &[String]| l.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let short = (longest(labels) > *chars).then(|| Rc::new(lane_labels(labels, *chars)));
        let n = longest(short.as_deref().unwrap_or(labels));
        (short, n)
    });
    (drawn.0.clone(), gutter(drawn.1))
}

/// The lane under the pointer or with keyboard focus (its details are written out below the plot),
/// the lane focused last (Tab's stop, `Lanes::tab_lane`), and the plot's pointer handlers.
#[hook]
fn use_focused_lane(
    plot: &NodeRef,
    g: Geometry,
    lanes: u32,
) -> (Option<usize>, usize, Callback<usize>, Callback<MouseEvent>, Callback<MouseEvent>) {
    let focused = use_state(|| None::<usize>);
    let tab_lane = use_state(|| 0usize);
    let onmousemove = {
        let (focused, plot) = (focused.clone(), plot.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(el) = plot.cast::<web_sys::Element>() else { return };
            let rect = el.get_bounding_client_rect();
            if rect.height() > 0.0 {
                let y = (f64::from(e.client_y()) - rect.top()) * g.height / rect.height();
                let lane = g.lane_at(y, lanes);
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
    let on_focus = {
        let (focused, tab) = (focused.clone(), tab_lane.setter());
        Callback::from(move |i: usize| {
            focused.set(Some(i));
            tab.set(i);
        })
    };
    (*focused, *tab_lane, on_focus, onmousemove, onmouseleave)
}

#[component]
pub fn TimelineView(props: &Props) -> Html {
    let tl = &props.timeline;
    let plot = use_node_ref();
    let width = use_plot_width(&plot);
    let (short, gutter) = use_gutter(props, width);
    let (g, axis_ticks) = Geometry::new(tl.lanes, props.scale_ms, props.window, width, gutter);
    let on_canvas = on_canvas(props);
    let canvas = use_node_ref();
    use_canvas_paint(&canvas, &props.timeline, g, on_canvas, props.cut);
    let (focused, tab_lane, on_focus, onmousemove, onmouseleave) = use_focused_lane(&plot, g, tl.lanes);
    let (cursor, canvas_keys, canvas_focus) = use_canvas_cursor(props, &plot, g, on_focus.clone());
    // A canvas run's bars are reached through the plot itself (no lanes in the DOM), the measured
    // run's too (it had no Tab stop: only a mouse could read its lanes).
    let keyboard_canvas = on_canvas;
    let keys_label = match props.on_pick {
        Some(_) => "The bars: ↑ ↓ (Page Up, Page Down) change lanes, ← → move along one, Enter opens “what if”",
        None => "The bars: ↑ ↓ (Page Up, Page Down) change lanes, ← → move along one",
    };
    let curve = strip::use_strip_curve(&props.timeline, g, props.limit);
    let lanes = Lanes {
        tl,
        g,
        labels: &props.labels,
        gutter: short.as_deref().map(Vec::as_slice),
        cut: props.cut,
        ghost: props.ghost.as_deref().filter(|_| !on_canvas),
        // Label every lane when there is room, otherwise every k-th one.
        label_every: label_every(g.lane_h),
        on_focus,
        tab_lane,
        what_if: props.what_if.as_deref(),
        pickable: props.on_pick.is_some(),
    };
    let (onclick, lane_keys) = pick_handlers(props, &plot, g);
    let onkeydown = if keyboard_canvas { canvas_keys } else { lane_keys };
    let aria = format!(
        "{} timeline: {} over {}, at most {} in flight at once",
        props.title,
        tasks_text(tl.lanes),
        format_ms(tl.end),
        tl.peak()
    );
    let detail = focused.and_then(|i| lanes::lane_detail(tl, &props.labels, i, props.cut, props.ghost.as_deref()));
    html! {
        <figure class={classes!("timeline", props.kind.to_string())} data-lanes={tl.lanes.to_string()}
                data-clock={props.virtual_clock.then_some("virtual")}
                data-render={if on_canvas { "canvas" } else { "svg" }}>
            <figcaption>{ props.title.clone() }</figcaption>
            <p class="lane-hint">{ "Point at a lane, or tab to it, to read its spans." }</p>
            <div class="plot" ref={plot} {onmousemove} {onmouseleave} {onclick} {onkeydown}
                 onfocus={keyboard_canvas.then_some(canvas_focus)} tabindex={keyboard_canvas.then_some("0")}
                 role={keyboard_canvas.then_some("group")}
                 aria-label={keyboard_canvas.then_some(keys_label)}>
            if on_canvas {
                <canvas ref={canvas} class="bars" aria-hidden="true"></canvas>
            }
            <svg viewBox={format!("0 0 {:.0} {:.2}", g.width, g.height)} role="img" aria-label={aria.clone()} preserveAspectRatio="xMinYMin meet">
                <title>{ aria }</title>
                { axis::ticks(&g, axis_ticks) }
                <g class="lanes">{ if on_canvas { lanes.labels_only() } else { lanes.svg() } }</g>
                { strip::strip(tl, &g, &curve, props.limit, props.cut, &props.kind) }
                if keyboard_canvas { { cursor_outline(props, &g, cursor) } }
                if let Some(t) = props.playhead.filter(|t| g.shows(*t, *t)) {
                    <line class="playhead" x1={px(g.x(t))} x2={px(g.x(t))}
                          y1="0" y2={px(g.height)} />
                }
            </svg>
            </div>
            if let Some(b) = props.busy.as_ref() { { busy::strip(b, &g) } }
            <p class="lane-detail" aria-live="polite">{ detail.unwrap_or_default() }</p>
        </figure>
    }
}
