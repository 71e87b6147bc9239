//! A finished (or live) run: its scenario, events and summary, and the versioned JSON it is
//! exported and imported as.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::clock::VirtualClock;
use super::event::{Event, Flight, Kind, Phase};
use super::patterns;
use super::scenario::{is_known_key, ClockKind, ParamError, Pattern, Scenario};
use super::spans::{spans, Step};
use super::timeline::Timeline;
use super::workload::Tasks;

/// `format` of the Run JSON.
pub const RUN_FORMAT: &str = "awaitlab-run";
/// `version` of the Run JSON this build writes; it reads this one and every older one.
pub const RUN_VERSION: u32 = 1;

/// Largest Run JSON [`Run::from_json`] reads, in bytes (see [`budget`](super::budget)).
pub use super::budget::MAX_RUN_BYTES;
/// Most events in an imported run (a run of a valid scenario has at most this many).
pub const MAX_RUN_EVENTS: usize = super::budget::MAX_EVENTS as usize;

/// Figures of a run, all derived from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub tasks: u32,
    /// Time from the start of the run to its last event.
    pub makespan_ms: f64,
    /// Most tasks in flight at once (waiting for a permit or a backoff does not count).
    pub peak_concurrency: u32,
    /// Attempts started: work spans, or fetch spans in a pipeline.
    pub attempts: u32,
    /// Attempts that ended in an error.
    pub failed_attempts: u32,
    /// Tasks that finished with an error of any kind: their own, a timeout or a cancellation (as
    /// in version 1 of the Run JSON; the next two fields tell the kinds apart).
    pub failures: u32,
    /// Of `failures`, the tasks that were cancelled (by a race's winner, a TaskGroup's first
    /// error): cancelled is not failed.
    #[serde(default)]
    pub cancelled: u32,
    /// Of `failures`, the tasks whose last attempt hit its deadline (`asyncio.wait_for`).
    #[serde(default)]
    pub timed_out: u32,
    /// Sum of the time tasks spent in flight: what a sequential run would take.
    pub busy_ms: f64,
}

/// A time in ms to the microsecond, as the page reports figures ([`Summary::reported`], the
/// import's note): `707.2`, not `707.2000000001863`. One too large for that stays as it is.
pub fn to_microsecond(ms: f64) -> f64 {
    let us = (ms * 1000.0).round() / 1000.0;
    if us.is_finite() {
        us
    } else {
        ms
    }
}

impl Summary {
    /// Computes the summary of `events` (in recorded order) for a run of `tasks` tasks.
    pub fn of(tasks: u32, events: &[Event]) -> Summary {
        let mut s = Summary { tasks, ..Summary::default() };
        let mut in_flight: u32 = 0;
        let mut state = TaskStates::new(tasks, events.len());
        for step in spans(events) {
            let e = step.event();
            s.makespan_ms = s.makespan_ms.max(e.t);
            let is_attempt = e.phase.is_planned_work();
            match step {
                Step::Begin { .. } => {
                    s.attempts += u32::from(is_attempt);
                    let task = state.get(e.task);
                    if task.flight.begin(e.phase) {
                        task.since = e.t;
                        in_flight += 1;
                        s.peak_concurrency = s.peak_concurrency.max(in_flight);
                    }
                }
                Step::Close { begin, .. } => {
                    s.failed_attempts += u32::from(is_attempt && e.kind != Kind::End);
                    let task = state.get(e.task);
                    task.last_close = Some(e.kind);
                    if begin.is_some() && task.flight.close(e.phase) {
                        in_flight -= 1;
                        s.busy_ms += e.t - task.since;
                    }
                }
                Step::Mark { .. } if e.kind == Kind::Failed => {
                    s.failures += 1;
                    // A task's own end says it was cancelled (every pattern's and asyncio's
                    // `cancelled…`): a code task may catch its `CancelledError`, clean up (a
                    // span that ends normally) and raise it again, and asyncio still calls it
                    // cancelled. Otherwise how its last span closed tells.
                    if e.detail.starts_with("cancelled") {
                        s.cancelled += 1;
                    } else {
                        match state.get(e.task).last_close {
                            Some(Kind::Cancel) => s.cancelled += 1,
                            Some(Kind::Timeout) => s.timed_out += 1,
                            _ => {}
                        }
                    }
                }
                Step::Mark { .. } => {}
            }
        }
        s
    }

    /// Tasks that failed with their own error: not cancelled, not timed out.
    pub fn failed_on_their_own(&self) -> u32 {
        self.failures - self.cancelled - self.timed_out
    }

    /// The summary as `awaitlab:finished` and `awaitlab.summary()` report it: its milliseconds to
    /// the microsecond, without the float noise of clock readings' differences (`707.2`, not
    /// `707.2000000001863`). The Run JSON keeps the recorded figures.
    pub fn reported(mut self) -> Summary {
        for ms in [&mut self.makespan_ms, &mut self.busy_ms] {
            *ms = to_microsecond(*ms);
        }
        self
    }

    /// How many times faster than running the same work one by one (`busy / makespan`).
    pub fn speedup(&self) -> f64 {
        if self.makespan_ms > 0.0 {
            self.busy_ms / self.makespan_ms
        } else {
            1.0
        }
    }
}

/// [`Summary::of`]'s state of each task: its active spans, since when it has had one, and how its
/// last closed span ended (to tell a cancelled or timed-out task apart).
#[derive(Clone, Copy, Default)]
struct TaskState {
    flight: Flight,
    since: f64,
    last_close: Option<Kind>,
}

/// [`TaskState`]s by task: a run's tasks are numbered from 0, so a list (no hashing per event);
/// a task past the run's count, which only a malformed list of events has, goes in a map.
struct TaskStates {
    lanes: Vec<TaskState>,
    others: FxHashMap<u32, TaskState>,
}

impl TaskStates {
    fn new(tasks: u32, events: usize) -> Self {
        TaskStates { lanes: vec![TaskState::default(); (tasks as usize).min(events)], others: FxHashMap::default() }
    }

    fn get(&mut self, task: u32) -> &mut TaskState {
        match self.lanes.get_mut(task as usize) {
            Some(state) => state,
            None => self.others.entry(task).or_default(),
        }
    }
}

/// The scenario as stored in a Run: its parameters (URL keys, typed) and its seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunScenario {
    pub params: Map<String, Value>,
    pub seed: u64,
}

/// A recorded run, as exported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub format: String,
    pub version: u32,
    pub scenario: RunScenario,
    /// The clock that produced these events.
    pub clock: ClockKind,
    /// Lane labels, one per task; empty when every lane is called "task N".
    #[serde(default)]
    pub labels: Vec<String>,
    pub events: Vec<Event>,
    pub summary: Summary,
    /// A measured `source=cpu` run: how much computation one unit was (absent otherwise, and in
    /// files written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<super::cpu::Calibration>,
    /// What importing it found to say (not part of the Run JSON): its file's summary disagreed
    /// with the one its events give ([`from_json`](Run::from_json) keeps the events').
    #[serde(skip)]
    pub import_note: Option<String>,
}

/// The same run whatever its import said about the file it came from (`import_note`).
impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        let Run { format, version, scenario, clock, labels, events, summary, calibration, import_note: _ } = self;
        (format, version, scenario, clock, labels, events, summary, calibration)
            == (
                &other.format,
                &other.version,
                &other.scenario,
                &other.clock,
                &other.labels,
                &other.events,
                &other.summary,
                &other.calibration,
            )
    }
}

impl Run {
    /// Wraps recorded events as a Run of `scenario` on `clock`.
    pub fn new(scenario: &Scenario, clock: ClockKind, events: Vec<Event>) -> Run {
        let workload = scenario.workload();
        // A program kept beside another pattern never ran: written as none, so left out of the
        // params (removing it from the map costs 3 KB of wasm).
        let scenario = &scenario.without_idle_program();
        let params = match serde_json::to_value(scenario) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Run {
            format: RUN_FORMAT.into(),
            version: RUN_VERSION,
            scenario: RunScenario { params, seed: scenario.seed },
            clock,
            labels: match workload.tasks {
                _ if scenario.pattern == Pattern::Code => code_labels(&events),
                Tasks::Fixed(_) => (0..workload.len()).map(|t| workload.label(t)).collect(),
                Tasks::Random { .. } => Vec::new(),
            },
            summary: Summary::of(lanes(scenario, &events), &events),
            calibration: None,
            import_note: None,
            events,
        }
    }

    /// Task `task`'s lane label.
    pub fn label(&self, task: u32) -> String {
        self.labels.get(task as usize).cloned().unwrap_or_else(|| format!("task {task}"))
    }

    /// The run laid out whole, with the planned ends of work cut short (when its scenario reads).
    pub fn timeline(&self) -> Timeline {
        let tl = Timeline::build(self.summary.tasks, &self.events, f64::INFINITY);
        match self.parsed_scenario() {
            Ok(scenario) => with_plan(tl, &scenario),
            Err(_) => tl,
        }
    }

    /// The scenario this run was made from, validated again. A known key's `null` is no value, as
    /// in `awaitlab.run` (`message::param_pair`): the text `null` is `none`, which the semaphore
    /// refuses, and a semaphore's run written before its params always held a limit has `null`.
    pub fn parsed_scenario(&self) -> Result<Scenario, Vec<ParamError>> {
        let texts: Vec<(String, String)> = self
            .scenario
            .params
            .iter()
            .filter(|(k, v)| !(v.is_null() && is_known_key(k)))
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect();
        Scenario::parse(texts.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The Run JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Reads a Run JSON written by this or an older version, checking it is one and that its
    /// events are ones its scenario can record; the summary is recomputed from the events rather
    /// than trusted (where the file's disagrees, [`Run::import_note`] says so). Hostile input
    /// gets an error naming the problem, never a panic (see [`import`](super::import)). Strings
    /// are kept as data: the UI only renders them as text.
    pub fn from_json(text: &str) -> Result<Run, String> {
        super::import::read_run(text)
    }
}

/// How many lanes a run of `s` recording `events` has: its workload's tasks, or for a code run
/// the tasks its program created (its `spawn` marks), which no one knows before it runs.
pub fn lanes(s: &Scenario, events: &[Event]) -> u32 {
    if s.pattern == Pattern::Code {
        events.iter().filter(|e| e.kind == Kind::Spawn).count() as u32
    } else {
        s.workload().len()
    }
}

/// A code run's lane labels: each task's `spawn` detail (`fetch_url('…/3')`), by task.
pub fn code_labels(events: &[Event]) -> Vec<String> {
    let mut labels = Vec::new();
    for e in events.iter().filter(|e| e.kind == Kind::Spawn) {
        let task = e.task as usize;
        if task >= labels.len() {
            labels.resize_with(task + 1, String::new);
        }
        labels[task] = e.detail.to_string();
    }
    // A task numbered past the spawn count would have no lane; the count is the lanes'.
    labels.truncate(events.iter().filter(|e| e.kind == Kind::Spawn).count());
    for (task, label) in labels.iter_mut().enumerate().filter(|(_, l)| l.is_empty()) {
        *label = format!("task {task}");
    }
    labels
}

/// `tl` with the planned ends of its cut-short work (the workload's plan; a code run has none).
pub fn with_plan(tl: Timeline, s: &Scenario) -> Timeline {
    if s.pattern == Pattern::Code {
        tl
    } else {
        tl.with_plan(&s.workload())
    }
}

/// Runs `scenario` on a fresh virtual clock: the predicted run.
pub fn run_virtual(scenario: &Scenario) -> Run {
    // A code scenario's prediction comes from whoever registered one (the page asks the lazily
    // loaded interpreter module); without one, the registered runner runs it here.
    if scenario.pattern == Pattern::Code {
        if let Some(predict) = super::py::runner::predictor() {
            return predict(scenario);
        }
    }
    let clock = VirtualClock::new();
    let ctx = super::cpu::predicted_ctx(&clock, scenario);
    // Patterns only wait on the clock, so a stall would be a bug in a pattern; the events up to it
    // are still returned so the timeline shows where it stopped. The reader's code can stall
    // (an `Event` nobody sets): the prediction says so rather than end quietly at that instant.
    let stalled = clock.block_on(patterns::run(&ctx)).is_err();
    let (now, mut events) = (ctx.rec.elapsed(), ctx.rec.take());
    if stalled && scenario.pattern == Pattern::Code {
        let marks = deadlock_marks(&events, now);
        events.extend(marks);
    }
    Run::new(scenario, ClockKind::Virtual, events)
}

/// What a code run that stalled at `now` ends with (every task waits on something nothing will
/// do; CPython's `asyncio.run` would wait forever), to append to its `events`: each span still
/// open closes as cancelled, each task still running fails as stopped at the line it was last
/// seen, and the main lane says why. The prediction stalls when its clock has no timer left; a
/// measured run when nothing woke it with no timer armed and no request out. (The stalled
/// tasks' futures are never dropped, so their spans would stay open: a Run JSON refuses that.)
pub fn deadlock_marks(events: &[Event], now: f64) -> Vec<Event> {
    // Within an event's 100 bytes (`budget::MAX_DETAIL_BYTES`), prefix included.
    const WHY: &str = "a deadlock: no task can go on and no timer is due";
    let mut last_line: Vec<Option<u32>> = Vec::new();
    let mut open: Vec<&Event> = Vec::new();
    for e in events {
        let i = e.task as usize;
        if i >= last_line.len() {
            last_line.resize(i + 1, None);
        }
        let line = if e.line != 0 { e.line } else { last_line[i].unwrap_or(0) };
        last_line[i] = (!matches!(e.kind, Kind::Done | Kind::Failed)).then_some(line);
        if e.kind == Kind::Begin {
            open.push(e);
        } else if e.kind.closes_span() {
            open.retain(|b| (b.task, b.attempt, b.phase) != (e.task, e.attempt, e.phase));
        }
    }
    let at = |e: Event| Event { t: now, ..e };
    let mark = |task: u32, kind, detail: &str, line| {
        at(Event { t: 0.0, task, attempt: 0, kind, phase: Phase::Task, detail: detail.into(), line })
    };
    // Innermost first, as they would unwind.
    let mut marks: Vec<Event> = open
        .iter()
        .rev()
        .map(|b| at(Event { kind: Kind::Cancel, detail: "a deadlock".into(), ..(*b).clone() }))
        .collect();
    let stopped = format!("awaitlab stopped the program: {WHY}");
    marks.push(mark(0, Kind::Print, &stopped, last_line.first().copied().flatten().unwrap_or(0)));
    marks.extend(
        last_line
            .iter()
            .enumerate()
            .filter_map(|(task, line)| line.map(|line| mark(task as u32, Kind::Failed, "stopped: a deadlock", line))),
    );
    marks
}
