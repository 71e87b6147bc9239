//! What the page shows, computed from its [`State`]: which run is on screen, the status line, the
//! shared time axis and its zoom, the titles, the comparisons offered. Plain functions, so the Yew
//! components only lay them out and native tests check them.

use std::rc::Rc;

use super::event::Kind;
use super::message::ViewOptions;
use super::page::{same_values, Measured, State};
use super::replay::{waiting_for, Replay};
use super::run::{run_virtual, Run, Summary};
use super::scenario::{ClockKind, Pattern, Preset, Scenario, Source};
use super::timeline::{fit_window, format_ms, lanes_height, tasks_text, ticks, Timeline};

/// The run being replayed, with its number in the history.
#[derive(Clone)]
pub struct Replaying {
    pub number: u32,
    pub run: Rc<Run>,
    pub replay: Replay,
}

/// The run being replayed, unless a run is live (a live run is always what the page shows).
pub fn replaying(state: &State) -> Option<Replaying> {
    if state.running() {
        return None;
    }
    let (number, replay) = state.replay.as_ref()?;
    let run = state.run(*number)?.clone();
    Some(Replaying { number: *number, run, replay: replay.clone() })
}

/// Where the playhead is drawn: while a replay plays or is paused before its end. A playhead parked
/// at the end of a paused replay would read like a deadline, so it is hidden there.
pub fn playhead(replaying: Option<&Replaying>) -> Option<f64> {
    let r = &replaying?.replay;
    (r.playing || r.cursor < r.len()).then_some(r.position)
}

/// The scenario the page describes: the measured run's once one started, else the form's.
pub fn shown_scenario(state: &State) -> &Scenario {
    state.measured.as_ref().map_or(state.scenario(), Measured::scenario)
}

/// What the code panel, the legend and the replay's log describe: the replayed run's own scenario
/// (`replayed`, read from its params; the page reads them once per replayed run, not on each frame
/// of its replay), else the page's; and what that scenario's `wait` spans wait for
/// ([`waiting_for`]: a permit, a free worker of a CPU pool, or either), as the legend and the log's
/// sentences name it.
pub fn described<'a>(replayed: Option<&'a Scenario>, state: &'a State) -> (&'a Scenario, &'static str) {
    let scenario = replayed.unwrap_or_else(|| shown_scenario(state));
    (scenario, waiting_for(scenario))
}

/// The measured panel's title.
pub fn measured_title(replaying: Option<&Replaying>) -> String {
    match replaying {
        Some(r) if r.run.clock == ClockKind::Virtual => format!("Run #{}: predicted (virtual clock)", r.number),
        Some(r) => format!("Run #{}: measured (browser clock)", r.number),
        None => "Measured (browser clock)".to_string(),
    }
}

/// While a run is live, the axis leaves it this much more than predicted, as measured runs end a
/// little late: the axis (and with it every bar) is not laid out again at the very moment the
/// timers fire.
pub const LIVE_ROOM: f64 = 1.1;

/// The time the panels' shared axis covers, in ms: the later of the prediction (with room while a
/// run is live) and the measured or replayed layout, and at least `at_least` (a link's `axis=`).
/// While replaying both are whole runs, so the axis stays put.
pub fn time_scale(
    predicted: Option<&Timeline>,
    measured: Option<&Timeline>,
    running: bool,
    at_least: Option<f64>,
) -> f64 {
    let room = if running { LIVE_ROOM } else { 1.0 };
    predicted
        .iter()
        .map(|t| t.extent() * room)
        .chain(measured.iter().map(|t| t.extent()))
        .fold(at_least.unwrap_or(0.0), f64::max)
}

/// The finished run the figures and the gap set beside the prediction (which is always of its
/// scenario): the run replayed, or else the measured one; never a run of the virtual clock.
pub fn measured_run(state: &State, replaying: Option<&Replaying>) -> Option<Rc<Run>> {
    match replaying {
        Some(r) => (r.run.clock == ClockKind::Browser).then(|| r.run.clone()),
        None => state.measured.as_ref()?.run.clone(),
    }
}

/// Whether Run is off: the form's values are more than the browser clock measures
/// ([`Scenario::unmeasurable`]); the status says why.
pub fn run_blocked(state: &State) -> bool {
    !state.measurable()
}

/// Why the page's Run is off, if it is: the id of what says why (the disabled button's
/// description). The one gate of every way the page asks for a run: the button, the form's
/// submission and Ctrl/Cmd+Enter in the editor. `code_problem`: the editor's text has one (the
/// editor's own requests go through its draft, which runs no text with a problem).
pub fn run_off(state: &State, code_problem: bool) -> Option<&'static str> {
    if state.scenario().pattern == Pattern::Code && code_problem {
        Some("code-problem")
    } else {
        // A field's bad value (named beside it; the status line repeats it): Run looked enabled
        // and did nothing.
        (run_blocked(state) || !state.errors.is_empty()).then_some("status")
    }
}

/// The status line of the page, whose Run is also off while the editor's text has a problem
/// (`code_problem`, as [`run_off`]): it said "Press Run to run these tasks…" beside a disabled
/// Run (a link's refused program). The problem itself is under the editor.
pub fn page_status(state: &State, view: &ViewOptions, code_problem: bool) -> String {
    if !state.running() && run_off(state, code_problem) == Some("code-problem") {
        return "Run is off until the code parses: its problem is under the editor.".to_string();
    }
    status(state, view)
}

/// How high the Embed button's iframe is, px: what a compact embed of `scenario` (its link with
/// `embed=1`) takes at 700 px wide once it has run, measured there (`tests/e2e/embed_compact.test.mjs`):
/// the status line, the timeline's title, axis and strip, the bar of Run and the replay, and a
/// legend of two rows (one row leaves 24 px empty), with 4 px to spare; its lanes
/// ([`lanes_height`]), the busy strip of a CPU run or a program and a program's output on top.
/// `predicted` is `scenario`'s prediction: a program's lanes and printed lines are in it.
pub fn embed_height(scenario: &Scenario, predicted: Option<&Run>) -> u32 {
    use super::scenario::Offload;
    let events = predicted.map_or(&[][..], |p| &p.events[..]);
    let lanes = super::run::lanes(scenario, events);
    // A program's measured run draws the strip once its code holds the loop 2 ms (`held`):
    // what its prediction cannot know, and what a busy machine can make any program do.
    let inline = scenario.source == Source::Cpu && scenario.offload == Offload::Inline;
    let busy = if inline || scenario.pattern == Pattern::Code { 22.0 } else { 0.0 };
    // Output: "Nothing printed yet." until the first line, then 17 px a line, scrolled past 5.
    let printed = events.iter().filter(|e| e.kind == Kind::Print).count() as f64;
    let output = if scenario.pattern == Pattern::Code { (34.0 + 17.0 * printed).clamp(66.0, 115.0) } else { 0.0 };
    (242.0 + lanes_height(lanes) + busy + output).ceil() as u32
}

/// What the status says before a run of a pattern about errors that plans none: a link with
/// `fail=0` (or no `fail`, its default) showed a retry or fallback with nothing to retry or fall
/// back from, and no word why. The link runs as it says (the default never depends on the
/// pattern, so old links reproduce); the form's own switch to such a pattern sets 0.3 instead.
/// On the status line, not under the form: at 1280 px a line more there took the code panel past
/// the first screen. Not for real requests (`source=fetch`): a server may fail them anyway.
fn plans_no_failures(s: &Scenario) -> Option<String> {
    let planned = s.preset == Preset::Random && s.source != Source::Fetch;
    (planned && s.pattern.is_about_failures() && s.fail == 0.0).then(|| {
        format!("No task fails at failure probability 0, so {} has nothing to show: try 0.3.", s.pattern.title())
    })
}

/// The status line under the form; before the first run it says how one starts, which in an
/// embed without a Run button (`controls=0`) is not a button, or why Run is off ([`run_off`]): a
/// bad value in the form, or values the browser clock cannot measure ([`run_blocked`]).
pub fn status(state: &State, view: &ViewOptions) -> String {
    if let Some(e) = state.errors.first() {
        return format!("Run is off until the form's values are fixed: {}.", e.message);
    }
    let why = state.unmeasurable().filter(|_| !state.running());
    if let Some(note) = state.note.as_ref().filter(|_| !state.running()) {
        return why.map_or_else(|| note.clone(), |why| format!("{note} {why}"));
    }
    let Some(m) = &state.measured else {
        if let Some(why) = why {
            return why.to_string();
        }
        if let Some(why) = plans_no_failures(state.scenario()).filter(|_| view.has_run_button()) {
            return why;
        }
        return match (view.has_run_button(), view.autoplay) {
            (true, _) => "Press Run to run these tasks for real on this page's event loop.",
            (false, true) => "The prediction; these tasks run for real on this page's event loop once it is in view.",
            (false, false) => "The prediction; the page around it runs these tasks for real.",
        }
        .to_string();
    };
    if m.cancelled {
        return "Cancelled.".to_string();
    }
    if let Some(problem) = m.problem() {
        return problem;
    }
    match &m.run {
        Some(run) => {
            let finished =
                format!("Finished: {} in {}.", tasks_text(run.summary.tasks), format_ms(run.summary.makespan_ms));
            // Edited while it ran: the run stays beside its own prediction, not the form's.
            match (same_values(m.scenario(), state.scenario()), why) {
                (true, _) => finished,
                (false, Some(why)) => format!("{finished} {why}"),
                (false, None) => format!("{finished} The form shows other values now: press Run to measure them."),
            }
        }
        None => {
            let (done, total) = m.with_events(|ev| {
                let done = ev.iter().filter(|e| matches!(e.kind, Kind::Done | Kind::Failed | Kind::Fallback)).count();
                (done, super::run::lanes(m.scenario(), ev))
            });
            format!("Running… {done} of {total} tasks finished, {} so far.", format_ms(m.now))
        }
    }
}

/// Where a code box `box_h` px tall, scrolled `scroll` px, its top `box_y` px down a screen
/// `screen_h` px tall, scrolls to show its line `line_y` px from the box's top (`None`: it shows
/// it): inside the part of the box on the screen when at least a few lines of it are, else
/// anywhere inside the box. On a phone the page scrolls too, and the box under the replay bar
/// is often half under the fold, where a line kept inside the box alone was out of sight.
pub fn follow_line(line_y: f64, box_h: f64, scroll: f64, box_y: f64, screen_h: f64) -> Option<f64> {
    let (from, to) = match ((-box_y).max(0.0), (screen_h - box_y).min(box_h)) {
        (from, to) if to - from >= 60.0 => (from, to),
        _ => (0.0, box_h),
    };
    (line_y < scroll + from || line_y > scroll + to - 24.0).then(|| (line_y - from - (to - from) / 3.0).max(0.0))
}

/// How far the end of the reader's run scrolls the page, px down (negative: up), and how: which
/// edge is brought to the screen's (8 px from it, the `scroll-margin` of each in style.css), to
/// show its measured timeline, whose top is `timeline_top`, its replay bar (`bar`: top and
/// bottom) and, where the code comes under the bar (a phone), the code's box (`code`), all in px
/// from the top of a screen `screen_h` px tall. Nothing if the bar and the box are wholly on the
/// screen; else, in order:
/// - all three wholly, as little as it takes: never up just for the timeline's top (the reader
///   scrolled there; the run's start showed it);
/// - else the timeline from its top, the bar and the box's first [`CODE_SHOWN`] px at least (the
///   box scrolls the marked line into its part on the screen, [`follow_line`]);
/// - else (a tall run, or a short screen) the bar wholly, and the box under it as far as it
///   fits (the box's whole, if the bar keeps its top).
///
/// Without code under the bar (1280 px: it is beside the timelines), the bar wholly, as little as
/// it takes. The box used to be left out: the page scrolled until the bar's bottom met the
/// screen's, and the code, and its marked line, stayed wholly under the fold.
pub fn end_scroll(timeline_top: f64, bar: (f64, f64), code: Option<(f64, f64)>, screen_h: f64) -> (f64, EndAt) {
    const MARGIN: f64 = 8.0;
    let top = timeline_top - MARGIN;
    let (last, shown) = code.map_or((bar.1, bar.1), |(from, to)| (to, from + CODE_SHOWN));
    let (whole, part) = (last + MARGIN - screen_h, shown + MARGIN - screen_h);
    match () {
        _ if bar.0 >= 0.0 && last <= screen_h || whole <= 0.0 && whole <= top => (0.0, EndAt::Stay),
        _ if whole <= top => (whole, EndAt::Last),
        _ if code.is_some() && part <= top => (top, EndAt::Timeline),
        _ if whole < bar.0 - MARGIN => (whole, EndAt::Last),
        _ => (bar.0 - MARGIN, EndAt::Bar),
    }
}

/// The edge [`end_scroll`] brings to the screen's (each 8 px from it, its `scroll-margin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndAt {
    /// The page stays.
    Stay,
    /// The bottom of the code's box (or, without code under the bar, of the bar).
    Last,
    /// The top of the measured timeline.
    Timeline,
    /// The top of the replay bar.
    Bar,
}

/// How much of the code's box, px, [`end_scroll`] shows under the replay bar at least: five
/// lines, room for [`follow_line`] to keep the marked line in it.
pub const CODE_SHOWN: f64 = 90.0;

/// Where an unzoomed axis of `scale_ms` ends: the first round tick at or after it (1 ms for an
/// empty run).
pub fn axis_end(scale_ms: f64) -> f64 {
    ticks(scale_ms, 8).last().copied().filter(|t| *t > 0.0).unwrap_or(1.0)
}

/// A zoom or pan button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoomStep {
    In,
    Out,
    Earlier,
    Later,
    Whole,
}

/// The window `(from, to)` shown, `None` for the whole axis of `scale_ms`.
pub fn zoom_window(window: Option<(f64, f64)>, scale_ms: f64) -> (f64, f64) {
    window.unwrap_or((0.0, axis_end(scale_ms)))
}

/// The window after `step`: halved or doubled about its middle, moved by a third, or the whole
/// run; never narrower than 1 ms nor outside the run (see [`fit_window`]).
pub fn zoom(step: ZoomStep, window: Option<(f64, f64)>, scale_ms: f64) -> Option<(f64, f64)> {
    let full = axis_end(scale_ms);
    let (a, b) = zoom_window(window, scale_ms);
    let (from, to) = match step {
        ZoomStep::In => ((a + b) / 2.0 - (b - a) / 4.0, (a + b) / 2.0 + (b - a) / 4.0),
        ZoomStep::Out => ((a + b) / 2.0 - (b - a), (a + b) / 2.0 + (b - a)),
        ZoomStep::Earlier => (a - (b - a) / 3.0, b - (b - a) / 3.0),
        ZoomStep::Later => (a + (b - a) / 3.0, b + (b - a) / 3.0),
        ZoomStep::Whole => (0.0, full),
    };
    fit_window(from, to, full)
}

/// Whether `step` moves the window: a zoom button that would not (Earlier at the run's start,
/// Later at its end, Zoom out or Whole run on the whole run) is disabled rather than doing nothing.
pub fn zoom_moves(step: ZoomStep, window: Option<(f64, f64)>, scale_ms: f64) -> bool {
    let ((a, b), (c, d)) = (zoom_window(window, scale_ms), zoom_window(zoom(step, window, scale_ms), scale_ms));
    // A nanosecond: thirds of a window do not add up exactly.
    (a - c).abs() + (b - d).abs() > 1e-6
}

/// Predictions of `scenario`, once per variant: each variant's keys replace the scenario's.
pub fn predictions(scenario: &Scenario, variants: &[&[(&str, &str)]]) -> Vec<Run> {
    variants
        .iter()
        .filter_map(|variant| {
            let mut pairs: Vec<(&str, String)> = scenario
                .to_pairs()
                .into_iter()
                .filter(|(k, _)| *k != "clock" && !variant.iter().any(|(v, _)| v == k))
                .collect();
            pairs.extend(variant.iter().map(|(k, v)| (*k, v.to_string())));
            pairs.push(("clock", "virtual".into()));
            Scenario::parse(pairs.iter().map(|(k, v)| (*k, v.as_str()))).ok().map(|s| run_virtual(&s))
        })
        .collect()
}

/// Predictions of the same workload as sequential, gather and semaphore(3), for comparing.
pub fn pattern_comparison(scenario: &Scenario) -> Vec<Run> {
    predictions(
        scenario,
        &[
            &[("pattern", "sequential"), ("limit", "none")],
            &[("pattern", "gather"), ("limit", "none")],
            &[("pattern", "semaphore"), ("limit", "3")],
        ],
    )
}

/// Whether the page offers [`hold_comparison`]: retry under a limit, where holding the permit
/// during backoff matters.
pub fn offers_hold_comparison(scenario: &Scenario) -> bool {
    scenario.pattern == Pattern::Retry && scenario.limit.is_some()
}

/// Retry under a limit, holding the permit through backoff and releasing it, for comparing.
pub fn hold_comparison(scenario: &Scenario) -> Vec<Run> {
    predictions(scenario, &[&[("hold", "1")], &[("hold", "0")]])
}

/// Whether the page offers [`errors_comparison`]: gather, where plain gather cancels nothing and a
/// TaskGroup cancels the rest.
pub fn offers_errors_comparison(scenario: &Scenario) -> bool {
    scenario.pattern == Pattern::Gather
}

/// Gather: plain `gather` against a `TaskGroup` on the same workload, failures planned if it has
/// none (without an error the two are the same).
pub fn errors_comparison(scenario: &Scenario) -> Vec<Run> {
    let fail: &[(&str, &str)] = if scenario.fail > 0.0 { &[] } else { &[("fail", "0.3")] };
    let raise = [&[("errors", "raise")], fail].concat();
    let group = [&[("errors", "fail_fast")], fail].concat();
    predictions(scenario, &[&raise, &group])
}

/// `(task, start, end)` ms: when the event loop was busy computing ([`super::cpu::busy_intervals`]).
pub type Busy = Rc<Vec<(u32, f64, f64)>>;

/// What the page shows about a `source=cpu` run: the busy strips under the lanes and the notes.
#[derive(Debug, Default, PartialEq)]
pub struct CpuView {
    /// Inline work only: the predicted and the measured run's busy intervals.
    pub predicted: Option<Busy>,
    pub measured: Option<Busy>,
    /// Sentences for the page: where the work ran, how it was sized, what froze, what blocked.
    pub notes: Vec<String>,
}

/// The lesson above the runs: a title, its one line, and the rest a click away. It is the
/// pattern's own ([`Pattern::lesson`]) unless the tasks do CPU-bound work, which changes the lesson
/// whatever the pattern: inline, it holds the event loop, so the tasks compute one after another;
/// on a pool of workers, as many compute at once as there are workers.
pub fn lesson(scenario: &Scenario) -> (String, String, String) {
    use super::scenario::Offload;
    let pattern = scenario.pattern;
    let (first, rest) = pattern.lesson();
    if scenario.source != Source::Cpu || pattern == Pattern::Code {
        return (pattern.title().into(), gather_on_error(scenario).unwrap_or(first).into(), rest.into());
    }
    let n = scenario.workers;
    let (title, first, why) = match scenario.offload {
        Offload::Inline => (
            format!("{}, with CPU-bound work", pattern.title()),
            "CPU-bound work never awaits, so it holds the event loop: the tasks compute one after another."
                .to_string(),
            "The total is the sum of their work: asyncio overlaps only waiting. The article's last lesson: send CPU-bound work to a process \
             pool (loop.run_in_executor with a ProcessPoolExecutor; here a pool of Web Workers, \
             \"Runs on: A worker pool\")."
                .to_string(),
        ),
        Offload::Workers => (
            format!("{}, CPU-bound work on {n} worker{}", pattern.title(), if n == 1 { "" } else { "s" }),
            // The point first and short: at 1280 px the line after the title holds ~90 characters,
            // and a longer sentence lost its point to the ellipsis. How it is done comes after.
            match n {
                1 => "The event loop stays free, and one task computes at a time.".to_string(),
                n => format!("The event loop stays free, and up to {n} tasks compute at once."),
            },
            format!(
                "Each task's CPU-bound work runs in a pool of {n} Web Worker{} (loop.run_in_executor with a \
                 process pool). Tasks beyond the pool's size wait for a free worker; a pool larger than \
                 the cores the browser reports gains nothing.",
                if n == 1 { "" } else { "s" }
            ),
        ),
    };
    (title, first, format!("{why} Without CPU work, this pattern: {}", pattern.explain()))
}

/// Gather's one line when an error ends the call early: its own line says the call returns when
/// the last task finishes, which only `On error: Collect` does (the rest of the lesson says all
/// three).
fn gather_on_error(scenario: &Scenario) -> Option<&'static str> {
    use super::scenario::ErrorMode;
    match (scenario.pattern, scenario.errors) {
        (Pattern::Gather, ErrorMode::Raise) => Some(
            "Every task starts at once, and the call returns when the last one finishes, or raises the first \
             error while the others keep running.",
        ),
        (Pattern::Gather, ErrorMode::FailFast) => Some(
            "Every task starts at once, and the TaskGroup ends when the last one finishes, or at the first \
             error, which cancels the others.",
        ),
        _ => None,
    }
}

/// The view of `scenario`'s CPU runs (nothing unless it is `source=cpu`): `measured` is the
/// finished or replayed run, `cores` what this browser reports, `replaced` the workers the pool
/// terminated and replaced (from 0).
pub fn cpu_view(
    scenario: &Scenario,
    predicted: Option<&Run>,
    measured: Option<&Run>,
    cores: u32,
    replaced: &[usize],
) -> CpuView {
    use super::cpu;
    use super::scenario::Offload;
    if scenario.pattern == Pattern::Code {
        return blocked_view(scenario, predicted, measured);
    }
    if scenario.source != Source::Cpu {
        return CpuView::default();
    }
    let inline = scenario.offload == Offload::Inline;
    let busy = |run: &Run| inline.then(|| Rc::new(cpu::busy_intervals(scenario, &run.events)));
    let mut notes = vec![match scenario.offload {
        Offload::Inline => "CPU work runs inline: while a task computes, this page's event loop is blocked, so the page is frozen during the run and draws it afterwards.".to_string(),
        Offload::Workers => format!(
            "CPU work runs on a pool of {} Web Worker{} (loop.run_in_executor); this browser reports {cores} cores (navigator.hardwareConcurrency).",
            scenario.workers,
            if scenario.workers == 1 { "" } else { "s" }
        ),
    }];
    if let Some(m) = measured {
        if let Some(c) = m.calibration {
            notes.push(format!(
                "Calibrated at start-up: one unit of work = {:.0} hash rounds ≈ 1 ms on this machine ({} cores reported).",
                c.rounds_per_ms, c.cores
            ));
        }
        let cores = m.calibration.map_or(cores, |c| c.cores);
        notes.extend(cpu::notes(scenario, &m.events, predicted.map(|p| p.summary.makespan_ms), Some(cores)));
        if !inline && !replaced.is_empty() {
            let ids: Vec<String> = replaced.iter().map(|w| format!("worker {}", w + 1)).collect();
            notes.push(format!(
                "A cancelled task's job cannot be interrupted inside a Web Worker, so its worker was terminated and replaced by a fresh one ({}), where its work span closes with cancel. (asyncio's run_in_executor would instead leave the process computing and drop the result.)",
                ids.join(", ")
            ));
        }
    }
    CpuView { predicted: predicted.and_then(busy), measured: measured.and_then(busy), notes }
}

/// What blocked a program's event loop as inline CPU work does (`time.sleep`, and in a measured
/// run its code that ran without awaiting): the busy strips of the runs that have any, and a note
/// saying what held the loop and what that stopped.
fn blocked_view(scenario: &Scenario, predicted: Option<&Run>, measured: Option<&Run>) -> CpuView {
    let busy =
        |run: &Run| Some(super::cpu::busy_intervals(scenario, &run.events)).filter(|b| !b.is_empty()).map(Rc::new);
    let (p, m) = (predicted.and_then(busy), measured.and_then(busy));
    let mut notes = Vec::new();
    if let Some(run) = if m.is_some() { measured } else { predicted.filter(|_| p.is_some()) } {
        let (code, slept, longest) = super::cpu::code_held(&run.events);
        if let Some((task, line, ms)) = longest {
            let label = super::run::code_labels(&run.events).into_iter().nth(task as usize).unwrap_or_default();
            notes.push(format!(
                "Python code held the event loop {code:.0} ms without awaiting (longest: {label}, line {line}, {ms:.0} ms): meanwhile no other task ran, no timer fired (they fired late) and the page could not draw. The prediction counts code as instant: only a measured run shows it. Await asyncio.sleep(0) between chunks of the work to let other tasks run (no thread or process here to offload it to)."
            ));
        }
        if slept > 0.0 {
            notes.push(format!(
                "time.sleep blocked the event loop for {slept:.0} ms in all: meanwhile no other task ran, no timer fired (they fired late) and the page could not draw. await asyncio.sleep(...) waits without blocking."
            ));
        }
    }
    CpuView { predicted: p, measured: m, notes }
}

/// A figure of a run: `(id, label, value)`.
pub type Row = (&'static str, &'static str, fn(&Summary) -> String);

/// Every figure, as `(id, label, value)`, in the table's order.
pub const ROWS: [Row; 9] = [
    ("makespan", "Makespan (start to last finish)", |s| format_ms(s.makespan_ms)),
    ("busy", "Sum of task durations", |s| format_ms(s.busy_ms)),
    ("speedup", "Speedup (sum ÷ makespan)", |s| format!("{:.2}×", s.speedup())),
    ("peak", "Peak concurrency", |s| s.peak_concurrency.to_string()),
    ("attempts", "Attempts", |s| s.attempts.to_string()),
    // A retry's red bars are attempts: the tasks' rows below count each task once, as it ended.
    ("failed-attempts", "Attempts that failed, were cancelled or timed out", |s| s.failed_attempts.to_string()),
    ("failures", "Failed tasks (their own error)", |s| s.failed_on_their_own().to_string()),
    ("cancelled", "Cancelled tasks", |s| s.cancelled.to_string()),
    ("timed-out", "Timed-out tasks", |s| s.timed_out.to_string()),
];

/// The compact figures: `(id, label, value)`; the outcomes apart, as [`ROWS`] counts them, and
/// without spaces (`0/19/0`, and so the label): with two-digit counts the row still has room for
/// "All figures". The outcomes are of tasks, said in the label: a retry's 6 red bars (failed
/// attempts) beside "failed 1" read as a wrong count.
pub const FIGURES: [Row; 4] = [
    ("makespan", "makespan", |s| format_ms(s.makespan_ms)),
    ("speedup", "speedup", |s| format!("{:.2}×", s.speedup())),
    ("peak", "peak", |s| s.peak_concurrency.to_string()),
    // "timed\u{a0}out" stays whole where the label wraps (at 390 px it left "out" alone on a line).
    ("failed", "tasks failed/cancelled/timed\u{a0}out", |s| {
        format!("{}/{}/{}", s.failed_on_their_own(), s.cancelled, s.timed_out)
    }),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson_of(query: &str) -> (String, String, String) {
        lesson(&Scenario::from_query(query).expect("a valid link"))
    }

    #[test]
    fn a_code_box_half_under_the_fold_scrolls_the_line_into_its_half_on_screen() {
        // A 380 px box at 600 px of an 844 px screen: 244 px of it show. A line 300 px down the
        // box, inside the box but under the fold, comes up to a third of the way down that part.
        assert_eq!(follow_line(300.0, 380.0, 0.0, 600.0, 844.0), Some(300.0 - 244.0 / 3.0));
        // A line already in that part stays put; the same line in a box wholly on screen too.
        assert_eq!(follow_line(100.0, 380.0, 0.0, 600.0, 844.0), None);
        assert_eq!(follow_line(300.0, 380.0, 0.0, 200.0, 844.0), None);
        // Less than 60 px of the box on screen: the box alone counts (as at 1280 px, box on screen).
        assert_eq!(follow_line(300.0, 380.0, 0.0, 800.0, 844.0), None);
        assert_eq!(follow_line(500.0, 380.0, 0.0, 800.0, 844.0), Some(500.0 - 380.0 / 3.0));
        // The box's top scrolled off the screen's top: the line goes under the top edge's part.
        assert_eq!(follow_line(50.0, 380.0, 0.0, -100.0, 844.0), Some(0.0));
    }

    #[test]
    fn the_end_of_a_phone_s_run_shows_the_timeline_the_bar_and_the_code_box() {
        use EndAt::*;
        // gather at 390×844 as the run ended: the timeline at 455, the bar 683–836, the box
        // 877–1257. The page used to stop at the bar; now the box's bottom comes to 836 and the
        // timeline's top to 34.
        assert_eq!(end_scroll(455.0, (683.0, 836.0), Some((877.0, 1257.0)), 844.0), (421.0, Last));
        // Already all on the screen: no scroll, and never up to the timeline's top alone.
        assert_eq!(end_scroll(20.0, (250.0, 400.0), Some((440.0, 820.0)), 844.0), (0.0, Stay));
        assert_eq!(end_scroll(20.0, (250.0, 400.0), Some((440.0, 840.0)), 844.0), (0.0, Stay));
        assert_eq!(end_scroll(-50.0, (180.0, 330.0), Some((370.0, 750.0)), 844.0), (0.0, Stay));
        // A taller timeline (34 px more): its top at 8, the box partly on the screen.
        assert_eq!(end_scroll(455.0, (717.0, 870.0), Some((911.0, 1291.0)), 844.0), (447.0, Timeline));
        // Taller still: the bar at the screen's top at most, and the box under it.
        assert_eq!(end_scroll(100.0, (700.0, 853.0), Some((900.0, 1280.0)), 844.0), (444.0, Last));
        assert_eq!(end_scroll(100.0, (900.0, 1053.0), Some((1100.0, 2100.0)), 844.0), (892.0, Bar));
        // Without code under the bar: the bar, as little as it takes (1280 px: nothing, even 2 px
        // from the screen's bottom).
        assert_eq!(end_scroll(300.0, (600.0, 680.0), None, 800.0), (0.0, Stay));
        assert_eq!(end_scroll(300.0, (700.0, 798.0), None, 800.0), (0.0, Stay));
        assert_eq!(end_scroll(300.0, (700.0, 780.0), None, 750.0), (38.0, Last));
        assert_eq!(end_scroll(100.0, (900.0, 980.0), None, 750.0), (238.0, Last));
    }

    #[test]
    fn gather_s_line_says_when_the_call_ends_for_each_on_error() {
        // The line said "the call returns when the last one finishes" under Raise and TaskGroup,
        // where the first error ends it.
        let first = |errors| lesson_of(&format!("pattern=gather&errors={errors}")).1;
        assert_eq!(first("collect"), Pattern::Gather.lesson().0);
        assert!(first("raise").contains("raises the first error while the others keep running"));
        assert!(first("fail_fast").contains("at the first error, which cancels the others"));
        assert_eq!(lesson_of("pattern=semaphore&errors=raise").1, Pattern::Semaphore.lesson().0);
    }

    #[test]
    fn cpu_bound_work_has_its_own_lesson_whatever_the_pattern() {
        // The tour's link: gather's own line ("the total time is the longest task") beside bars
        // that ran one after another.
        let (title, first, rest) = lesson_of("pattern=gather&source=cpu&tasks=4&min=200&max=200");
        assert_eq!(title, "Concurrent (asyncio.gather / join_all), with CPU-bound work");
        assert!(first.contains("one after another"), "{first}");
        assert!(rest.contains("sum") && rest.contains("process pool"), "{rest}");
        assert!(rest.ends_with(Pattern::Gather.explain()), "{rest}");
        let (title, first, rest) = lesson_of("pattern=gather&source=cpu&offload=workers&workers=2");
        assert_eq!(title, "Concurrent (asyncio.gather / join_all), CPU-bound work on 2 workers");
        assert!(
            first.starts_with("The event loop stays free") && first.contains("up to 2 tasks compute at once"),
            "{first}"
        );
        assert!(
            rest.starts_with("Each task's CPU-bound work runs in a pool of 2 Web Workers (loop.run_in_executor"),
            "{rest}"
        );
        assert_eq!(
            lesson_of("pattern=semaphore&source=cpu&offload=workers&workers=1").0.split(", ").last(),
            Some("CPU-bound work on 1 worker")
        );
    }

    #[test]
    fn other_work_keeps_the_pattern_lesson() {
        let (first, rest) = Pattern::Gather.lesson();
        assert_eq!(lesson_of("pattern=gather"), (Pattern::Gather.title().into(), first.into(), rest.into()));
    }
}
