//! The app's state and the actions that change it (a `use_reducer` reducible). Long-lived tasks
//! never hold a state snapshot: they dispatch actions tagged with their run id, and actions from
//! a run that is no longer current are dropped.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::run::{run_virtual, Run};
use crate::core::scenario::{ClockKind, ParamError, Scenario};
use crate::core::timeline::Timeline;
use crate::runtime::LiveRun;

/// Largest run whose prediction is recomputed on every valid edit (bigger ones on Run).
const LIVE_PREDICTION_TASKS: u32 = 5_000;

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
        let lanes = self.live.scenario.workload().len();
        match &self.run {
            Some(run) => Timeline::build(lanes, &run.events, f64::INFINITY),
            None => self.live.rec.with_events(|ev| Timeline::build(lanes, &ev[..self.len.min(ev.len())], self.now)),
        }
    }
}

#[derive(Clone)]
pub struct State {
    /// The form's fields as typed, by URL key.
    pub form: Vec<(String, String)>,
    /// What is wrong with the form (shown next to each field).
    pub errors: Vec<ParamError>,
    /// A notice about the URL the page was opened with.
    pub notice: Option<String>,
    /// The last valid scenario.
    pub scenario: Scenario,
    /// The virtual-clock run of `scenario` (or of the measured run's scenario, once one starts).
    pub predicted: Option<Rc<Run>>,
    pub measured: Option<Measured>,
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
            notice,
            predicted: (scenario.workload().len() <= LIVE_PREDICTION_TASKS).then(|| predict(&scenario)),
            scenario,
            measured: None,
        }
    }

    /// The form as `(key, value)` pairs for [`Scenario::parse`].
    pub fn form_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.form.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether the measured run is still going.
    pub fn running(&self) -> bool {
        self.measured.as_ref().is_some_and(|m| m.run.is_none() && !m.cancelled)
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
                s.form = form_of(&scenario);
                s.errors.clear();
                s.scenario = scenario;
            }
            Action::Rejected(errors) => s.errors = errors,
            Action::Started(live) => {
                if s.predicted.as_ref().is_none_or(|p| p.parsed_scenario().ok().as_ref() != Some(&with_virtual(&live.scenario))) {
                    s.predicted = Some(predict(&live.scenario));
                }
                s.notice = None;
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
                m.run = Some(Rc::new(run));
            }
            Action::Cancelled { id } => {
                if !s.is_current(id) {
                    return self;
                }
                s.measured.as_mut().expect("current run").cancelled = true;
            }
        }
        Rc::new(s)
    }
}

fn with_virtual(s: &Scenario) -> Scenario {
    Scenario { clock: ClockKind::Virtual, ..s.clone() }
}
