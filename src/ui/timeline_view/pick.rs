//! Picking a bar of the predicted timeline for the what-if menu, by pointer or keyboard.
//!
//! A click is hit-tested against the layout with the geometry the bars are drawn with
//! (`Geometry::bar_under`), so it works the same whether the bars are SVG rects or pixels on a
//! canvas. From the keyboard, a timeline is one tab stop (its last focused lane, see
//! `Lanes::tab_lane`); ←/→ (Home/End) walk the lane's bars (`key_stops`), ↑/↓ (Page Up/Down: a
//! tenth of the lanes) move to another lane, and Enter or Space on a bar (or on a lane: its first
//! bar) opens the menu. A canvas run has the same keys on a cursor (`Cursor`).

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::geometry::Geometry;
use crate::core::timeline::{key_stops, Bar, Cut, Timeline};

/// The bar the menu is for, where to show the menu, and what to give focus back to.
#[derive(Clone, PartialEq)]
pub struct Pick {
    pub task: u32,
    pub attempt: u32,
    /// The bar's middle, whole ms: where "cancel here" cancels the task.
    pub middle: u32,
    pub fails: bool,
    /// Where the menu opens, client px.
    pub x: i32,
    pub y: i32,
    /// The element focused when the menu was opened from the keyboard.
    pub return_to: Option<Element>,
    /// A bar of a part the plan does not time (a permit wait, a backoff, a later pipeline stage):
    /// its phase and that of the attempt's planned part, which the menu's changes act on.
    pub unplanned: Option<(&'static str, &'static str)>,
}

impl Pick {
    fn of(tl: &Timeline, bar: &Bar, (x, y): (i32, i32), return_to: Option<Element>) -> Pick {
        let unplanned = (!bar.phase.is_planned_work()).then(|| {
            let part =
                tl.bars.iter().find(|b| b.task == bar.task && b.attempt == bar.attempt && b.phase.is_planned_work());
            (bar.phase.key(), part.map_or("work", |b| b.phase.key()))
        });
        Pick {
            task: bar.task,
            attempt: bar.attempt,
            middle: ((bar.start + bar.end) / 2.0).floor().max(0.0) as u32,
            fails: tl.attempt_failed(bar.task, bar.attempt),
            x,
            y,
            return_to,
            unplanned,
        }
    }
}

/// How far from a bar a click still picks it, CSS px: thin lanes and 1 px bars are hard to hit.
const SLOP_PX: f64 = 3.0;

/// The bar under a click on the plot, hit-tested in the SVG's user units.
pub fn clicked(plot: &Element, e: &MouseEvent, tl: &Timeline, g: Geometry, cut: Option<Cut>) -> Option<Pick> {
    let svg = plot.query_selector("svg").ok()??;
    let rect = svg.get_bounding_client_rect();
    let scale = rect.width() / g.width;
    if scale <= 0.0 {
        return None;
    }
    let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
    let point = ((cx - rect.left()) / scale, (cy - rect.top()) / scale);
    let bar = g.bar_under(tl, cut, point, SLOP_PX / scale)?;
    Some(Pick::of(tl, &bar, (e.client_x(), e.client_y()), None))
}

/// Gives `el` (an SVG or HTML element) keyboard focus.
pub fn focus(el: &Element) {
    if let Ok(f) = js_sys::Reflect::get(el, &"focus".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = f.call0(el);
    }
}

/// The bars of a lane the keyboard stops at (those `Lanes::bar` made focusable), in drawing order.
fn bars_of(lane: &Element) -> Vec<Element> {
    let Ok(list) = lane.query_selector_all("rect.bar[tabindex]") else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// The pick for a focused bar rect, the menu placed under it.
fn pick_of_rect(rect: &Element, tl: &Timeline, cut: Option<Cut>) -> Option<Pick> {
    let num = |name: &str| rect.get_attribute(name)?.parse::<u32>().ok();
    let (task, attempt) = (num("data-task")?, num("data-attempt")?);
    let start: f64 = rect.get_attribute("data-start")?.parse().ok()?;
    // An attempt's permit wait and its work can both start at the same instant: the phase (a
    // class of the rect) tells them apart.
    let phase_of = |b: &&Bar| rect.class_list().contains(b.phase.key());
    let bar = tl.bars.iter().filter(|b| b.task == task && b.attempt == attempt && b.start == start).find(phase_of)?;
    let shown = super::geometry::bar_at(bar, cut)?;
    let r = rect.get_bounding_client_rect();
    Some(Pick::of(tl, &shown, (r.left() as i32, r.bottom() as i32), Some(rect.clone())))
}

/// What a key did on the plot: opened the menu for a bar, or moved focus (`None`: not ours).
pub enum KeyOutcome {
    Open(Pick),
    Moved,
}

/// Handles a key on a focused lane or bar of a timeline (`pickable`: the predicted one).
pub fn key(e: &KeyboardEvent, tl: &Timeline, cut: Option<Cut>, pickable: bool) -> Option<KeyOutcome> {
    let el = e.target()?.dyn_into::<Element>().ok()?;
    let lane = el.closest("g.lane").ok()??;
    let on_bar = el.matches("rect.bar[tabindex]").unwrap_or(false);
    let bars = if pickable { bars_of(&lane) } else { Vec::new() };
    let at = bars.iter().position(|b| *b == el);
    let go = |target: Option<&Element>| {
        target.map(|t| {
            focus(t);
            KeyOutcome::Moved
        })
    };
    match e.key().as_str() {
        "Enter" | " " => {
            let rect = if on_bar { Some(&el) } else { bars.first() }?;
            pick_of_rect(rect, tl, cut).map(KeyOutcome::Open)
        }
        "ArrowRight" => go(at.map_or(bars.first(), |i| bars.get(i + 1))),
        "ArrowLeft" => go(match at {
            Some(0) => Some(&lane),
            Some(i) => bars.get(i - 1),
            None => None,
        }),
        "Home" => go(bars.first()),
        "End" => go(bars.last()),
        key => {
            let at: u32 = lane.get_attribute("data-task")?.parse().ok()?;
            let to = lane_step(key, at, tl.lanes)?;
            go(lane.parent_element()?.query_selector(&format!("g.lane[data-task=\"{to}\"]")).ok()?.as_ref())
        }
    }
}

/// The lane ↑/↓ (Page Up/Down: a tenth of the lanes) move to from `lane`, on SVG lanes as on a
/// canvas's cursor (`None`: not a lane key).
fn lane_step(key: &str, lane: u32, lanes: u32) -> Option<u32> {
    let page = (lanes / 10).max(1);
    Some(
        match key {
            "ArrowDown" => lane.saturating_add(1),
            "ArrowUp" => lane.saturating_sub(1),
            "PageDown" => lane.saturating_add(page),
            "PageUp" => lane.saturating_sub(page),
            _ => return None,
        }
        .min(lanes.saturating_sub(1)),
    )
}

/// The keyboard's place on a canvas run (no lanes in the DOM to focus): a lane and a time. The
/// plot itself takes focus; ↑/↓ (PageUp/PageDown: a tenth of the lanes) change lanes at the same
/// time, ←/→ (Home/End) move between the lane's bars, Enter or Space opens the menu.
pub type Cursor = (u32, f64);

/// The bars of `lane` shown at `cut` that the keyboard stops at (`key_stops`), in order of start
/// (the layout's order: a bar per begin event, and events come in time order).
fn lane_bars(tl: &Timeline, cut: Option<Cut>, lane: u32) -> Vec<Bar> {
    let shown: Vec<Bar> =
        tl.bars.iter().filter(|b| b.task == lane).filter_map(|b| super::geometry::bar_at(b, cut)).collect();
    key_stops(&shown).cloned().collect()
}

/// The bar under the cursor: of its lane's bars, the one spanning its time, else the nearest.
pub fn cursor_bar(tl: &Timeline, cut: Option<Cut>, (lane, t): Cursor) -> Option<Bar> {
    let distance = |b: &Bar| (b.start - t).max(t - b.end).max(0.0);
    lane_bars(tl, cut, lane).into_iter().min_by(|a, b| distance(a).total_cmp(&distance(b)))
}

/// Where `key` moves the cursor (`None`: not a moving key).
pub fn move_cursor(key: &str, tl: &Timeline, cut: Option<Cut>, (lane, t): Cursor) -> Option<Cursor> {
    let middle = |b: &Bar| (b.start + b.end) / 2.0;
    let bars = || lane_bars(tl, cut, lane);
    let at = || {
        let current = cursor_bar(tl, cut, (lane, t));
        bars().iter().position(|b| Some(b) == current.as_ref())
    };
    if let Some(to) = lane_step(key, lane, tl.lanes) {
        return Some((to, t));
    }
    Some(match key {
        "ArrowRight" => (lane, at().and_then(|i| bars().get(i + 1).map(middle)).unwrap_or(t)),
        "ArrowLeft" => (lane, at().and_then(|i| bars().get(i.checked_sub(1)?).map(middle)).unwrap_or(t)),
        "Home" => (lane, bars().first().map_or(t, middle)),
        "End" => (lane, bars().last().map_or(t, middle)),
        _ => return None,
    })
}

/// The pick for the cursor's bar, the menu placed under it; focus goes back to the plot.
pub fn cursor_pick(plot: &Element, tl: &Timeline, g: Geometry, cut: Option<Cut>, cursor: Cursor) -> Option<Pick> {
    let bar = cursor_bar(tl, cut, cursor)?;
    let rect = plot.query_selector("svg").ok()??.get_bounding_client_rect();
    let scale = rect.width() / g.width;
    let (x, y, _, h) = g.bar_box(bar.task, bar.start, bar.end);
    let at = ((rect.left() + x * scale) as i32, (rect.top() + (y + h) * scale) as i32 + 4);
    Some(Pick::of(tl, &bar, at, Some(plot.clone())))
}
