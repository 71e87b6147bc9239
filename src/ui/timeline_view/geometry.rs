//! Where things go in a timeline panel, in SVG user units (the canvas uses the same units), and
//! how a bar or a queued result looks at a replay's cut.

use crate::core::event::Kind;
use crate::core::timeline::{ticks, ticks_between, Bar, Cut, Queued};

pub const WIDTH: f64 = 960.0;
pub const GUTTER: f64 = 120.0;
pub const RIGHT: f64 = 30.0;
pub const AXIS: f64 = 26.0;
pub const STRIP: f64 = 46.0;
/// The lanes' area grows with the task count up to this height, then lanes get thinner: small
/// enough that both timelines and the replay bar fit one screen beside the code.
const MAX_LANES_HEIGHT: f64 = 140.0;
const LANE_MAX: f64 = 24.0;
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
}

impl Geometry {
    /// The geometry of `lanes` lanes over `window` (or, unzoomed, from 0 to the first round tick
    /// at or after `scale_ms`), with the axis's ticks.
    pub fn new(lanes: u32, scale_ms: f64, window: Option<(f64, f64)>) -> (Geometry, Vec<f64>) {
        let lanes = f64::from(lanes.max(1));
        let lane_h = (MAX_LANES_HEIGHT / lanes).min(LANE_MAX);
        let lanes_h = lane_h * lanes;
        let height = TOP + lanes_h + AXIS + STRIP + 8.0;
        match window {
            Some((from, to)) if to > from => {
                (Geometry { lane_h, lanes_h, height, from, to }, ticks_between(from, to, 8))
            }
            _ => {
                let t = ticks(scale_ms, 8);
                let to = t.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
                (Geometry { lane_h, lanes_h, height, from: 0.0, to }, t)
            }
        }
    }

    pub fn x(&self, t: f64) -> f64 {
        GUTTER + ((t - self.from) / (self.to - self.from)).clamp(0.0, 1.0) * (WIDTH - GUTTER - RIGHT)
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

/// Where the planned rest of a bar cut short ends, if it shows while the bar is closed by `close`
/// (a cancelled or timed-out work span whose workload planned it longer).
pub fn planned_rest(bar: &Bar, close: Option<Kind>) -> Option<f64> {
    bar.planned_end.filter(|_| matches!(close, Some(Kind::Cancel | Kind::Timeout)))
}
