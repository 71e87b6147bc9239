//! Big runs' bars, painted on a canvas under the SVG (past `SVG_MAX_BARS`): thousands of SVG
//! nodes re-rendered per frame would block the very event loop being measured.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::geometry::{at, Geometry};
use crate::core::palette;
use crate::core::timeline::{planned_rest, Cut, Timeline};

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

/// A bar on the canvas: its lane and the time it spans from and to.
type Span = (u32, f64, f64);

/// The bars shown at `cut`, grouped by palette colour in one pass, so the fill style changes a
/// handful of times, not per bar.
fn colour_groups(tl: &Timeline, g: Geometry, cut: Option<Cut>) -> Vec<(&'static str, Vec<Span>)> {
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
        add(palette::bar_colour_name(bar.phase, close), bar.start, end);
        if let Some(rest) = planned_rest(bar, close).filter(|rest| g.shows(end, *rest)) {
            add("unrun", end, rest);
        }
    }
    groups
}

/// Bars of one colour on lanes thinner than a device pixel: many lanes share each pixel row, so
/// each row's bars are drawn as merged spans (10,000 lanes in 440 px is ~440 rects, not 10,000).
fn fill_merged_rows(ctx: &CanvasRenderingContext2d, bars: Vec<Span>, g: Geometry, dpr: f64) {
    let mut spans: Vec<(i64, f64, f64)> = bars
        .into_iter()
        .map(|(task, from, to)| ((g.lane_y(task as usize) * dpr).floor() as i64, g.x(from), g.x(to)))
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

/// Paints every bar on `canvas`, sized to the SVG's user units at the screen's pixel ratio.
pub fn paint(canvas: &HtmlCanvasElement, tl: &Timeline, g: Geometry, cut: Option<Cut>) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    // Resizing reallocates the backing store: only when the size changes (clear_rect clears).
    let (px_w, px_h) = ((g.width * dpr) as u32, (g.height * dpr) as u32);
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
    ctx.clear_rect(0.0, 0.0, g.width, g.height);
    let thin = g.lane_h * dpr < 1.0;
    for (name, bars) in colour_groups(tl, g, cut) {
        ctx.set_fill_style_str(palette::colour(name, dark));
        if thin {
            fill_merged_rows(&ctx, bars, g, dpr);
            continue;
        }
        for (task, from, to) in bars {
            let (x, y, w, h) = g.bar_box(task, from, to);
            ctx.fill_rect(x, y, w, h);
        }
    }
}
