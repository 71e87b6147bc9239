//! The page's state and the actions that change it, as plain data: the Yew app keeps it in a
//! `use_reducer` (`ui::state` only implements the trait), and native tests drive it directly.
//!
//! A run on the browser clock is held here by what the page draws from it (its id, scenario,
//! recorder and problem); the runtime's handle, which can cancel it and be awaited, stays with the
//! runtime's session. Long-lived tasks never hold a state snapshot: they dispatch actions tagged
//! with their run id, and actions from a run that is no longer current are dropped, except its
//! end: a finished run always joins the history.

use std::cell::RefCell;
use std::rc::Rc;

use super::event::Recorder;
use super::replay::Replay;
use super::run::{run_virtual, Run};
use super::scenario::{
    is_known_key, is_tracking_key, reads_as_none, shown, ClockKind, ParamError, Pattern, Preset, Scenario,
    DEFAULT_LIMIT,
};
use super::timeline::Timeline;

/// Largest run whose prediction is recomputed on every valid edit (bigger ones while a run of them
/// is live, once its timers leave the page time: [`Action::Predict`]; a link's after the page's
/// first paint: [`Action::Painted`]).
pub const LIVE_PREDICTION_TASKS: u32 = 5_000;
/// Runs kept in the session's history.
pub const HISTORY: usize = 12;
/// Most runs drawn together in the compare view.
pub const MAX_COMPARE: usize = 4;

/// A run that started on the browser clock, as the page sees it.
#[derive(Clone)]
pub struct Started {
    /// Unique within the page.
    pub id: u64,
    pub scenario: Scenario,
    /// The run's events so far, shared with the run (read per frame to draw progress).
    pub rec: Recorder,
    /// Why the run could not do its work at all, once it knows (shared with the run).
    pub problem: Rc<RefCell<Option<String>>>,
    /// Started by a script (`awaitlab.run`), not by the page's form: the form takes its values
    /// when the page shows it.
    pub by_script: bool,
}

/// The measured run on screen.
#[derive(Clone)]
pub struct Measured {
    pub started: Started,
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
    pub fn id(&self) -> u64 {
        self.started.id
    }

    pub fn scenario(&self) -> &Scenario {
        &self.started.scenario
    }

    /// Why the run could not do its work, if it could not.
    pub fn problem(&self) -> Option<String> {
        self.started.problem.borrow().clone()
    }

    /// Calls `f` with the events seen by the last frame.
    pub fn with_events<R>(&self, f: impl FnOnce(&[super::event::Event]) -> R) -> R {
        self.started.rec.with_events(|ev| f(&ev[..self.len.min(ev.len())]))
    }

    /// The measured timeline as of the last frame.
    pub fn timeline(&self) -> Timeline {
        let s = self.scenario();
        let tl = match &self.run {
            Some(run) => Timeline::build(run.summary.tasks, &run.events, f64::INFINITY),
            None => self.with_events(|ev| Timeline::build(super::run::lanes(s, ev), ev, self.now)),
        };
        super::run::with_plan(tl, s)
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
    /// Whether the page shows other values than its link gives (a bad value replaced by its
    /// default, a key given twice): the address bar is then written from the scenario at once,
    /// so it is what the page shows. A link that only has keys awaitlab does not know is left as
    /// it was opened.
    pub link_replaced: bool,
    /// What the status line says instead of the measured run's state, unless a run is live: why
    /// the last run left the timelines, where a replayed run came from or whose values it has.
    pub note: Option<String>,
    /// The last valid scenario ([`Self::scenario`]). Set only through [`Self::set_scenario`],
    /// which keeps `unmeasurable` with it.
    scenario: Scenario,
    /// Why Run cannot measure `scenario` ([`Scenario::unmeasurable`]), worked out once per
    /// scenario: the status line and Run's state ask on every render, a replay's frames too, and
    /// counting an inline CPU plan takes up to 1.6 ms (a 10,000-task retry, natively).
    unmeasurable: Option<String>,
    /// How many times the values on screen changed (`scenario`'s, or a replayed run's beside its
    /// own prediction): what is made for them (a guess) keys on it, so it goes when they change.
    pub values_changed: u32,
    /// The virtual-clock run of `scenario` (or of the measured run's scenario, once one starts:
    /// `None` until [`Action::Predict`] computes it, when the form did not already predict it).
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
    /// A run started on the browser clock. Its prediction is kept when the page already shows it
    /// (the form's scenario); otherwise it is left for [`Action::Predict`]: computing it here
    /// would delay the run's first timers or, before its clock, the caller.
    Started(Started),
    /// Compute the prediction of run `id`, if it is current and has none yet (the page asks when
    /// no timer is due for a while; a finished run gets it anyway).
    Predict { id: u64 },
    /// A frame passed while run `id` is live.
    Frame { id: u64, len: usize, now: f64 },
    /// Run `id` finished: it joins the history, and is replayed if it is the run on screen.
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
    /// A run joins the history and is replayed, its scenario the page's (form, link, prediction):
    /// a virtual run made on request (`None`), or a Run JSON imported (`Some(how)`, e.g.
    /// "imported from run.json"), which the status line then names.
    Import(Run, Option<String>),
    /// A file picked or dropped could not be imported (`why`, naming the file): the status line
    /// says so instead of the last import's sentence; the runs stay as they were.
    ImportFailed(String),
    /// The Python interpreter module loaded (or failed to): a code prediction is made again.
    Repredict,
    /// The page has been painted: a link too big to predict before (past
    /// [`LIVE_PREDICTION_TASKS`]) is predicted now, if nothing else took the screen meanwhile.
    Painted,
}

/// What the replay controls ask for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplayCmd {
    Toggle,
    /// Play (from a script or a host page: whatever the replay was doing).
    Play,
    /// Pause (likewise).
    Pause,
    Seek(f64),
    StepForward,
    StepBack,
    Speed(f64),
    /// Real milliseconds since the last frame.
    Tick(f64),
}

/// The scenario a link opens, and what the link had wrong: bad values fall back to their
/// defaults, a platform's tracking keys (`utm_source`, `fbclid`) are left out, and `pattern=code`
/// naming no program (an error for a script, kept in the list) opens the editor on the default
/// pattern's Python, as picking "Your own code" in the Pattern menu does.
pub fn link_scenario(pairs: &[(String, String)]) -> (Scenario, Vec<ParamError>) {
    let pairs = pairs.iter().filter(|(k, _)| !is_tracking_key(k));
    let (scenario, errors) = Scenario::parse_lenient(pairs.map(|(k, v)| (k.as_str(), v.as_str())));
    if errors.iter().any(ParamError::is_no_program) {
        return (super::code::as_program(&scenario), errors);
    }
    (scenario, errors)
}

/// What a link's errors come to: the values replaced by their defaults, then the keys ignored
/// (an unknown key changes nothing, so it is not a value "replaced by defaults"), then the values
/// `scenario` keeps but does not run ([`Scenario::unused_note`]).
fn url_notice(errors: &[ParamError], scenario: &Scenario) -> Option<String> {
    // A repeated unknown key is ignored as the unknown key it is.
    let (repeats, errors): (Vec<&ParamError>, Vec<&ParamError>) =
        errors.iter().partition(|e| e.is_repeat() && is_known_key(&e.key));
    let (unknown, bad): (Vec<&ParamError>, Vec<&ParamError>) =
        errors.into_iter().partition(|e| e.key != "params" && !is_known_key(&e.key));
    let mut parts = Vec::new();
    if !bad.is_empty() {
        let list: Vec<&str> = bad.iter().map(|e| e.message.as_str()).collect();
        parts.push(format!(
            "This link had values awaitlab cannot use, so their defaults are shown instead: {}.",
            list.join("; ")
        ));
    }
    if !repeats.is_empty() {
        // The first value is the one read (scenario::Scenario::parse_lenient), not the default.
        let keys: Vec<String> = repeats.iter().map(|e| shown(&e.key)).collect();
        parts.push(format!("This link gives {} more than once: the first value is used.", keys.join(", ")));
    }
    if !unknown.is_empty() {
        let mut keys: Vec<String> = unknown.iter().map(|e| shown(&e.key)).collect();
        keys.dedup();
        parts.push(format!(
            "Ignored {} awaitlab does not know: {} (it knows {}).",
            if keys.len() == 1 { "a key" } else { "keys" },
            keys.join(", "),
            Scenario::KEYS.join(", ")
        ));
    }
    parts.extend(scenario.unused_note());
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn form_of(s: &Scenario) -> Vec<(String, String)> {
    s.to_pairs().into_iter().filter(|(k, _)| *k != "v").map(|(k, v)| (k.to_string(), v)).collect()
}

fn predict(s: &Scenario) -> Rc<Run> {
    Rc::new(run_virtual(&with_virtual(s)))
}

/// `s` on the virtual clock, as its prediction's Run JSON reads back (no program beside another
/// pattern: [`Run::new`] leaves it out).
fn with_virtual(s: &Scenario) -> Scenario {
    Scenario { clock: ClockKind::Virtual, ..s.without_idle_program() }
}

/// Whether two scenarios run the same tasks the same way, whichever clock each names (and
/// whatever program a scenario of another pattern keeps).
pub fn same_values(a: &Scenario, b: &Scenario) -> bool {
    with_virtual(a) == with_virtual(b)
}

/// The prediction recomputed on every edit, for scenarios small enough.
fn live_prediction(s: &Scenario) -> Option<Rc<Run>> {
    (s.workload().len() <= LIVE_PREDICTION_TASKS).then(|| predict(s))
}

/// Whether an action changed the state (an action that changes nothing leaves the same `Rc`, so
/// nothing is drawn again).
enum Outcome {
    Changed,
    Ignored,
}
use Outcome::{Changed, Ignored};

impl State {
    /// The state for a page opened with these URL pairs ([`link_scenario`]): bad values fall back
    /// to defaults, with a notice that names them; keys it does not know are ignored, and named
    /// once; a platform's tracking keys (`utm_source`, `fbclid`) are ignored silently.
    pub fn from_url(pairs: &[(String, String)]) -> State {
        let (scenario, mut errors) = link_scenario(pairs);
        let link_replaced = errors.iter().any(|e| e.key == "params" || is_known_key(&e.key));
        // A link naming no program opens the editor, as the Pattern menu does: nothing to say.
        errors.retain(|e| !e.is_no_program());
        let notice = url_notice(&errors, &scenario);
        State {
            link_replaced,
            form: form_of(&scenario),
            errors: Vec::new(),
            hint: None,
            notice,
            note: None,
            predicted: live_prediction(&scenario),
            unmeasurable: scenario.unmeasurable(),
            scenario,
            values_changed: 0,
            measured: None,
            history: Vec::new(),
            next_number: 1,
            replay: None,
            compare: Vec::new(),
        }
    }

    /// The form's scenario is now `scenario`.
    fn set_scenario(&mut self, scenario: Scenario) {
        self.unmeasurable = scenario.unmeasurable();
        self.scenario = scenario;
    }

    /// The last valid scenario: the form's values, as Run would run them.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Why Run cannot measure the form's values ([`Scenario::unmeasurable`]), if it cannot.
    pub fn unmeasurable(&self) -> Option<&str> {
        self.unmeasurable.as_deref()
    }

    /// Whether Run can measure the form's values.
    pub fn measurable(&self) -> bool {
        self.unmeasurable.is_none()
    }

    /// Run `number` of the history.
    pub fn run(&self, number: u32) -> Option<&Rc<Run>> {
        self.history.iter().find(|(n, _)| *n == number).map(|(_, r)| r)
    }

    /// The form's fields with `pairs` set, as an edit or a host page's `set` leaves them. A switch
    /// to the semaphore pattern while the form's limit is none (retry, resource and pipeline may
    /// run without a semaphore, the semaphore pattern cannot) puts the semaphore's default in the
    /// field, where the form shows it, rather than leaving a `none` the new pattern refuses; a
    /// `limit` among `pairs` is kept as given (and refused if it is none).
    pub fn form_with(&self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        let mut form = self.form.clone();
        for (k, v) in pairs {
            match form.iter_mut().find(|(m, _)| m == k) {
                Some(slot) => slot.1.clone_from(v),
                None => form.push((k.clone(), v.clone())),
            }
        }
        let to_semaphore = pairs.iter().any(|(k, v)| k == "pattern" && v.trim() == Pattern::Semaphore.key());
        if to_semaphore && !pairs.iter().any(|(k, _)| k == "limit") {
            if let Some(limit) = form.iter_mut().find(|(k, v)| k == "limit" && reads_as_none(v)) {
                limit.1 = DEFAULT_LIMIT.to_string();
            }
        }
        form
    }

    /// The form as `(key, value)` pairs for [`Scenario::parse`].
    pub fn form_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.form.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether the live run's prediction is still to be computed ([`Action::Predict`]).
    pub fn prediction_pending(&self) -> bool {
        self.predicted.is_none() && self.running()
    }

    /// Whether the measured run is still going.
    pub fn running(&self) -> bool {
        self.measured.as_ref().is_some_and(|m| m.run.is_none() && !m.cancelled)
    }

    /// The state after `action`: the same `Rc` when the action changes nothing (a frame of a run
    /// that is no longer current, a replay command with nothing to replay…).
    pub fn step(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match s.apply(action) {
            Changed => Rc::new(s),
            Ignored => self,
        }
    }

    fn apply(&mut self, action: Action) -> Outcome {
        match action {
            Action::Edit(key, value) => self.edit(key, value),
            Action::Load(scenario) => {
                // The link's values are gone from the page (the code panel's Edit, an example):
                // its notice with them.
                (self.hint, self.notice) = (None, None);
                self.form = form_of(&scenario);
                self.errors.clear();
                // The prediction follows a loaded scenario as it follows an edit (the code panel's
                // Edit loads the pattern's own Python as a code scenario).
                if scenario != self.scenario {
                    self.show_scenario(scenario);
                }
            }
            Action::Rejected(errors) => self.errors = errors,
            Action::Started(started) => self.start(started),
            Action::Predict { id } => {
                if self.predicted.is_some() {
                    return Ignored;
                }
                let Some(m) = self.current(id) else { return Ignored };
                let scenario = m.scenario().clone();
                self.predicted = Some(predict(&scenario));
            }
            Action::Frame { id, len, now } => {
                let Some(m) = self.current(id) else { return Ignored };
                (m.len, m.now) = (len, now);
            }
            Action::Finished { id, run } => return self.finish(id, run),
            Action::Cancelled { id } => {
                let Some(m) = self.current(id) else { return Ignored };
                m.cancelled = true;
                self.note = None;
            }
            Action::Replay(cmd) => return self.replay_cmd(cmd),
            Action::SelectReplay(number) => {
                let Some(run) = self.run(number).cloned() else { return Ignored };
                self.replay = Some((number, Replay::new(&run.events)));
                self.predict_for(&run);
                // The form may hold other values: say which ones Run measures (when it can: else
                // the status says why not).
                self.note = run.parsed_scenario().is_ok_and(|s| !same_values(&s, &self.scenario)).then(|| {
                    format!(
                        "Run #{number} is replayed beside the prediction of its own values{}.",
                        self.runs_form("; Run measures the form's")
                    )
                });
            }
            Action::ToggleCompare(number) => {
                if self.compare.contains(&number) {
                    self.compare.retain(|n| *n != number);
                } else if self.compare.len() < MAX_COMPARE && self.run(number).is_some() {
                    self.compare.push(number);
                }
            }
            Action::AddAndCompare(runs) => {
                self.compare.clear();
                for run in runs {
                    let number = self.remember(Rc::new(run));
                    if self.compare.len() < MAX_COMPARE {
                        self.compare.push(number);
                    }
                }
            }
            Action::Import(run, how) => self.import(run, how),
            Action::ImportFailed(why) => {
                let kept = if self.history.is_empty() { "" } else { " The runs already here are unchanged." };
                let said = format!("{}.{kept}", why.trim_end_matches('.'));
                // A live run's status is its progress: the notice above the form says it then.
                if self.running() {
                    self.notice = Some(said);
                } else {
                    self.note = Some(said);
                }
            }
            Action::Repredict => {
                let Some(scenario) = self.predicted.as_ref().and_then(|p| p.parsed_scenario().ok()) else {
                    return Ignored;
                };
                if scenario.pattern != Pattern::Code {
                    return Ignored;
                }
                self.predicted = Some(predict(&scenario));
            }
            Action::Painted => {
                if self.predicted.is_some() || self.measured.is_some() || self.replay.is_some() {
                    return Ignored;
                }
                self.predicted = Some(predict(&self.scenario));
            }
        }
        Changed
    }

    fn edit(&mut self, key: String, value: String) {
        // "Your own code" picked in the Pattern menu while the form holds no program (it refused
        // the pattern without one): the code panel's Edit. A program kept beside another pattern
        // comes back instead.
        if key == "pattern" && value == Pattern::Code.key() && self.scenario.code.trim().is_empty() {
            self.apply(Action::Load(super::code::as_program(&self.scenario)));
            return;
        }
        self.hint = None;
        // The link's notice says what the page showed of it ("their defaults are shown
        // instead"); once the reader edits the form, that is no longer what is on screen.
        self.notice = None;
        if key == "pattern" {
            self.hint = self.nudge_failures(&value);
        }
        self.form = self.form_with(&[(key, value)]);
        match Scenario::parse(self.form_pairs()) {
            Ok(scenario) => {
                if scenario != self.scenario {
                    self.show_scenario(scenario);
                }
                self.errors.clear();
            }
            Err(errors) => self.errors = errors,
        }
    }

    /// The form's scenario changed. A run is only ever drawn beside the prediction of its own
    /// values: a live run keeps its own until it ends; a finished or replayed one leaves the
    /// timelines and figures (it stays in the history) and the status says why.
    fn show_scenario(&mut self, scenario: Scenario) {
        let predicted = (!self.running()).then(|| live_prediction(&scenario));
        self.set_scenario(scenario);
        if let Some(predicted) = predicted {
            if let Some((n, _)) = self.replay.take() {
                self.note = self.measurable().then(|| {
                    format!("These values have not run yet: press Run to measure them (run #{n} stays under Runs this session).")
                });
            }
            self.measured = None;
            self.predicted = predicted;
        }
        self.values_changed += 1;
    }

    fn start(&mut self, started: Started) {
        let predicts_it = self
            .predicted
            .as_ref()
            .is_some_and(|p| p.parsed_scenario().is_ok_and(|s| same_values(&s, &started.scenario)));
        if !predicts_it {
            self.predicted = None;
        }
        if started.by_script && !same_values(&started.scenario, &self.scenario) {
            // As a loaded run's do: the address bar, Copy link and Embed then give the run on
            // screen, not the form's other values (the form's prediction went above).
            (self.hint, self.form) = (None, form_of(&started.scenario));
            self.set_scenario(started.scenario.clone());
            self.errors.clear();
            self.values_changed += 1;
        }
        self.notice = None;
        self.note = None;
        self.replay = None;
        self.measured = Some(Measured { started, len: 0, now: 0.0, run: None, cancelled: false });
    }

    fn finish(&mut self, id: u64, run: Run) -> Outcome {
        let unpredicted = self.predicted.is_none();
        let run = Rc::new(run);
        let Some(m) = self.current(id) else {
            // Another run took the screen before this one's end was drawn (a script's runs back to
            // back): what it recorded is still kept.
            self.remember(run);
            return Changed;
        };
        (m.len, m.now) = (run.events.len(), run.summary.makespan_ms);
        m.run = Some(run.clone());
        // A run that ended before the loop had time for its prediction gets it now.
        if unpredicted {
            let scenario = m.scenario().clone();
            self.predicted = Some(predict(&scenario));
        }
        self.note = None;
        self.remember_and_replay(run);
        Changed
    }

    fn replay_cmd(&mut self, cmd: ReplayCmd) -> Outcome {
        let Some((_, r)) = self.replay.as_mut() else { return Ignored };
        match cmd {
            ReplayCmd::Toggle => r.toggle(),
            ReplayCmd::Play => r.play(),
            ReplayCmd::Pause => r.pause(),
            ReplayCmd::Seek(t) => r.seek(t),
            ReplayCmd::StepForward => r.step_forward(),
            ReplayCmd::StepBack => r.step_back(),
            ReplayCmd::Speed(x) => r.set_speed(x),
            ReplayCmd::Tick(_) if !r.playing => return Ignored,
            ReplayCmd::Tick(dt) => r.tick(dt),
        }
        Changed
    }

    /// The prediction beside a run that is replayed: of the run's own scenario (none without one).
    /// Other values than the prediction's on screen count as a change of values: a guess made for
    /// those goes (an imported or picked run of other values kept it).
    fn predict_for(&mut self, run: &Run) {
        let scenario = run.parsed_scenario().ok();
        let shown = self.predicted.as_ref().and_then(|p| p.parsed_scenario().ok());
        if !matches!((&scenario, &shown), (Some(a), Some(b)) if same_values(a, b)) {
            self.values_changed += 1;
        }
        self.predicted = scenario.map(|s| predict(&s));
    }

    /// An imported run is shown as what it is: its values fill the form (so Run and the link
    /// reproduce it), beside their prediction. A live run leaves the screen, and joins the history
    /// when it ends.
    fn import(&mut self, run: Run, how: Option<String>) {
        self.predict_for(&run);
        // What the file had wrong, after where it came from (the run is what its events are).
        let found = run.import_note.as_ref().map_or(String::new(), |n| format!(" {n}"));
        if let Ok(scenario) = run.parsed_scenario() {
            (self.hint, self.form) = (None, form_of(&scenario));
            self.set_scenario(scenario);
            self.errors.clear();
        }
        self.measured = None;
        let number = self.remember_and_replay(Rc::new(run));
        self.note = how.map(|how| {
            format!(
                "Run #{number} was {how}: its values are in the form now{}.{found}",
                self.runs_form(", and Run measures them on this page")
            )
        });
    }

    /// `clause`, if Run can measure the form's values (else the status says why not:
    /// [`Scenario::unmeasurable`]).
    fn runs_form(&self, clause: &'static str) -> &'static str {
        if self.measurable() {
            clause
        } else {
            ""
        }
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

    fn remember_and_replay(&mut self, run: Rc<Run>) -> u32 {
        let replay = Replay::new(&run.events);
        let number = self.remember(run);
        self.replay = Some((number, replay));
        number
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

    /// The measured run, if it is run `id`.
    fn current(&mut self, id: u64) -> Option<&mut Measured> {
        self.measured.as_mut().filter(|m| m.started.id == id)
    }
}
