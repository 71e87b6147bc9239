//! The run session: at most one run is live on the browser clock at a time. Starting a run aborts
//! the previous one; each run has its own id and its own recorder, so nothing a cancelled run does
//! afterwards can reach the new one.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::{AbortHandle, Abortable, FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen_futures::spawn_local;

use super::clock::BrowserClock;
use super::fetch::{self, CodeWork, FetchWork};
use super::py_module;
use crate::core::event::{Kind, Phase, Recorder};
use crate::core::page::Started;
use crate::core::patterns::{self, Ctx};
use crate::core::run::Run;
use crate::core::scenario::{ClockKind, Pattern, Scenario, Source, DEFAULT_URL};

/// Resolves to the finished run, or `None` if it was cancelled.
pub type Finished = Shared<LocalBoxFuture<'static, Option<Run>>>;

/// A run on the browser clock, live or finished. Cheap to clone.
#[derive(Clone)]
pub struct LiveRun {
    /// Unique within the page.
    pub id: u64,
    pub scenario: Scenario,
    /// The events so far (read it per animation frame to draw progress).
    pub rec: Recorder,
    /// Completes when the run ends.
    pub finished: Finished,
    /// Why the run could not do its work at all (say, the browser refused the mock API's service
    /// worker): a plain sentence for the page. Every task then fails with it at time 0.
    pub problem: Rc<RefCell<Option<String>>>,
    /// Started by a script ([`start_script_run`]).
    pub by_script: bool,
    abort: AbortHandle,
}

impl LiveRun {
    /// What the page keeps of the run: its id, scenario, recorder and problem (plain data; this
    /// handle, which can cancel the run and be awaited, stays with the session).
    pub fn started(&self) -> Started {
        let (id, scenario, rec, problem) = (self.id, self.scenario.clone(), self.rec.clone(), self.problem.clone());
        Started { id, scenario, rec, problem, by_script: self.by_script }
    }

    /// Stops the run; its spans close as cancelled and `finished` resolves to `None`.
    pub fn cancel(&self) {
        self.abort.abort();
    }
}

type Listener = Rc<dyn Fn(&LiveRun)>;

#[derive(Default)]
struct Session {
    next_id: u64,
    current: Option<LiveRun>,
    listeners: Vec<(u64, Listener)>,
    next_listener: u64,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::default();
}

/// Starts `scenario` on the browser clock, cancelling the run in progress, and tells the
/// listeners. The scenario's own `clock` is ignored: this is always the measured run.
pub fn start_browser_run(scenario: Scenario) -> LiveRun {
    start(scenario, false)
}

/// [`start_browser_run`] for a script (`awaitlab.run`): the page puts its values in the form as
/// it shows it (`core::page::Started::by_script`).
pub fn start_script_run(scenario: Scenario) -> LiveRun {
    start(scenario, true)
}

fn start(scenario: Scenario, by_script: bool) -> LiveRun {
    let clock = BrowserClock::new();
    let mut scenario = scenario;
    scenario.clock = ClockKind::Browser;
    // A program runs in the interpreter module (py_module::measure), unless this thread can
    // run code itself (the browser tests register the interpreter).
    let code = scenario.pattern == Pattern::Code;
    let in_module = code && crate::core::py::runner::runner().is_none();
    let ctx = match scenario.source {
        // The context only records what the module sends.
        _ if in_module => Ctx::new(clock.clone(), scenario.clone()),
        // A program's requests are real whatever `source` says: `session.get` is a fetch.
        _ if code => Ctx::with_work(clock.clone(), scenario.clone(), Rc::new(CodeWork::new(clock.clone()))),
        Source::Sleep => Ctx::new(clock.clone(), scenario.clone()),
        Source::Fetch => Ctx::with_work(clock.clone(), scenario.clone(), Rc::new(FetchWork::new(&scenario.url))),
        Source::Cpu => Ctx::with_work(clock.clone(), scenario.clone(), super::cpu::work(&scenario)),
    };
    let rec = ctx.rec.clone();
    let problem: Rc<RefCell<Option<String>>> = Rc::default();
    let body = {
        let scenario = scenario.clone();
        let problem = problem.clone();
        async move {
            // Set-up (registering the mock API's worker) is not part of the run's time.
            let ready = match scenario.source {
                // The interpreter module loads before the run's clock starts.
                _ if code => match if in_module { py_module::load().await } else { Ok(()) } {
                    Err(why) => Err(why),
                    Ok(()) if fetch::code_uses_mock_api(&scenario.code) => fetch::prepare(DEFAULT_URL).await,
                    Ok(()) => Ok(()),
                },
                Source::Fetch => fetch::prepare(&scenario.url).await,
                Source::Cpu => super::cpu::prepare(&scenario).await,
                Source::Sleep => Ok(()),
            };
            // Nor is anything the page does to show the run: its clock starts now, in the
            // microtask after `start_browser_run` (the page draws the run in the frames after,
            // away from due timers: `ui::run_hooks`).
            ctx.rec.restart_clock();
            if let Err(message) = ready {
                // A code run has no tasks before its program creates them: the problem says it.
                let tasks = if scenario.pattern == Pattern::Code { 0 } else { ctx.workload.len() };
                for task in 0..tasks {
                    ctx.rec.record(task, 0, Kind::Failed, Phase::Task, message.clone());
                }
                *problem.borrow_mut() = Some(message);
                return Run::new(&scenario, ClockKind::Browser, ctx.rec.snapshot());
            }
            if in_module {
                // The program runs in the interpreter module, on this thread; its events arrive
                // in ctx.rec about once per frame, so the timeline draws as it runs.
                return match py_module::measure(&scenario, &ctx.rec).await {
                    Ok(run) => run,
                    Err(message) => {
                        *problem.borrow_mut() = Some(message);
                        Run::new(&scenario, ClockKind::Browser, ctx.rec.snapshot())
                    }
                };
            }
            patterns::run(&ctx).await;
            let mut run = Run::new(&scenario, ClockKind::Browser, ctx.rec.snapshot());
            if scenario.source == Source::Cpu {
                run.calibration = Some(super::cpu::calibrate());
            }
            run
        }
    };
    let (abort, registration) = AbortHandle::new_pair();
    let (tx, rx) = futures::channel::oneshot::channel();
    spawn_local(async move {
        if let Ok(run) = Abortable::new(body, registration).await {
            let _ = tx.send(run);
        }
    });
    let finished: Finished = rx.map(Result::ok).boxed_local().shared();
    let (run, listeners) = SESSION.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(old) = s.current.take() {
            old.cancel();
        }
        s.next_id += 1;
        let run = LiveRun { id: s.next_id, scenario, rec, finished, problem, by_script, abort };
        s.current = Some(run.clone());
        (run, s.listeners.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>())
    });
    for l in listeners {
        l(&run);
    }
    run
}

/// The run in progress or last started, if any.
pub fn current() -> Option<LiveRun> {
    SESSION.with(|s| s.borrow().current.clone())
}

/// Cancels the current run, if any.
pub fn cancel_current() {
    if let Some(run) = current() {
        run.cancel();
    }
}

/// Calls `f` whenever a run starts; dropping the returned guard unsubscribes.
pub fn on_start(f: impl Fn(&LiveRun) + 'static) -> Subscription {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        s.next_listener += 1;
        let id = s.next_listener;
        s.listeners.push((id, Rc::new(f)));
        Subscription(id)
    })
}

/// Keeps an [`on_start`] listener registered while it lives.
pub struct Subscription(u64);

impl Drop for Subscription {
    fn drop(&mut self) {
        SESSION.with(|s| s.borrow_mut().listeners.retain(|(id, _)| *id != self.0));
    }
}
