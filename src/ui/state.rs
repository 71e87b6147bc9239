//! The app's state and the actions that change it (a `use_reducer` reducible). Long-lived tasks
//! never hold a state snapshot: they dispatch actions tagged with their run id, and actions from
//! a run that is no longer current are dropped.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::replay::Replay;
use crate::core::run::{run_virtual, Run};
use crate::core::scenario::{ClockKind, ParamError, Preset, Scenario};
use crate::core::timeline::Timeline;
use crate::runtime::LiveRun;

/// Largest run whose prediction is recomputed on every valid edit (bigger ones on Run).
const LIVE_PREDICTION_TASKS: u32 = 5_000;
/// Runs kept in the session's history.
pub const HISTORY: usize = 12;
/// Most runs drawn together in the compare view.
pub const MAX_COMPARE: usize = 4;

/// The measured run on screen.
#[derive(Clone)]
pub struct Measured {
    pub live: LiveRun,
    /// Events seen by the last frame.
    pub len: usize,
    /// Milliseconds since the run started, at the last frame.
    pub now: f64,
    /// Set when the run has finished.
    pub run: Option<Rc<Run>>,
    /// Set when the run was cancelled before it finished.
    pub cancelled: bool,
}

impl Measured {
    /// The measured timeline as of the last frame.
    pub fn timeline(&self) -> Timeline {
        let workload = self.live.scenario.workload();
        let lanes = workload.len();
        let tl = match &self.run {
            Some(run) => Timeline::build(lanes, &run.events, f64::INFINITY),
            None => self.live.rec.with_events(|ev| Timeline::build(lanes, &ev[..self.len.min(ev.len())], self.now)),
        };
        tl.with_plan(&workload)
    }
}

#[derive(Clone)]
pub struct State {
    /// The form's fields as typed, by URL key.
    pub form: Vec<(String, String)>,
    /// What is wrong with the form (shown next to each field).
    pub errors: Vec<ParamError>,
    /// A note about a change the form made by itself.
    pub hint: Option<String>,
    /// A notice about the URL the page was opened with.
    pub notice: Option<String>,
    /// The last valid scenario.
    pub scenario: Scenario,
    /// The virtual-clock run of `scenario` (or of the measured run's scenario, once one starts).
    pub predicted: Option<Rc<Run>>,
    pub measured: Option<Measured>,
    /// Finished runs of this session, oldest first, each with a number for its label.
    pub history: Vec<(u32, Rc<Run>)>,
    pub next_number: u32,
    /// The run being replayed (a number from `history`) and where its replay is.
    pub replay: Option<(u32, Replay)>,
    /// Runs picked for the compare view (numbers from `history`).
    pub compare: Vec<u32>,
}

pub enum Action {
    /// A field changed.
    Edit(String, String),
    /// Replace the whole form (an example button); the caller starts the run.
    Load(Scenario),
    /// The form was submitted with errors.
    Rejected(Vec<ParamError>),
    /// A run started on the browser clock.
    Started(LiveRun),
    /// A frame passed while run `id` is live.
    Frame { id: u64, len: usize, now: f64 },
    /// Run `id` finished.
    Finished { id: u64, run: Run },
    /// Run `id` was cancelled.
    Cancelled { id: u64 },
    /// A replay command for the run being replayed.
    Replay(ReplayCmd),
    /// Replay run `number` of the history.
    SelectReplay(u32),
    /// Add or remove run `number` in the compare view.
    ToggleCompare(u32),
    /// Add runs (e.g. predictions of other patterns) to the history and compare them.
    AddAndCompare(Vec<Run>),
    /// An imported (or posted, or virtual) run joins the history and is replayed.
    Import(Run),
}

/// What the replay controls ask for.
pub enum ReplayCmd {
    Toggle,
    Seek(f64),
    StepForward,
    StepBack,
    Speed(f64),
    /// Real milliseconds since the last frame.
    Tick(f64),
}

fn form_of(s: &Scenario) -> Vec<(String, String)> {
    s.to_pairs().into_iter().filter(|(k, _)| *k != "v").map(|(k, v)| (k.to_string(), v)).collect()
}

fn predict(s: &Scenario) -> Rc<Run> {
    let mut virt = s.clone();
    virt.clock = ClockKind::Virtual;
    Rc::new(run_virtual(&virt))
}

impl State {
    /// The state for a page opened with these URL pairs: bad values fall back to defaults, with
    /// a notice that names them.
    pub fn from_url(pairs: &[(String, String)]) -> State {
        let (scenario, errors) = Scenario::parse_lenient(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let notice = (!errors.is_empty()).then(|| {
            let list: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            format!("This link had values awaitlab cannot use, so defaults are shown instead: {}.", list.join("; "))
        });
        State {
            form: form_of(&scenario),
            errors: Vec::new(),
            hint: None,
            notice,
            predicted: (scenario.workload().len() <= LIVE_PREDICTION_TASKS).then(|| predict(&scenario)),
            scenario,
            measured: None,
            history: Vec::new(),
            next_number: 1,
            replay: None,
            compare: Vec::new(),
        }
    }

    /// Run `number` of the history.
    pub fn run(&self, number: u32) -> Option<&Rc<Run>> {
        self.history.iter().find(|(n, _)| *n == number).map(|(_, r)| r)
    }

    fn remember(&mut self, run: Rc<Run>) -> u32 {
        let number = self.next_number;
        self.next_number += 1;
        self.history.push((number, run));
        if self.history.len() > HISTORY {
            let dropped = self.history.remove(0).0;
            self.compare.retain(|n| *n != dropped);
            if self.replay.as_ref().is_some_and(|(n, _)| *n == dropped) {
                self.replay = None;
            }
        }
        number
    }

    /// The form as `(key, value)` pairs for [`Scenario::parse`].
    pub fn form_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.form.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether the measured run is still going.
    pub fn running(&self) -> bool {
        self.measured.as_ref().is_some_and(|m| m.run.is_none() && !m.cancelled)
    }

    /// Switching the form to a pattern about errors while it plans none: sets the failure
    /// probability to 0.3, so there is something to see, and says so. (A default that depended on
    /// the pattern would change what old links without `fail` reproduce; this only edits the form.)
    fn nudge_failures(&mut self, pattern: &str) -> Option<String> {
        let pattern = Scenario::parse([("pattern", pattern)]).ok()?.pattern;
        // The article's breakfast never fails: there is no failure probability to set.
        if self.scenario.preset != Preset::Random {
            return None;
        }
        let fail = self.form.iter_mut().find(|(k, _)| k == "fail")?;
        if !pattern.is_about_failures() || fail.1.trim().parse::<f64>().ok() != Some(0.0) {
            return None;
        }
        fail.1 = "0.3".into();
        Some(format!(
            "Failure probability set to 0.3: {} only shows something when tasks fail. Set it back to 0 to see it without errors.",
            pattern.title()
        ))
    }

    fn is_current(&self, id: u64) -> bool {
        self.measured.as_ref().is_some_and(|m| m.live.id == id)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Edit(key, value) => {
                s.hint = None;
                if key == "pattern" {
                    s.hint = s.nudge_failures(&value);
                }
                match s.form.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = value,
                    None => s.form.push((key, value)),
                }
                match Scenario::parse(s.form_pairs()) {
                    Ok(scenario) => {
                        if scenario != s.scenario {
                            s.predicted =
                                (scenario.workload().len() <= LIVE_PREDICTION_TASKS).then(|| predict(&scenario));
                            s.scenario = scenario;
                        }
                        s.errors.clear();
                    }
                    Err(errors) => s.errors = errors,
                }
            }
            Action::Load(scenario) => {
                s.hint = None;
                s.form = form_of(&scenario);
                s.errors.clear();
                s.scenario = scenario;
            }
            Action::Rejected(errors) => s.errors = errors,
            Action::Started(live) => {
                if s.predicted
                    .as_ref()
                    .is_none_or(|p| p.parsed_scenario().ok().as_ref() != Some(&with_virtual(&live.scenario)))
                {
                    s.predicted = Some(predict(&live.scenario));
                }
                s.notice = None;
                s.replay = None;
                s.measured = Some(Measured { live, len: 0, now: 0.0, run: None, cancelled: false });
            }
            Action::Frame { id, len, now } => {
                if !s.is_current(id) {
                    return self;
                }
                let m = s.measured.as_mut().expect("current run");
                (m.len, m.now) = (len, now);
            }
            Action::Finished { id, run } => {
                if !s.is_current(id) {
                    return self;
                }
                let m = s.measured.as_mut().expect("current run");
                (m.len, m.now) = (run.events.len(), run.summary.makespan_ms);
                let run = Rc::new(run);
                m.run = Some(run.clone());
                let replay = Replay::new(&run.events);
                let number = s.remember(run);
                s.replay = Some((number, replay));
            }
            Action::Replay(cmd) => {
                let Some((_, r)) = s.replay.as_mut() else { return self };
                match cmd {
                    ReplayCmd::Toggle => r.toggle(),
                    ReplayCmd::Seek(t) => r.seek(t),
                    ReplayCmd::StepForward => r.step_forward(),
                    ReplayCmd::StepBack => r.step_back(),
                    ReplayCmd::Speed(x) => r.set_speed(x),
                    ReplayCmd::Tick(dt) => {
                        if !r.playing {
                            return self;
                        }
                        r.tick(dt)
                    }
                }
            }
            Action::SelectReplay(number) => {
                let Some(run) = s.run(number).cloned() else { return self };
                s.replay = Some((number, Replay::new(&run.events)));
                if let Ok(scenario) = run.parsed_scenario() {
                    s.predicted = Some(predict(&scenario));
                }
            }
            Action::ToggleCompare(number) => {
                if s.compare.contains(&number) {
                    s.compare.retain(|n| *n != number);
                } else if s.compare.len() < MAX_COMPARE && s.run(number).is_some() {
                    s.compare.push(number);
                }
            }
            Action::AddAndCompare(runs) => {
                s.compare.clear();
                for run in runs {
                    let number = s.remember(Rc::new(run));
                    if s.compare.len() < MAX_COMPARE {
                        s.compare.push(number);
                    }
                }
            }
            Action::Cancelled { id } => {
                if !s.is_current(id) {
                    return self;
                }
                s.measured.as_mut().expect("current run").cancelled = true;
            }
            Action::Import(run) => {
                if let Ok(scenario) = run.parsed_scenario() {
                    s.predicted = Some(predict(&scenario));
                }
                let run = Rc::new(run);
                let replay = Replay::new(&run.events);
                let number = s.remember(run);
                s.replay = Some((number, replay));
            }
        }
        Rc::new(s)
    }
}

fn with_virtual(s: &Scenario) -> Scenario {
    Scenario { clock: ClockKind::Virtual, ..s.clone() }
}
