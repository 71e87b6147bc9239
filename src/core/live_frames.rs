//! When the page may draw a live run: a frame spent rendering while one of the run's timers comes
//! due makes that timer fire late, and the lateness would be measured as the run's. So the page
//! draws only when the next timer is far enough away for a frame of the cost it has learned, or
//! when it has waited long enough; and it keeps its live frames to a share of the main thread.
//!
//! Plain numbers in, answers out: the browser side (`ui::run_hooks`) measures the frames and the
//! timers, this decides.

/// Live updates may take at most this share of the main thread: a render that hogs it delays the
/// very timers being measured (Chromium then runs only a few timer callbacks between frames).
pub const UI_SHARE: f64 = 0.2;

/// A live update waits until the run's next timer is at least this many times a live frame's
/// cost away, plus [`DUE_MARGIN_MS`]: a timer due during the frame would fire late.
pub const DUE_FACTOR: f64 = 1.5;
/// See [`DUE_FACTOR`].
pub const DUE_MARGIN_MS: f64 = 2.0;

/// ...but draws anyway once this long (ms) has passed since the last update: a run whose timers
/// are always about to fire (thousands of sleeps spread over a second) is still drawn.
pub const MAX_DEFER_MS: f64 = 100.0;

/// What a frame costs, learned from the last three measured: their median, the first ones a
/// guess until measured. One slow frame does not set it: the page's first live frame runs code
/// the browser has not optimised yet and lays the timeline out for the first time (50–70 ms on a
/// busy 2-core machine, against 8–20 ms after), and taken alone it kept every frame of the next
/// 100 ms run from being drawn until the run was over.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameCost {
    last: [f64; 3],
    /// Where the next measurement goes in `last`.
    next: usize,
}

impl FrameCost {
    /// A cost of `guess` until frames are measured.
    pub const fn new(guess: f64) -> Self {
        FrameCost { last: [guess; 3], next: 0 }
    }

    /// Learns one frame's measured cost (ms); anything not a finite cost is ignored.
    pub fn measured(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.last[self.next] = ms;
            self.next = (self.next + 1) % self.last.len();
        }
    }

    /// The cost to expect of the next frame: the median of the last three.
    pub fn expected(&self) -> f64 {
        let [a, b, c] = self.last;
        a.max(b).min(a.min(b).max(c))
    }
}

/// Whether the page may draw a live frame of cost `frame_ms` now: the run's next timer is `free_ms`
/// away (infinite when none is armed) and the page last drew `since_ms` ago. Yes when the timer
/// leaves room for the frame, or when the page has waited [`MAX_DEFER_MS`] (and long enough for
/// such frames to take at most [`UI_SHARE`] of the main thread).
pub fn calm(free_ms: f64, since_ms: f64, frame_ms: f64) -> bool {
    free_ms >= DUE_FACTOR * frame_ms + DUE_MARGIN_MS || since_ms >= MAX_DEFER_MS.max(frame_ms / UI_SHARE)
}

/// How far away (ms) the next timer must be for a frame that draws, besides the run, its
/// prediction of `tasks` tasks at `per_task_ms` each.
pub fn room_to_predict(frame_ms: f64, per_task_ms: f64, tasks: u32) -> f64 {
    DUE_MARGIN_MS + DUE_FACTOR * (frame_ms + per_task_ms * f64::from(tasks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slow_frame_does_not_set_the_cost() {
        let mut cost = FrameCost::new(8.0);
        cost.measured(67.9);
        assert_eq!(cost.expected(), 8.0);
        // The next 10,000-task run of 100 ms sleeps is drawn in its first frame, 16 ms in.
        assert!(calm(84.0, 16.0, cost.expected()));
    }

    #[test]
    fn frames_that_stay_slow_do() {
        let mut cost = FrameCost::new(8.0);
        cost.measured(60.0);
        cost.measured(50.0);
        assert_eq!(cost.expected(), 50.0);
        assert!(!calm(70.0, 16.0, cost.expected()));
        cost.measured(12.0);
        cost.measured(10.0);
        assert_eq!(cost.expected(), 12.0, "and it comes down once they are fast again");
    }

    #[test]
    fn nonsense_measurements_are_ignored() {
        let mut cost = FrameCost::new(8.0);
        for ms in [f64::NAN, f64::INFINITY, -3.0] {
            cost.measured(ms);
        }
        assert_eq!(cost, FrameCost::new(8.0));
    }

    #[test]
    fn a_run_always_about_to_fire_is_drawn_after_the_longest_wait() {
        assert!(!calm(1.0, 99.0, 10.0));
        assert!(calm(1.0, 100.0, 10.0));
        // A 40 ms frame is drawn at most every 200 ms: a fifth of the main thread.
        assert!(!calm(1.0, 150.0, 40.0));
        assert!(calm(1.0, 200.0, 40.0));
    }
}
