//! Where things go in a timeline panel, in SVG user units (the canvas uses the same units), and
//! how a bar or a queued result looks at a replay's cut.
//!
//! A user unit is a CSS pixel: the SVG's width is the plot's own, measured, so its 11 px labels
//! stay 11 px in a narrow embed or on a phone, and lane heights are real pixels.

use crate::core::event::Kind;
use crate::core::timeline::{lanes_height, ticks, ticks_between, Bar, Cut, Queued, Timeline};

/// A coordinate or length as the SVG's attributes write it: two decimals.
pub fn px(v: f64) -> String {
    format!("{v:.2}")
}

/// The width drawn at before the plot has been measured.
pub const DEFAULT_WIDTH: f64 = 760.0;
/// The narrowest drawn at: a narrower plot scales this down (the bars need some room).
const MIN_WIDTH: f64 = 300.0;
pub const RIGHT: f64 = 24.0;
pub const AXIS: f64 = 20.0;
pub const STRIP: f64 = 30.0;
/// At most this many ticks (grid lines); where their labels would not fit, only some are labelled
/// (`core::timeline::tick_labels`): a narrow plot keeps the fine grid, and its axis ends near the
/// run's end, not at a coarse round tick.
const MAX_TICKS: usize = 8;
/// Room above the first lane so its label is not clipped.
pub const TOP: f64 = 6.0;

/// The plot area of one panel.
#[derive(Clone, Copy, PartialEq)]
pub struct Geometry {
    pub lane_h: f64,
    /// The lanes' area's height.
    pub lanes_h: f64,
    pub height: f64,
    /// The window shown, ms.
    pub from: f64,
    pub to: f64,
    /// The plot's width, px.
    pub width: f64,
    /// The lane labels' room left of the time axis, px (`core::timeline::gutter`).
    pub gutter: f64,
}

impl Geometry {
    /// The geometry of `lanes` lanes `width` px wide, `gutter` px of them for their labels, over
    /// `window` (or, unzoomed, from 0 to the first round tick at or after `scale_ms`), with the
    /// axis's ticks.
    pub fn new(lanes: u32, scale_ms: f64, window: Option<(f64, f64)>, width: f64, gutter: f64) -> (Geometry, Vec<f64>) {
        let lanes_h = lanes_height(lanes);
        let lane_h = lanes_h / f64::from(lanes.max(1));
        let height = TOP + lanes_h + AXIS + STRIP + 4.0;
        let width = width.max(MIN_WIDTH);
        let g = |from, to| Geometry { lane_h, lanes_h, height, from, to, width, gutter };
        match window {
            Some((from, to)) if to > from => (g(from, to), ticks_between(from, to, MAX_TICKS)),
            _ => {
                let t = ticks(scale_ms, MAX_TICKS);
                let to = t.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
                (g(0.0, to), t)
            }
        }
    }

    pub fn x(&self, t: f64) -> f64 {
        self.gutter + ((t - self.from) / (self.to - self.from)).clamp(0.0, 1.0) * (self.right() - self.gutter)
    }

    /// Where the time axis ends, px from the left.
    pub fn right(&self) -> f64 {
        self.width - RIGHT
    }

    /// Whether any of `[start, end]` is inside the window.
    pub fn shows(&self, start: f64, end: f64) -> bool {
        end >= self.from && start <= self.to
    }

    /// The lane under a point `y` in user units.
    pub fn lane_at(&self, y: f64, lanes: u32) -> Option<usize> {
        let lane = ((y - TOP) / self.lane_h).floor();
        (lane >= 0.0 && lane < f64::from(lanes)).then_some(lane as usize)
    }

    /// Where lane `i` starts.
    pub fn lane_y(&self, i: usize) -> f64 {
        TOP + i as f64 * self.lane_h
    }

    /// The room between a lane's edge and its bars (none when lanes are thin).
    pub fn pad(&self) -> f64 {
        if self.lane_h >= 6.0 {
            self.lane_h * 0.15
        } else {
            0.0
        }
    }

    /// A bar's height.
    pub fn bar_h(&self) -> f64 {
        (self.lane_h - 2.0 * self.pad()).max(0.5)
    }

    /// Where a bar of lane `task` from `start` to `end` is drawn: x, y, width and height in user
    /// units. The SVG lanes, the canvas and the hit test all place bars with this.
    pub fn bar_box(&self, task: u32, start: f64, end: f64) -> (f64, f64, f64, f64) {
        let x0 = self.x(start);
        (x0, self.lane_y(task as usize) + self.pad(), (self.x(end) - x0).max(1.0), self.bar_h())
    }

    /// The bar a reader can change (an attempt's, shown at `cut`) under the point `(x, y)` in user
    /// units, with `slop` user units of tolerance: on thin canvas lanes a pixel covers several
    /// lanes and a bar may be 1 px wide, so of the bars drawn within `slop` of the point, the one
    /// nearest to it.
    pub fn bar_under(&self, tl: &Timeline, cut: Option<Cut>, (x, y): (f64, f64), slop: f64) -> Option<Bar> {
        let lanes = |dy: f64| self.lane_at(y + dy, tl.lanes);
        let (first, last) = (lanes(-slop).unwrap_or(0), lanes(slop).unwrap_or(tl.lanes.saturating_sub(1) as usize));
        let distance = |b: &Bar| {
            let (bx, by, bw, bh) = self.bar_box(b.task, b.start, b.end);
            let dx = (bx - x).max(x - (bx + bw)).max(0.0);
            let dy = (by - y).max(y - (by + bh)).max(0.0);
            dx.max(dy)
        };
        tl.bars
            .iter()
            .filter(|b| b.attempt > 0 && (first..=last).contains(&(b.task as usize)))
            .filter_map(|b| bar_at(b, cut))
            .filter(|b| self.shows(b.start, b.end))
            .map(|b| (distance(&b), b))
            .filter(|(d, _)| *d <= slop)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, b)| b)
    }

    /// Where the concurrency strip starts.
    pub fn strip_top(&self) -> f64 {
        TOP + self.lanes_h + AXIS
    }
}

/// How `bar` looks at `cut`: `None` before it began, else its end and how it closed.
pub fn at(bar: &Bar, cut: Option<Cut>) -> Option<(f64, Option<Kind>)> {
    match cut {
        Some(c) => c.bar(bar),
        None => Some((bar.end, bar.close)),
    }
}

/// `bar` as it looks at `cut`, if it has begun.
pub fn bar_at(bar: &Bar, cut: Option<Cut>) -> Option<Bar> {
    at(bar, cut).map(|(end, close)| Bar { end, close, ..bar.clone() })
}

/// How a queued result looks at `cut`: `None` before its work ended, else from and to.
pub fn queued_at(q: &Queued, cut: Option<Cut>) -> Option<(f64, f64)> {
    match cut {
        Some(c) => c.queued(q),
        None => Some((q.from, q.to)),
    }
}
