//! Replay of a recorded run as a pure state machine: play, pause, seek, step, speed. Real time
//! is passed in (`tick`), so the same calls always give the same state; the UI only draws it.
//!
//! The state is a *cursor* over the run's events (how many are shown) plus a time position.
//! Stepping moves the cursor one event at a time, so stepping back after stepping forward lands on
//! exactly the same event, even when many events share one instant.

use super::event::{Event, Kind, Phase};
use super::scenario::{Offload, Pattern, Scenario, Source};
use super::timeline::format_ms;

/// Slowest and fastest replay speed.
pub const SPEEDS: (f64, f64) = (0.1, 10.0);

/// Where a replay is and whether it moves.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// Event times, in recorded order (non-decreasing); shared, as a replay is cloned per frame.
    times: std::rc::Rc<[f64]>,
    /// How many events are shown: events `[..cursor]`.
    pub cursor: usize,
    /// The playhead, ms since the start of the run.
    pub position: f64,
    pub playing: bool,
    /// Run milliseconds per real millisecond.
    pub speed: f64,
}

impl Replay {
    /// A paused replay of `events` showing the whole run.
    pub fn new(events: &[Event]) -> Replay {
        let times: std::rc::Rc<[f64]> = events.iter().map(|e| e.t).collect();
        let end = times.iter().copied().fold(0.0, f64::max);
        Replay { cursor: times.len(), times, position: end, playing: false, speed: 1.0 }
    }

    /// The run's last instant.
    pub fn end(&self) -> f64 {
        self.times.last().copied().unwrap_or(0.0)
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether the run has no events.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    fn cursor_at(&self, t: f64) -> usize {
        self.times.partition_point(|&x| x <= t)
    }

    /// Starts playing; from the beginning if the playhead is at the end.
    pub fn play(&mut self) {
        if self.position >= self.end() {
            self.seek(0.0);
        }
        self.playing = true;
    }

    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Play if paused, pause if playing.
    pub fn toggle(&mut self) {
        if self.playing {
            self.pause()
        } else {
            self.play()
        }
    }

    /// Moves the playhead to `t` (clamped to the run), showing every event up to it.
    pub fn seek(&mut self, t: f64) {
        let t = if t.is_finite() { t.clamp(0.0, self.end()) } else { 0.0 };
        self.position = t;
        self.cursor = self.cursor_at(t);
    }

    /// Sets the speed, clamped to [`SPEEDS`]; a non-number leaves it unchanged.
    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() {
            self.speed = speed.clamp(SPEEDS.0, SPEEDS.1);
        }
    }

    /// Advances a playing replay by `real_ms` of real time; it pauses at the end.
    pub fn tick(&mut self, real_ms: f64) {
        if !self.playing || !real_ms.is_finite() || real_ms <= 0.0 {
            return;
        }
        let t = self.position + real_ms * self.speed;
        if t >= self.end() {
            self.seek(self.end());
            self.playing = false;
        } else {
            self.seek(t);
        }
    }

    /// Pauses and shows one more event, moving the playhead to its time.
    pub fn step_forward(&mut self) {
        self.playing = false;
        if self.cursor < self.times.len() {
            self.cursor += 1;
            self.position = self.times[self.cursor - 1];
        }
    }

    /// Pauses and hides the last shown event, moving the playhead to the one before it.
    pub fn step_back(&mut self) {
        self.playing = false;
        if self.cursor > 0 {
            self.cursor -= 1;
            self.position = if self.cursor == 0 { 0.0 } else { self.times[self.cursor - 1] };
        }
    }
}

/// What a `wait` span of `scenario`'s runs waits for: a semaphore's permit, a free worker of a
/// CPU pool (`source=cpu`, `offload=workers`, the `wait` before each job), or either; in the
/// reader's own code, any of asyncio's primitives (the span's end names which: `Event.wait`).
pub fn waiting_for(scenario: &Scenario) -> &'static str {
    if scenario.pattern == Pattern::Code {
        return "waiting for a lock, a permit, an event or a queue";
    }
    let pool = scenario.source == Source::Cpu && scenario.offload == Offload::Workers;
    match (pool, scenario.effective_limit().is_some()) {
        (true, false) => "waiting for a free worker",
        (true, true) => "waiting for a semaphore permit or a free worker",
        (false, _) => Phase::Wait.doing(),
    }
}

/// An event as a plain sentence (for the event log and screen readers).
pub fn describe(event: &Event, label: &str) -> String {
    describe_waiting(event, label, Phase::Wait.doing())
}

/// [`describe`], with what a `wait` span waits for named as `waiting` (see [`waiting_for`]).
pub fn describe_waiting(event: &Event, label: &str, waiting: &str) -> String {
    let at = format_ms(event.t);
    // A code run numbers its spans per task (its events carry a line): no retry attempt to name.
    let is_retry = event.attempt > 1 && event.line == 0;
    let attempt = if is_retry { format!(" (attempt {})", event.attempt) } else { String::new() };
    // "started its work" but "failed while working"; every other phase reads the same both ways.
    let doing = if event.phase == Phase::Wait { waiting } else { event.phase.doing() };
    let what = if event.phase == Phase::Work { "its work" } else { doing };
    let detail = if event.detail.is_empty() { String::new() } else { format!(": {}", event.detail) };
    let mut said = match event.kind {
        Kind::Begin => format!("At {at}, {label} started {what}{attempt}"),
        Kind::End => format!("At {at}, {label} finished {what}{attempt}{detail}"),
        Kind::Fail => format!("At {at}, {label} failed while {doing}{attempt}{detail}"),
        Kind::Cancel => format!("At {at}, {label} was cancelled while {doing}{attempt}"),
        Kind::Timeout => format!("At {at}, {label} timed out while {doing}{attempt}"),
        Kind::Done => format!("At {at}, {label} returned its result{detail}"),
        // A code task's `cancelled: …` is its `task.cancel(msg)`'s message, not a reason.
        Kind::Failed if event.line != 0 && &*event.detail == "cancelled" => {
            format!("At {at}, {label} was cancelled")
        }
        Kind::Failed => match event.detail.strip_prefix("cancelled: ") {
            Some(msg) if event.line != 0 => format!("At {at}, {label} was cancelled, with the message '{msg}'"),
            Some(why) => format!("At {at}, {label} was cancelled because {why}"),
            None => format!("At {at}, {label} gave up with an error{detail}"),
        },
        Kind::Fallback => format!("At {at}, {label} used a default value instead of its error{detail}"),
        Kind::Spawn => format!("At {at}, {label} was created{detail}"),
        Kind::Print if !event.detail.is_empty() => {
            format!("At {at}, {label} printed: {}", sentence_sized(&event.detail))
        }
        Kind::Print => format!("At {at}, {label} printed"),
    };
    // Text cut short ends the sentence with its ellipsis: "…." read as a typo.
    if !said.ends_with('…') {
        said.push('.');
    }
    said
}

/// A printed line as the replay's sentence quotes it: a line up to `budget::MAX_PRINT_BYTES` long
/// is whole in Output, and the sentence keeps its first 100 characters, so it stays a sentence.
fn sentence_sized(detail: &str) -> std::borrow::Cow<'_, str> {
    const MOST: usize = 100;
    match detail.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}…", &detail[..cut]).into(),
        None => detail.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::run::run_virtual;
    use crate::core::scenario::Scenario;

    fn replay_of(query: &str) -> (Replay, Vec<Event>) {
        let s = Scenario::from_query(query).unwrap();
        let run = run_virtual(&s);
        (Replay::new(&run.events), run.events)
    }

    #[test]
    fn a_long_printed_line_is_quoted_short_in_the_replay_sentence() {
        let print = |detail: String| Event {
            t: 1.0,
            task: 0,
            attempt: 0,
            kind: Kind::Print,
            phase: Phase::Task,
            detail: detail.into(),
            line: 5,
        };
        assert_eq!(describe(&print("done".into()), "main()"), "At 1 ms, main() printed: done.");
        let said = describe(&print("é".repeat(2_000)), "main()");
        assert!(said.ends_with("é…"), "{said}");
        assert_eq!(said.chars().filter(|&c| c == 'é').count(), 100);
    }

    #[test]
    fn a_sentence_that_ends_on_cut_text_ends_with_its_ellipsis_alone() {
        // An await-free loop's error, cut to the detail's budget: "…an `await…." it said.
        let long = format!("stopped: the program ran 5,000,000 steps {}", "x".repeat(400));
        let cut = crate::core::budget::tidy_detail(Kind::Failed, &long).unwrap();
        assert!(cut.ends_with('…'), "{cut}");
        let event = |kind: Kind, detail: &str| Event {
            t: 1_520.0,
            task: 1,
            attempt: 1,
            kind,
            phase: Phase::Work,
            detail: detail.into(),
            line: 6,
        };
        for kind in [Kind::End, Kind::Fail, Kind::Failed, Kind::Done, Kind::Fallback, Kind::Spawn, Kind::Print] {
            let said = describe(&event(kind, &cut), "spin()");
            assert!(said.ends_with("x…"), "{kind:?}: {said}");
        }
        // A pattern's reason (a code task's message is quoted: "…'." stays).
        let reason = Event { line: 0, ..event(Kind::Failed, &format!("cancelled: {cut}")) };
        assert!(describe(&reason, "task 1").ends_with("x…"), "{}", describe(&reason, "task 1"));
        // Whole text still ends with a full stop.
        assert_eq!(
            describe(&event(Kind::Failed, "ValueError: boom"), "bad()"),
            "At 1.52 s, bad() gave up with an error: ValueError: boom."
        );
    }

    #[test]
    fn a_new_replay_shows_the_whole_run_paused() {
        let (r, events) = replay_of("pattern=sequential&tasks=3&min=100&max=100");
        assert_eq!((r.cursor, r.position, r.playing), (events.len(), 300.0, false));
    }

    #[test]
    fn playing_from_the_end_restarts_and_ticks_advance_by_speed() {
        let (mut r, _) = replay_of("pattern=sequential&tasks=3&min=100&max=100");
        r.play();
        assert_eq!(r.position, 0.0);
        // At t=0 the first task has begun.
        assert_eq!(r.cursor, 1);
        r.set_speed(2.0);
        r.tick(60.0);
        assert_eq!(r.position, 120.0);
        r.tick(1_000.0);
        assert_eq!((r.position, r.playing), (300.0, false), "pauses at the end");
    }

    #[test]
    fn step_back_after_step_forward_returns_to_the_same_event() {
        let (mut r, events) = replay_of("pattern=gather&tasks=5&min=50&max=150&seed=3");
        r.seek(0.0);
        for _ in 0..4 {
            r.step_forward();
        }
        let (cursor, position) = (r.cursor, r.position);
        assert_eq!(position, events[cursor - 1].t);
        r.step_forward();
        r.step_back();
        assert_eq!((r.cursor, r.position), (cursor, position));
        // Simultaneous events are stepped one by one: five begins at t=0.
        r.seek(0.0);
        assert_eq!(r.cursor, 5);
    }

    #[test]
    fn seek_and_speed_are_clamped_and_steps_stop_at_the_ends() {
        let (mut r, events) = replay_of("pattern=sequential&tasks=2&min=100&max=100");
        r.seek(-5.0);
        assert_eq!((r.position, r.cursor), (0.0, 1));
        r.seek(f64::NAN);
        assert_eq!(r.position, 0.0);
        r.seek(10_000.0);
        assert_eq!(r.position, 200.0);
        r.step_forward();
        assert_eq!(r.cursor, events.len());
        r.set_speed(50.0);
        assert_eq!(r.speed, 10.0);
        r.set_speed(0.0);
        assert_eq!(r.speed, 0.1);
        for _ in 0..100 {
            r.step_back();
        }
        assert_eq!((r.cursor, r.position), (0, 0.0));
    }

    #[test]
    fn events_read_as_sentences() {
        let (_, events) = replay_of("pattern=sequential&tasks=1&min=100&max=100&fail=1");
        let text: Vec<String> = events.iter().map(|e| describe(e, "task 0")).collect();
        assert_eq!(text[0], "At 0 ms, task 0 started its work.");
        assert!(text[1].starts_with("At 100 ms, task 0 failed while working: simulated error"), "{}", text[1]);
        assert!(text[2].starts_with("At 100 ms, task 0 gave up with an error"), "{}", text[2]);
    }

    #[test]
    fn a_wait_for_a_worker_of_the_pool_is_not_called_a_permit() {
        let q = "pattern=gather&tasks=3&source=cpu&offload=workers&workers=1&min=10&max=10";
        let (s, run) = (Scenario::from_query(q).unwrap(), run_virtual(&Scenario::from_query(q).unwrap()));
        let wait = run.events.iter().find(|e| e.phase == Phase::Wait && e.kind == Kind::End && e.task == 1).unwrap();
        assert_eq!(
            describe_waiting(wait, "task 1", waiting_for(&s)),
            "At 10 ms, task 1 finished waiting for a free worker: worker 1."
        );
        let both = Scenario::from_query(&q.replace("pattern=gather", "pattern=semaphore&limit=2")).unwrap();
        assert_eq!(waiting_for(&both), "waiting for a semaphore permit or a free worker");
        assert_eq!(waiting_for(&Scenario::from_query("pattern=semaphore").unwrap()), "waiting for a semaphore permit");
        // The reader's code waits on any primitive (an Event here), not on a semaphore's permit.
        let code = Scenario::from_query("pattern=code&code=import%20asyncio").unwrap();
        assert_eq!(waiting_for(&code), "waiting for a lock, a permit, an event or a queue");
    }

    #[test]
    fn a_code_runs_span_number_is_not_called_an_attempt() {
        let e = |line| Event {
            t: 5.0,
            task: 1,
            attempt: 2,
            kind: Kind::Begin,
            phase: Phase::Fetch,
            detail: Default::default(),
            line,
        };
        assert_eq!(describe(&e(9), "fetch(1)"), "At 5 ms, fetch(1) started fetching.");
        assert!(describe(&e(0), "task 1").contains("(attempt 2)"));
    }

    /// A code task's end says how asyncio ended it: `task.cancel("because")` leaves a message,
    /// which is not a reason to put after "because" ("was cancelled because because").
    #[test]
    fn a_cancelled_code_task_s_message_is_quoted_not_taken_for_a_reason() {
        let e = |detail: &str, line| Event {
            t: 5.0,
            task: 2,
            attempt: 0,
            kind: Kind::Failed,
            phase: Phase::Task,
            detail: detail.into(),
            line,
        };
        assert_eq!(
            describe(&e("cancelled: because", 9), "worker(2)"),
            "At 5 ms, worker(2) was cancelled, with the message 'because'."
        );
        assert_eq!(describe(&e("cancelled", 9), "worker(2)"), "At 5 ms, worker(2) was cancelled.");
        // A pattern's task: the reason it records.
        assert_eq!(
            describe(&e("cancelled: task 2 won", 0), "task 3"),
            "At 5 ms, task 3 was cancelled because task 2 won."
        );
    }
}
