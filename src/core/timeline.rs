//! Timeline geometry in time units: events become bars on lanes, marks, and a concurrency step
//! curve. Pure and deterministic: the time "now" is passed in, so a live run and a replay at the
//! same instant draw the same picture.

use super::event::{Event, Flight, Kind, Phase, Text};
use super::spans::{spans, Step};
use super::workload::Workload;

/// A span on a task's lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub task: u32,
    pub attempt: u32,
    pub phase: Phase,
    pub start: f64,
    pub end: f64,
    /// How the span closed; `None` while it is still open.
    pub close: Option<Kind>,
    pub detail: Text,
    /// Index (in the events laid out) of the event that opened the span…
    pub opened: usize,
    /// …and of the one that closed it.
    pub closed: Option<usize>,
    /// For work cut short (cancelled or timed out): when it was planned to end. See
    /// [`Timeline::with_plan`].
    pub planned_end: Option<f64>,
    /// It began inside another of its task's active spans (a code task's sleep in its
    /// `__aenter__`, inside the `acquire`): see [`Bar::band`].
    pub nested: bool,
}

impl Bar {
    /// Where in a lane's bar, `top` and `h` high, this bar is drawn: a nested one in the middle
    /// half, so the span around it, as long as it, shows above and below (it was hidden under it).
    pub fn band(&self, top: f64, h: f64) -> (f64, f64) {
        if self.nested {
            (top + h / 4.0, h / 2.0)
        } else {
            (top, h)
        }
    }
}

/// A task-level instant: done, failed, fell back to a default.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub task: u32,
    pub t: f64,
    pub kind: Kind,
    pub detail: Text,
    /// Index of its event.
    pub seq: usize,
    /// A task that failed with its own error (`failed`, not `cancelled…`) where no bar of its lane
    /// shows it: a code task whose failure is no span's `fail` (`main()` raising its TaskGroup's
    /// `ExceptionGroup`). The lane draws it as a × of its own. (A code task that raised as its last
    /// span ended shows it on that bar instead: see [`Timeline::build`].)
    pub raised: bool,
}

/// A finished task's result waiting for its consumer: from the end of the task's `work` to the
/// start of its `process` span (as_completed processes one result at a time).
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub task: u32,
    pub from: f64,
    pub to: f64,
    /// Indexes of the events that end the work and begin the processing.
    pub from_seq: usize,
    pub to_seq: usize,
}

/// Waits shorter than this are the event loop passing the result on, not a queue.
pub const QUEUED_MIN_MS: f64 = 1.0;

/// What [`Timeline::build`] remembers of each task as it walks the events.
#[derive(Clone, Copy, Default)]
struct TaskTrail {
    /// When its work last ended well, and the event that ended it (a queue wait may follow).
    worked: Option<(f64, usize)>,
    /// Its latest bar.
    last_bar: Option<usize>,
    /// A bar of it closed with `fail`.
    failed: bool,
    flight: Flight,
}

impl TaskTrail {
    /// Task `task`'s trail, the list grown to it.
    fn of(trails: &mut Vec<TaskTrail>, task: u32) -> &mut TaskTrail {
        let i = task as usize;
        if i >= trails.len() {
            trails.resize(i + 1, TaskTrail::default());
        }
        &mut trails[i]
    }
}

/// Bars, marks and the concurrency curve of a run, up to some instant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    pub lanes: u32,
    pub bars: Vec<Bar>,
    pub marks: Vec<Mark>,
    /// Results that waited to be processed.
    pub queued: Vec<Queued>,
    /// `(t, tasks in flight from t on)`, one step per change.
    pub concurrency: Vec<(f64, u32)>,
    /// The latest instant drawn.
    pub end: f64,
}

impl Timeline {
    /// Whether `task`'s attempt `attempt` failed (a bar of its work closed with `fail`): the
    /// what-if menu offers the other outcome from any bar of the attempt, its permit wait and the
    /// backoff after it too (whose own bars end normally: a backoff offered "fail" for an attempt
    /// that had failed, a change that changed nothing).
    pub fn attempt_failed(&self, task: u32, attempt: u32) -> bool {
        self.bars.iter().any(|b| b.task == task && b.attempt == attempt && b.close == Some(Kind::Fail))
    }

    /// Lays out the events up to and including time `now`; spans still open at `now` end there.
    pub fn build(lanes: u32, events: &[Event], now: f64) -> Timeline {
        let mut t = Timeline { lanes, end: 0.0, ..Timeline::default() };
        // Grown as tasks appear: `lanes` comes from the run and is not trusted with an allocation.
        let mut trails: Vec<TaskTrail> = Vec::with_capacity((lanes as usize).min(events.len()));
        let mut in_flight = 0u32;
        let until = events.iter().take_while(|e| e.t <= now).count();
        let mut walk = spans(&events[..until]);
        // Every begin gets a bar, in order, so a span's number is its bar's index.
        for step in walk.by_ref() {
            let e = step.event();
            t.end = t.end.max(e.t);
            match step {
                Step::Begin { seq, .. } => {
                    let trail = TaskTrail::of(&mut trails, e.task);
                    if e.phase == Phase::Process {
                        if let Some((from, from_seq)) =
                            trail.worked.take().filter(|(from, _)| e.t - from >= QUEUED_MIN_MS)
                        {
                            t.queued.push(Queued { task: e.task, from, to: e.t, from_seq, to_seq: seq });
                        }
                    }
                    trail.last_bar = Some(t.bars.len());
                    t.bars.push(Bar {
                        task: e.task,
                        attempt: e.attempt,
                        phase: e.phase,
                        start: e.t,
                        end: now,
                        close: None,
                        detail: Text::default(),
                        opened: seq,
                        closed: None,
                        planned_end: None,
                        nested: trail.flight.flying(),
                    });
                    if trail.flight.begin(e.phase) {
                        in_flight += 1;
                        t.step(e.t, in_flight);
                    }
                }
                Step::Close { seq, begin: Some(begin), .. } => {
                    let bar = &mut t.bars[begin.span];
                    (bar.end, bar.close, bar.detail, bar.closed) = (e.t, Some(e.kind), e.detail.clone(), Some(seq));
                    let trail = TaskTrail::of(&mut trails, e.task);
                    if e.kind == Kind::Fail {
                        trail.last_bar.get_or_insert(begin.span);
                        trail.failed = true;
                    }
                    if e.phase == Phase::Work && e.kind == Kind::End {
                        trail.worked = Some((e.t, seq));
                    }
                    if trail.flight.close(e.phase) {
                        in_flight -= 1;
                        t.step(e.t, in_flight);
                    }
                }
                Step::Close { begin: None, .. } => {}
                Step::Mark { seq, .. } => {
                    let raised = e.kind == Kind::Failed && !e.detail.starts_with("cancelled") && {
                        // A pattern's failed attempt closes its span with `fail`; a code task's
                        // spans are its awaits, which end well before it raises. When its last
                        // one ended at this very instant, that bar closes with the failure, as a
                        // pattern's does (and the replay shows it with the `failed` event).
                        let trail = trails.get(e.task as usize).copied().unwrap_or_default();
                        match trail.last_bar.map(|i| (&mut t.bars[i], trail.failed)) {
                            // A pattern's task whose attempt failed (and whose resource was then
                            // released): its failed span shows it.
                            Some((_, true)) => false,
                            Some((bar, _)) if bar.close == Some(Kind::End) && bar.end == e.t => {
                                (bar.close, bar.detail, bar.closed) = (Some(Kind::Fail), e.detail.clone(), Some(seq));
                                false
                            }
                            Some((bar, _)) => !matches!(bar.close, Some(Kind::Fail | Kind::Cancel | Kind::Timeout)),
                            None => true,
                        }
                    };
                    t.marks.push(Mark { task: e.task, t: e.t, kind: e.kind, detail: e.detail.clone(), seq, raised });
                }
            }
        }
        let open: Vec<usize> = walk.still_open().map(|(_, o)| o.span).collect();
        if !open.is_empty() {
            // `now = ∞` lays out a whole run: a span it left open ends with its last event, so
            // no bar and no axis ever reaches ∞.
            let stop = if now.is_finite() { now } else { t.end };
            for i in open {
                t.bars[i].end = stop;
            }
            t.end = t.end.max(stop);
        }
        t
    }

    /// Notes when each work span cut short (cancelled or timed out) was planned to end, from the
    /// workload that made the run: the work a cancellation spared, or a deadline cut off.
    pub fn with_plan(mut self, workload: &Workload) -> Timeline {
        for bar in &mut self.bars {
            let cut_short = matches!(bar.close, Some(Kind::Cancel | Kind::Timeout));
            if cut_short && bar.phase.is_planned_work() && bar.task < workload.len() {
                let end = bar.start + f64::from(workload.attempt(bar.task, bar.attempt).duration_ms);
                bar.planned_end = (end > bar.end).then_some(end);
            }
        }
        self
    }

    /// Tasks in flight change to `n` at `t`. Changes at one instant fold into one step, except a
    /// high point there: 0 ms tasks begin and end at one instant, all in flight at once (asyncio
    /// starts every one before any ends), and folding them away drew a flat curve labelled
    /// "peak 0" beside the summary's peak of 10. That instant keeps two steps, the high point
    /// and where it settles.
    fn step(&mut self, t: f64, n: u32) {
        let before = self.concurrency.len().checked_sub(2).map_or(0, |i| self.concurrency[i].1);
        match self.concurrency.last_mut() {
            Some(last) if last.0 == t && (n >= last.1 || last.1 <= before) => last.1 = n,
            _ => self.concurrency.push((t, n)),
        }
    }

    /// The latest instant the timeline draws anything at, the planned ends of work cut short
    /// included: where an axis that shows all of it must reach.
    pub fn extent(&self) -> f64 {
        self.bars.iter().filter_map(|b| b.planned_end).fold(self.end, f64::max)
    }

    /// Highest point of the concurrency curve.
    pub fn peak(&self) -> u32 {
        self.concurrency.iter().map(|c| c.1).max().unwrap_or(0)
    }

    /// Where the strip's permit-limit label, drawn over its line, goes (for the page's strip and
    /// the SVG export alike), `left` and `right` being the spans of time it would cover at either
    /// end of the plot: at the end where the curve under it stays at or below `limit` and does not
    /// change, the left first. A semaphore's curve runs along the line from the left end and
    /// steps down from it at the right one, where the label sat over the steps (on a phone they
    /// filled its width). When neither end is clear (in a measured run a permit changes hands a
    /// moment apart, so the curve dips anywhere), at the first clear span just after one of the
    /// curve's changes between them, and failing that at the end the curve changes least under.
    pub fn limit_label_place(&self, limit: u32, left: (f64, f64), right: (f64, f64)) -> LabelPlace {
        const CLEAR: (bool, usize) = (false, 0);
        let (under_left, under_right) =
            (self.under_label(limit, left.0, left.1), self.under_label(limit, right.0, right.1));
        if under_left == CLEAR {
            return LabelPlace::Left;
        }
        if under_right == CLEAR {
            return LabelPlace::Right;
        }
        // Past a change by an eighth of the label, about the 4 px the left end leaves.
        let (width, gap) = (left.1 - left.0, (left.1 - left.0) / 8.0);
        let steps = &self.concurrency;
        let first = steps.partition_point(|c| c.0 < left.0);
        // Nothing changes in (at, at + reach], the gap included: a change inside the gap drew a
        // step a pixel before the label's first letter (a measured run's tasks starting 0.3 and
        // 3.8 ms in). And the level from `at` on is at most the limit.
        let reach = gap + width;
        let clear_after = steps[first..].iter().map(|c| c.0).take_while(|&at| at + reach <= right.0).find(|&at| {
            let next = steps.partition_point(|c| c.0 <= at);
            let level = steps[..next].last().map_or(0, |c| c.1);
            steps.get(next).is_none_or(|c| c.0 > at + reach) && level <= limit
        });
        match clear_after {
            Some(at) => LabelPlace::At(at + gap),
            None if under_left <= under_right => LabelPlace::Left,
            None => LabelPlace::Right,
        }
    }

    /// Over `[from, to]`: whether more than `limit` tasks are in flight at some instant (the curve
    /// above the limit's line, through a label over it), and how often the count changes.
    fn under_label(&self, limit: u32, from: f64, to: f64) -> (bool, usize) {
        let steps = &self.concurrency;
        let (i, j) = (steps.partition_point(|c| c.0 <= from), steps.partition_point(|c| c.0 <= to));
        let mut level = if i > 0 { steps[i - 1].1 } else { 0 };
        let (mut over, mut changes) = (level > limit, 0);
        for &(_, n) in &steps[i..j.max(i)] {
            over |= n > limit;
            changes += usize::from(n != level);
            level = n;
        }
        (over, changes)
    }

    /// The concurrency strip's vertical scale, the count at its top (the page's strip and the SVG
    /// export alike): the peak, with headroom above a permit limit so the limit's line is not
    /// hidden under a curve that reaches it.
    pub fn strip_scale(&self, limit: Option<u32>) -> f64 {
        match limit {
            Some(limit) => f64::from(self.peak().max(limit)) * 1.25,
            None => f64::from(self.peak().max(1)),
        }
    }
}

/// Where the strip's "limit N" label goes ([`Timeline::limit_label_place`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LabelPlace {
    /// At the left end of the plot, its text starting there.
    Left,
    /// At the right end, its text ending there.
    Right,
    /// Its text starting at this instant, between the two.
    At(f64),
}

/// The shape drawn at the end of a span that failed (×), was cancelled (/) or timed out (|), so
/// those states do not read by colour alone, as an SVG path: `x` is where the span ends, `size`
/// its height. The page's lanes and legend and the exported SVG draw the same marks.
pub fn end_mark_path(close: Option<Kind>, x: f64, y_mid: f64, size: f64) -> Option<String> {
    let r = size * 0.32;
    let cx = x - r - 1.5;
    Some(match close {
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
        _ => return None,
    })
}

/// Of `bars` (one lane's, as shown), those a reader meets: the ones with a length. A 0 ms bar (a
/// permit granted at once) is drawn as nothing and would read "wait 0 ms to 0 ms", so it is passed
/// over, unless the lane has nothing else.
pub fn read_bars<'a, I>(bars: I) -> impl Iterator<Item = &'a Bar>
where
    I: Iterator<Item = &'a Bar> + Clone,
{
    let long = |b: &Bar| b.end > b.start;
    let any_long = bars.clone().any(long);
    bars.filter(move |b| long(b) || !any_long)
}

/// The bars of one lane (as shown) that the keyboard stops at, in order: an attempt's bars (what
/// the what-if menu is for) that a reader meets ([`read_bars`]; a 0 ms bar's menu would offer to
/// cancel the task at its very start).
pub fn key_stops(lane: &[Bar]) -> impl Iterator<Item = &Bar> {
    read_bars(lane.iter().filter(|b| b.attempt > 0))
}

/// A replay's view of a timeline laid out from all of a run's events: the first `cursor` events
/// have happened and the playhead is at `position` ms. Cutting a finished layout costs nothing per
/// frame, where laying the events out again would cost a pass over all of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub cursor: usize,
    pub position: f64,
}

impl Cut {
    /// The cut at time `t` of a run whose events are `events`: every event up to `t` has happened.
    pub fn at_time(events: &[super::event::Event], t: f64) -> Cut {
        Cut { cursor: events.partition_point(|e| e.t <= t), position: t }
    }

    /// How `bar` looks at this cut: `None` if it has not begun, else its end and how it closed
    /// (`None`: still open, drawn up to the playhead).
    pub fn bar(&self, bar: &Bar) -> Option<(f64, Option<Kind>)> {
        if bar.opened >= self.cursor {
            return None;
        }
        match bar.closed {
            Some(c) if c < self.cursor => Some((bar.end, bar.close)),
            _ => Some((self.position.max(bar.start), None)),
        }
    }

    /// How a queued result looks at this cut: `None` before its work ended, else from and to
    /// (up to the playhead while it still waits).
    pub fn queued(&self, q: &Queued) -> Option<(f64, f64)> {
        if q.from_seq >= self.cursor {
            return None;
        }
        Some((q.from, if q.to_seq < self.cursor { q.to } else { self.position.clamp(q.from, q.to) }))
    }

    /// Whether `mark` has happened at this cut.
    pub fn shows(&self, mark: &Mark) -> bool {
        mark.seq < self.cursor
    }
}

/// Round tick positions from 0 to at least `span` ms, at most about `max_ticks` of them. A span
/// with no round step that a float can hold (zero, subnormal, near `f64::MAX`, not finite) gets
/// just its ends.
pub fn ticks(span: f64, max_ticks: usize) -> Vec<f64> {
    if !(span.is_finite() && span > 0.0) || max_ticks == 0 {
        return vec![0.0];
    }
    match round_step(span, max_ticks) {
        Some(step) => {
            let n = (span / step).ceil() as usize;
            (0..=n).map(|i| i as f64 * step).collect()
        }
        None => vec![0.0, span],
    }
}

/// The round step (1, 2 or 5 × 10ⁿ) that cuts `span` into at most `max_ticks` parts, if one is a
/// normal float and really does (`None` when the span is too small or too large for one).
fn round_step(span: f64, max_ticks: usize) -> Option<f64> {
    let raw = span / max_ticks as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let parts = span / step;
    let last_tick = parts.ceil() * step;
    (step.is_normal() && last_tick.is_finite() && parts <= 2.0 * max_ticks as f64).then_some(step)
}

/// Whether the i-th of an axis's `ticks` (multiples of one round step, as [`ticks`] and
/// [`ticks_between`] give them) is labelled on an axis `width` px long: the ticks at multiples of
/// the smallest label step (every k-th tick, k = 1, 2, 4, 5, 10 or 20) that leaves room for the
/// labels ([`label_room`] each). So 0 is labelled whenever it shows and the labels are evenly
/// spaced; the grid keeps every tick.
pub fn tick_labels(ticks: &[f64], width: f64) -> impl Fn(usize) -> bool {
    let widest = tick_texts(ticks).iter().map(String::len).max().unwrap_or(0);
    let room = ((width / label_room(widest)) as usize + 1).max(2);
    // The first tick's index from 0 (the others follow it one step apart).
    let first = match ticks {
        [a, b, ..] => (a / (b - a) + 0.5) as usize,
        _ => 0,
    };
    let count = |k: usize| (first + ticks.len()).div_ceil(k) - first.div_ceil(k);
    // `ticks` and `ticks_between` make at most 17 ticks: past 20, one label at most.
    let k = [1, 2, 4, 5, 10, 20].into_iter().find(|k| count(*k) <= room).unwrap_or(20);
    move |i| (first + i) % k == 0
}

/// The px from one time-axis label to the next when the longest is `chars` characters: about 7 px
/// a character at 11 px, and 37 px between (`400 ms`: 79 px, `2 s`: 58 px).
pub fn label_room(chars: usize) -> f64 {
    7.0 * chars as f64 + 37.0
}

/// Lane heights, px. Lanes are `LANE_MAX` high until the lanes' area reaches `BASE_LANES_HEIGHT`;
/// then they thin to `LANE_ROOMY`, then to `LANE_LABELLED` (the 11 px labels' own size, as close
/// as a label per lane goes) until the area reaches `MAX_LANES_HEIGHT` (14 lanes). Past that only
/// every k-th lane is labelled, so the extra height buys nothing: the area shrinks back to
/// `BASE_LANES_HEIGHT` by `TAPERED_BY` lanes (gradually, so dragging `tasks` does not make it
/// jump). The heights keep both timelines, the replay bar and the code on one screen at 1280×800,
/// the whole replay section (controls, event count, log line) included, up to the tallest, 13 and
/// 14 lanes (795 px; `tests/e2e/lab.test.mjs` checks 12, 13 to 18 and 20), and an 8-task embed
/// under 460 px. At 12 px a lane up to 14 lanes, 14 lanes ended at 823 px once the lesson's line
/// was above the lab.
const LANE_MAX: f64 = 22.0;
const LANE_ROOMY: f64 = 12.0;
const LANE_LABELLED: f64 = 11.0;
const BASE_LANES_HEIGHT: f64 = 100.0;
const MAX_LANES_HEIGHT: f64 = 154.0;
const TAPERED_BY: f64 = 40.0;

/// The height of a timeline's `lanes` lanes together, px (see `LANE_MAX` and the rest): the
/// panels' geometry and the embed snippet's height (`view::embed_height`).
pub fn lanes_height(lanes: u32) -> f64 {
    let lanes = f64::from(lanes.max(1));
    let full = MAX_LANES_HEIGHT / LANE_LABELLED;
    let taper = ((lanes - full) / (TAPERED_BY - full)).clamp(0.0, 1.0);
    let most = MAX_LANES_HEIGHT - taper * (MAX_LANES_HEIGHT - BASE_LANES_HEIGHT);
    let labelled = (lanes * LANE_ROOMY).min(most);
    (lanes * LANE_MAX).min(labelled.max(BASE_LANES_HEIGHT))
}

/// Every how many lanes `lane_h` px high one is labelled: each one while their 11 px labels fit
/// one above the other.
pub fn label_every(lane_h: f64) -> usize {
    ((LANE_LABELLED - 1e-9) / lane_h).ceil().max(1.0) as usize
}

/// About how wide a character of an 11 px lane label is, px (most letters are 5.2–6.2, digits 7).
const LABEL_CHAR_PX: f64 = 6.5;
/// The lane labels' gutter is at least this wide, px: 13 characters, the whole of any pattern's
/// labels (`task 9999`, `brew coffee`).
pub const GUTTER_MIN: f64 = 96.0;
/// The longest lane label drawn whole, in characters, however wide the plot.
pub const GUTTER_MAX_CHARS: usize = 28;

/// The most characters of a lane label the gutter of a plot `width` px wide draws: a third of
/// the plot at most (17 on a phone, 28 at 1280 px), never fewer than [`GUTTER_MIN`] holds.
pub fn gutter_chars(width: f64) -> usize {
    (((width / 3.0 - 8.0) / LABEL_CHAR_PX) as usize).clamp(13, GUTTER_MAX_CHARS)
}

/// The gutter's width, px, for lane labels of at most `chars` characters (8 px from the bars).
pub fn gutter(chars: usize) -> f64 {
    (8.0 + chars as f64 * LABEL_CHAR_PX).ceil().max(GUTTER_MIN)
}

/// Round tick positions inside the window `[from, to]` ms, at most about `max_ticks` of them.
pub fn ticks_between(from: f64, to: f64, max_ticks: usize) -> Vec<f64> {
    if !(from.is_finite() && to.is_finite()) || to <= from {
        return vec![if from.is_finite() { from.max(0.0) } else { 0.0 }];
    }
    let Some(step) = round_step(to - from, max_ticks.max(1)) else { return vec![from, to] };
    let (first, last) = ((from / step).ceil(), (to / step).floor());
    // Far from 0 a window may be narrower than the floats' spacing: then only its ends.
    if !(last >= first && last - first <= 2.0 * max_ticks.max(1) as f64) {
        return vec![from, to];
    }
    (0..=(last - first) as usize).map(|k| (first + k as f64) * step).collect()
}

/// A zoom or pan of the time window to `[from, to]` on an axis from 0 to `full` ms, made valid:
/// at least 1 ms wide (or the whole axis, when that is shorter), inside the axis. `None` for the
/// whole axis, and for any request that is not finite.
pub fn fit_window(from: f64, to: f64, full: f64) -> Option<(f64, f64)> {
    if !(from.is_finite() && to.is_finite() && full.is_finite() && full > 0.0) {
        return None;
    }
    let span = (to - from).max(full.min(1.0)).min(full);
    let from = from.max(0.0).min(full - span);
    (span < full).then_some((from, from + span))
}

/// Where the planned rest of a bar cut short ends, if it shows while the bar is closed by `close`
/// (a cancelled or timed-out work span whose workload planned it longer).
pub fn planned_rest(bar: &Bar, close: Option<Kind>) -> Option<f64> {
    bar.planned_end.filter(|_| matches!(close, Some(Kind::Cancel | Kind::Timeout)))
}

/// `, 180 ms before its planned end at 420 ms` for work cut short.
fn spared(bar: &Bar) -> String {
    planned_rest(bar, bar.close).map_or_else(String::new, |p| {
        format!(", {} before its planned end at {}", format_ms(p - bar.end), format_ms(p))
    })
}

/// One span in words, as a bar's title and the lane readout write it:
/// `task 2, attempt 1: work from 0 ms to 120 ms (120 ms), failed: …`.
pub fn bar_words(label: &str, bar: &Bar) -> String {
    let outcome = match bar.close {
        None => "still running".to_string(),
        Some(Kind::Fail) => format!("failed: {}", bar.detail),
        Some(Kind::Cancel) => format!("cancelled{}", spared(bar)),
        Some(Kind::Timeout) => format!("timed out{}", spared(bar)),
        _ if bar.detail.is_empty() => "done".to_string(),
        _ => format!("done ({})", bar.detail),
    };
    format!(
        "{label}, attempt {}: {} from {} to {} ({}), {outcome}",
        bar.attempt,
        bar.phase.key(),
        format_ms(bar.start),
        format_ms(bar.end),
        format_ms(bar.end - bar.start)
    )
}

/// A task's failure that no bar shows ([`Mark::raised`]) in words, as its × mark's title and the
/// lane readout write it: `main(): failed at 100 ms: ExceptionGroup: …`.
pub fn mark_words(label: &str, mark: &Mark) -> String {
    format!("{label}: failed at {}: {}", format_ms(mark.t), mark.detail)
}

/// The labels of an axis's `ticks` (multiples of one round step, as [`ticks`] and
/// [`ticks_between`] give them): [`format_ms`], with as many more decimals as the step needs for
/// no two to read the same (a 0.2 ms run's 0.05 ms steps: `0 ms`, `0.05 ms`, `0.1 ms`, `0.15 ms`,
/// not `0.1 ms` twice).
pub fn tick_texts(ticks: &[f64]) -> Vec<String> {
    let step = match ticks {
        [a, b, ..] => b - a,
        _ => 0.0,
    };
    ticks.iter().map(|t| tick_text(*t, step)).collect()
}

/// One tick's label, `step` ms from the next: [`format_ms`] unless its rounding (to 0.1 ms
/// under a second, to 0.01 s from a second) is coarser than the step.
fn tick_text(ms: f64, step: f64) -> String {
    // The decimals a multiple of `step` needs (a round step: 1, 2 or 5 × 10ⁿ ms), at most 9.
    let decimals = if step > 0.0 { (-step.log10() - 1e-9).ceil().clamp(0.0, 9.0) as i32 } else { 0 };
    rounded(ms, decimals.max(1), (decimals + 3).max(2))
}

/// A count of tasks as people read it: `1 task`, `10 tasks`.
pub fn tasks_text(n: u32) -> String {
    format!("{n} task{}", if n == 1 { "" } else { "s" })
}

/// A duration as people read it: `0 ms`, `250 ms`, `1.5 s`, `12 s`.
pub fn format_ms(ms: f64) -> String {
    rounded(ms, 1, 2)
}

/// `ms` rounded to `ms_decimals` under a second, else in seconds to `s_decimals` (both at least
/// 1), without trailing zeros.
fn rounded(ms: f64, ms_decimals: i32, s_decimals: i32) -> String {
    if !ms.is_finite() {
        return "–".into();
    }
    let (value, unit, decimals) =
        if ms.abs() < 1000.0 { (ms, "ms", ms_decimals) } else { (ms / 1000.0, "s", s_decimals) };
    let scale = 10f64.powi(decimals);
    let r = (value * scale).round() / scale;
    format!("{} {unit}", fixed_trimmed(r, decimals as usize))
}

/// `x` to `decimals` places without the trailing zeros (`337.5`, `100`): the one way the page
/// shortens a time it prints, in labels, event details and messages alike.
pub fn fixed_trimmed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_span() {
        assert_eq!(ticks(1000.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(ticks(230.0, 4), vec![0.0, 100.0, 200.0, 300.0]);
        assert_eq!(ticks(0.0, 4), vec![0.0]);
    }

    #[test]
    fn a_cut_of_the_whole_layout_matches_laying_out_the_events_up_to_it() {
        use crate::core::run::run_virtual;
        use crate::core::scenario::Scenario;
        let s = Scenario::parse([("pattern", "semaphore"), ("tasks", "7"), ("limit", "2"), ("seed", "3")]).unwrap();
        let run = run_virtual(&s);
        let full = Timeline::build(7, &run.events, f64::INFINITY);
        for cursor in 0..=run.events.len() {
            let position = if cursor == 0 { 0.0 } else { run.events[cursor - 1].t };
            let cut = Cut { cursor, position };
            let partial = Timeline::build(7, &run.events[..cursor], position);
            let shown: Vec<(u32, Phase, f64, f64, Option<Kind>)> = full
                .bars
                .iter()
                .filter_map(|b| cut.bar(b).map(|(end, close)| (b.task, b.phase, b.start, end, close)))
                .collect();
            let expected: Vec<_> = partial.bars.iter().map(|b| (b.task, b.phase, b.start, b.end, b.close)).collect();
            assert_eq!(shown, expected, "at cursor {cursor}");
            assert_eq!(full.marks.iter().filter(|m| cut.shows(m)).count(), partial.marks.len());
        }
    }

    #[test]
    fn work_cut_short_knows_when_it_was_planned_to_end() {
        use crate::core::run::run_virtual;
        use crate::core::scenario::Scenario;
        for (pattern, extra) in [("race", ("fail", "0")), ("timeout", ("timeout", "250"))] {
            let s = Scenario::parse([
                ("pattern", pattern),
                ("tasks", "8"),
                ("seed", "5"),
                ("min", "100"),
                ("max", "400"),
                extra,
            ])
            .unwrap();
            let workload = s.workload();
            let tl = Timeline::build(8, &run_virtual(&s).events, f64::INFINITY).with_plan(&workload);
            let mut cut_short = 0;
            for bar in &tl.bars {
                let planned = bar.start + f64::from(workload.attempt(bar.task, bar.attempt).duration_ms);
                match bar.close {
                    Some(Kind::Cancel | Kind::Timeout) => {
                        cut_short += 1;
                        assert_eq!(bar.planned_end, Some(planned), "{pattern}: task {}", bar.task);
                        assert!(planned > bar.end, "{pattern}: the plan ends after the cut");
                    }
                    _ => assert_eq!(bar.planned_end, None, "{pattern}: task {} ran to its end", bar.task),
                }
            }
            assert!(cut_short >= 2, "{pattern}: this seed cuts several tasks short ({cut_short})");
        }
    }

    #[test]
    fn the_strips_peak_is_the_summarys_even_when_tasks_take_no_time() {
        use crate::core::run::run_virtual;
        use crate::core::scenario::Scenario;
        // The tour's `min=0&max=0`: ten tasks begin and end at 0 ms; the strip said "peak 0".
        let zero = run_virtual(&Scenario::from_query("min=0&max=0").unwrap());
        let tl = Timeline::build(10, &zero.events, f64::INFINITY);
        assert_eq!((tl.peak(), zero.summary.peak_concurrency), (10, 10));
        assert_eq!(tl.concurrency, vec![(0.0, 10), (0.0, 0)]);
        for query in [
            "pattern=sequential&min=0&max=0",
            "pattern=semaphore&limit=3&min=0&max=0",
            "pattern=retry&fail=0.5&min=0&max=0&delay=0",
            "pattern=pipeline&min=0&max=0",
            "pattern=semaphore&tasks=12&limit=3&seed=1",
            "pattern=race&tasks=20",
        ] {
            let run = run_virtual(&Scenario::from_query(query).unwrap());
            let tl = Timeline::build(run.summary.tasks, &run.events, f64::INFINITY);
            assert_eq!(tl.peak(), run.summary.peak_concurrency, "{query}");
            assert_eq!(tl.concurrency.last().map(|c| c.1), Some(0), "{query}: it ends with nothing in flight");
        }
    }

    #[test]
    fn the_strips_peak_counts_a_task_once_while_its_spans_nest() {
        use crate::core::run::run_virtual;
        use crate::core::scenario::Scenario;
        // `async with` on the reader's class: the acquire span holds `__aenter__`'s sleep, two
        // spans of one task. The strip said "peak 2" beside the summary's 1.
        let code = "import asyncio\n\n\nclass Res:\n    async def __aenter__(self):\n        await asyncio.sleep(0.01)\n\n    async def __aexit__(self, *a):\n        await asyncio.sleep(0.01)\n\n\nasync def main():\n    async with Res():\n        await asyncio.sleep(0.1)\n\n\nasyncio.run(main())\n";
        let run = run_virtual(&Scenario::parse([("pattern", "code"), ("code", code)]).unwrap());
        let tl = Timeline::build(run.summary.tasks, &run.events, f64::INFINITY);
        let nested: Vec<(Phase, bool)> = tl.bars.iter().map(|b| (b.phase, b.nested)).collect();
        let (acquire, work, release) = ((Phase::Acquire, false), (Phase::Work, true), (Phase::Release, false));
        assert_eq!(nested, [acquire, work, (Phase::Work, false), release, work]);
        assert_eq!((tl.peak(), run.summary.peak_concurrency), (1, 1));
    }

    #[test]
    fn as_completed_results_that_wait_for_the_consumer_are_queued() {
        use crate::core::run::run_virtual;
        use crate::core::scenario::Scenario;
        // Seed 4: work ends at 106, 175, 183, 252, 276, 351 ms; 30 ms of processing each, so the
        // result of 183 waits for the one of 175 (until 205), and the one of 276 for 252 (282).
        let q = [
            ("pattern", "as_completed"),
            ("tasks", "6"),
            ("min", "100"),
            ("max", "400"),
            ("seed", "4"),
            ("process", "30"),
        ];
        let run = run_virtual(&Scenario::parse(q).unwrap());
        let tl = Timeline::build(6, &run.events, f64::INFINITY);
        let waits: Vec<(u32, f64, f64)> = tl.queued.iter().map(|q| (q.task, q.from, q.to)).collect();
        assert_eq!(waits, vec![(3, 183.0, 205.0), (0, 276.0, 282.0)]);
        // Replayed: nothing before the work ends, growing with the playhead, whole once processing began.
        let q3 = &tl.queued[0];
        assert_eq!(Cut { cursor: q3.from_seq, position: 183.0 }.queued(q3), None);
        assert_eq!(Cut { cursor: q3.from_seq + 1, position: 190.0 }.queued(q3), Some((183.0, 190.0)));
        assert_eq!(Cut { cursor: q3.to_seq + 1, position: 205.0 }.queued(q3), Some((183.0, 205.0)));
        // Other patterns have nothing queued: their next stage starts as the last one ends.
        for pattern in ["gather", "pipeline", "resource"] {
            let run = run_virtual(&Scenario::parse([("pattern", pattern), ("tasks", "6"), ("seed", "4")]).unwrap());
            assert!(Timeline::build(6, &run.events, f64::INFINITY).queued.is_empty(), "{pattern}");
        }
    }

    #[test]
    fn lanes_keep_a_label_each_up_to_14_and_two_timelines_fit_beside_the_replay_at_1280x800() {
        let lane_h = |n: u32| lanes_height(n) / f64::from(n);
        // Up to 12 lanes, 12 px or more; 13 and 14 lanes thin to the labels' 11 px, each labelled.
        assert_eq!(lanes_height(12), 144.0);
        assert!((1..=14).all(|n| label_every(lane_h(n)) == 1 && lane_h(n) >= 11.0));
        assert_eq!(label_every(lane_h(15)), 2);
        // The tallest, 13 and 14 lanes, 154 px: two of them (168 px each ended the replay section
        // at 823 px, 23 px below the fold).
        let tallest = (1..=10_000).map(lanes_height).fold(0.0, f64::max);
        assert_eq!((tallest, lanes_height(13), lanes_height(14)), (154.0, 154.0, 154.0));
        // No jump as `tasks` is dragged.
        assert!((1..200).all(|n| (lanes_height(n + 1) - lanes_height(n)).abs() <= LANE_MAX));
        assert_eq!(lanes_height(40), BASE_LANES_HEIGHT);
    }

    #[test]
    fn the_gutter_fits_the_longest_label_up_to_a_third_of_the_plot() {
        // Every pattern's labels (13 characters at most) keep the 96 px gutter.
        assert_eq!((gutter(0), gutter(13)), (GUTTER_MIN, GUTTER_MIN));
        // `fetch_user_profile-3`: 20 characters, whole at 1280 px (a 744 px plot), 138 px.
        assert_eq!(gutter(20), 138.0);
        assert_eq!(gutter_chars(744.0), GUTTER_MAX_CHARS);
        assert_eq!(gutter(GUTTER_MAX_CHARS), 190.0);
        // A phone's plot (356 px at 390) holds 17 characters in a third of it.
        assert_eq!(gutter_chars(356.0), 17);
        assert_eq!(gutter(17), 119.0);
        // Never fewer characters than the 96 px gutter holds, however narrow.
        assert_eq!(gutter_chars(200.0), 13);
    }

    #[test]
    fn ticks_inside_a_zoomed_window_stay_round() {
        assert_eq!(ticks_between(0.0, 1000.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(ticks_between(130.0, 260.0, 4), vec![150.0, 200.0, 250.0]);
        assert_eq!(ticks_between(5.0, 5.0, 4), vec![5.0]);
    }

    /// The labelled ticks' values.
    fn labels(ticks: &[f64], width: f64) -> Vec<f64> {
        let labelled = tick_labels(ticks, width);
        ticks.iter().enumerate().filter(|(i, _)| labelled(*i)).map(|(_, t)| *t).collect()
    }

    #[test]
    fn axis_labels_start_at_0_with_a_round_step_that_fits_the_width() {
        // The axes a user found at 390 px (the default run), in a 360 px and a 484 px embed.
        assert_eq!(labels(&ticks(400.0, 8), 236.0), [0.0, 200.0, 400.0]);
        assert_eq!(labels(&ticks(800.0, 8), 206.0), [0.0, 400.0, 800.0]);
        assert_eq!(labels(&ticks(160.0, 8), 330.0), [0.0, 40.0, 80.0, 120.0, 160.0]);
        // Shorter labels, closer: 0–6 s at 390 px.
        assert_eq!(labels(&ticks(6000.0, 8), 236.0), [0.0, 2000.0, 4000.0, 6000.0]);
        // At 1280 px, every other tick, as before; wide enough, every tick.
        assert_eq!(labels(&ticks(400.0, 8), 624.0), [0.0, 100.0, 200.0, 300.0, 400.0]);
        assert_eq!(labels(&ticks(400.0, 8), 1000.0).len(), 9);
        // A zoomed window: the labels are still multiples of their step from 0.
        assert_eq!(labels(&ticks_between(130.0, 990.0, 8), 236.0), [400.0, 800.0]);
        // Two ticks (an axis too small or too large for round steps) or one: all labelled.
        assert_eq!(labels(&[3.0, 7.5], 10.0), [3.0, 7.5]);
        assert_eq!(labels(&[5.0], 10.0), [5.0]);
    }

    #[test]
    fn axis_labels_are_evenly_spaced_multiples_of_a_round_step_with_room_between() {
        for span in [0.7, 3.0, 42.0, 160.0, 400.0, 777.0, 1234.0, 9999.0, 60_000.0, 3.6e6] {
            for width in [120.0, 206.0, 236.0, 330.0, 450.0, 624.0, 900.0, 1400.0] {
                let t = ticks(span, 8);
                let shown = labels(&t, width);
                let step = shown[1] - shown[0];
                assert_eq!(shown[0], 0.0, "{span} ms at {width} px: {shown:?}");
                let apart = (step / t[t.len() - 1]) * width;
                let widest = t.iter().map(|t| format_ms(*t).len()).max().unwrap_or(0);
                assert!(shown.len() == 2 || apart >= label_room(widest), "{span} ms at {width} px: {shown:?}");
                for (i, v) in shown.iter().enumerate() {
                    assert!((v - i as f64 * step).abs() < step * 1e-9, "{span} ms at {width} px: {shown:?}");
                }
                // Every k-th tick, k = 1, 2, 4, 5, 10, 20…: the ticks' round step times a round number.
                let k = (step / (t[1] - t[0])).round();
                let unit = 10f64.powf(k.log10().floor());
                assert!([1.0, 2.0, 4.0, 5.0].contains(&(k / unit)), "{span} ms at {width} px: {shown:?}");
            }
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_ms(0.0), "0 ms");
        assert_eq!(format_ms(12.34), "12.3 ms");
        assert_eq!(format_ms(1500.0), "1.5 s");
        assert_eq!(format_ms(3000.0), "3 s");
    }
}
