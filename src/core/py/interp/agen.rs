//! Async generators (`async def` with `yield`), as CPython 3.12 runs them under asyncio.
//!
//! A generator's body is one future, made when it first runs and kept by the interpreter between
//! its steps (the values are `'static`, the future borrows the run). Each step (`__anext__()`,
//! `asend(v)`, `athrow(e)`, `aclose()`) is awaited in some task, which polls the body in its own
//! poll, as CPython runs an async generator's frame inside the task that awaits the step: the
//! body's awaits suspend that task, its spans and prints are that task's, and a cancellation of
//! that task is raised at the body's current await. At a `yield` the body hands its value over
//! and waits, unpolled, for the next step's value or exception.
//!
//! asyncio's hooks are modelled too, because they are visible: a generator that took a step is
//! remembered by the loop (`firstiter`); once its object is gone, if it did not run to its end
//! (a `break` out of `async for`, an exception in the loop's body), the loop's finalizer calls
//! `create_task(agen.aclose())` soon (a task of its own, `Task-N`, whose `finally:` blocks run an
//! iteration or two later); and `asyncio.run` closes those still alive as it shuts down.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use super::tasks::TaskObj;
use super::value::{Func, Scope, Value};
use super::{raise, Exc, Flow, Frame, Interp, Res, E};

/// A generator's body between its steps.
pub type AgenFut<'a> = Pin<Box<dyn Future<Output = Res> + 'a>>;

/// Where a generator stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    /// Made, its body not started.
    Created,
    /// Stopped at a `yield`.
    Suspended,
    /// A step is running it.
    Running,
    /// Its body ended (returned or raised), or it was closed.
    Done,
}

/// A step of a generator: `asend(v)` (`__anext__()` sends `None`), `athrow(e)`, or `aclose()`
/// (which throws `GeneratorExit`, or, in a finalizer's task cancelled before it starts, that
/// task's `CancelledError`).
pub enum Step {
    Send(Value),
    Throw(Exc),
    Close(Option<Exc>),
}

/// What a `yield` gets back.
enum Resume {
    Send(Value),
    Throw(Exc),
}

/// An async generator object (`Obj::AsyncGen`).
pub struct AgenCore {
    id: usize,
    pub func: Rc<Func>,
    /// The call as written (`ticker(3)`), for the lane of a task closing it.
    pub label: RefCell<Rc<str>>,
    /// The bound arguments, until the body starts.
    scope: RefCell<Option<Rc<Scope>>>,
    pub state: Cell<State>,
    /// asyncio's `firstiter` hook ran (it took a step): the loop finalizes it.
    hooked: Cell<bool>,
    /// `aclose()` was called (CPython's `ag_closed`): no finalizer then.
    closed: Cell<bool>,
    /// Its object is referenced (`asyncio.run` closes those alive as it ends).
    alive: Cell<bool>,
    /// The loop's callback that makes the closing task, and its slot.
    finalizer: RefCell<Option<(usize, Waker)>>,
    inbox: RefCell<Option<Resume>>,
    outbox: RefCell<Option<Value>>,
    /// The task running the current step.
    task: RefCell<Option<Rc<TaskObj>>>,
}

impl AgenCore {
    /// Whether its body's scope (its arguments and locals, whose parent is its function's
    /// defining scope) is alive: made, and not ended.
    pub fn holds_scope(&self) -> bool {
        self.state.get() != State::Done
    }

    /// Its object is gone: asyncio's finalizer hook, for a generator that took a step and did
    /// not end, schedules the task that closes it.
    pub fn dropped(&self) {
        self.alive.set(false);
        let unfinished = self.hooked.get() && !self.closed.get() && self.state.get() != State::Done;
        if let (true, Some((_, finalizer))) = (unfinished, self.finalizer.borrow_mut().take()) {
            finalizer.wake();
        }
    }
}

impl<'a> Interp<'a> {
    /// Calling an async generator function: the generator, its body not started.
    pub fn new_agen(&self, func: Rc<Func>, scope: Rc<Scope>, label: String) -> Value {
        let id = self.next_agen.get();
        self.next_agen.set(id + 1);
        let core = AgenCore {
            id,
            func,
            label: RefCell::new(Rc::from(label)),
            scope: RefCell::new(Some(scope)),
            state: Cell::new(State::Created),
            hooked: Cell::new(false),
            closed: Cell::new(false),
            alive: Cell::new(true),
            finalizer: RefCell::default(),
            inbox: RefCell::default(),
            outbox: RefCell::default(),
            task: RefCell::default(),
        };
        Value::Obj(Rc::new(super::native::Obj::AsyncGen(Rc::new(core))))
    }

    /// asyncio's `firstiter` hook: the loop remembers the generator and will finalize it.
    fn hook(&self, g: &Rc<AgenCore>, line: u32) {
        if g.hooked.replace(true) {
            return;
        }
        let mut alive = self.agen_alive.borrow_mut();
        if alive.len() >= 64 && alive.len().is_power_of_two() {
            alive.retain(|w| w.upgrade().is_some_and(|g| g.alive.get()));
        }
        alive.push(Rc::downgrade(g));
        drop(alive);
        let (me, core) = (self.me.clone(), g.clone());
        let finalizer = self.lp.callback_waker(move || {
            if let Some(ip) = me.upgrade() {
                if ip.running.get() {
                    ip.spawn_aclose(core, line);
                }
            }
        });
        *g.finalizer.borrow_mut() = Some(finalizer);
    }

    /// The generator's body ended: its finalizer will not be needed.
    fn agen_ended(&self, g: &AgenCore) {
        g.state.set(State::Done);
        if let Some((slot, _)) = g.finalizer.borrow_mut().take() {
            self.lp.forget_timer_callback(slot);
        }
    }

    /// `create_task(agen.aclose())`, from asyncio's finalizer or its shutdown.
    fn spawn_aclose(&self, g: Rc<AgenCore>, line: u32) {
        let label = Rc::from(format!("{}.aclose()", g.label.borrow()));
        let Ok(task) = self.new_task(label, None, line) else { return };
        let ip = self.rc();
        self.lp.spawn(async move {
            // Cancelled before its first step (`asyncio.run` cancels what is left), the task
            // throws its `CancelledError` into the generator instead of `GeneratorExit`.
            let step = match ip.cancelled_before_start(&task) {
                Some(msg) => Step::Close(Some(ip.exc_of(Flow::Raise(E::CancelledError, msg)))),
                None => Step::Close(None),
            };
            ip.code_starts(&task);
            let frame = Frame::new(ip.globals.clone(), None, task.clone(), task.label.clone(), line);
            let result = ip.agen_step(&g, step, &frame, line).await;
            ip.finish_task(&task, result, false);
        });
    }

    /// What `asyncio.run` does last (`loop.shutdown_asyncgens()`, a task of asyncio's own): a
    /// task closing each generator that took a step and is still referenced, and the wait for
    /// them.
    pub async fn shutdown_agens(&self, f: &Frame, line: u32) {
        let alive: Vec<Rc<AgenCore>> = std::mem::take(&mut *self.agen_alive.borrow_mut())
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|g| g.alive.get())
            .collect();
        self.made_tasks.set(self.made_tasks.get() + 1);
        if alive.is_empty() {
            return;
        }
        let first = self.tasks.borrow().len();
        for g in alive {
            self.spawn_aclose(g, line);
        }
        let closing: Vec<Rc<TaskObj>> = self.tasks.borrow()[first..].to_vec();
        for t in &closing {
            let _ = self.suspend(&f.task(), std::pin::pin!(t.done_future())).await;
        }
    }

    /// One step of generator `g`, awaited in `f`'s task: what it yields, or how it ends
    /// (`StopAsyncIteration` once it is done, for `asend`).
    pub async fn agen_step(&self, g: &Rc<AgenCore>, step: Step, f: &Frame, line: u32) -> Res {
        let verb = match step {
            Step::Send(_) => "anext",
            Step::Throw(_) => "athrow",
            Step::Close(_) => "aclose",
        };
        if g.state.get() == State::Running {
            return raise(E::RuntimeError, format!("{verb}(): asynchronous generator is already running"));
        }
        self.hook(g, line);
        let closing = matches!(step, Step::Close(_));
        if closing {
            g.closed.set(true);
        }
        let resume = match (g.state.get(), step) {
            (State::Done, Step::Send(_)) => return raise(E::StopAsyncIteration, ""),
            // Closed or ended: `aclose()` and `athrow()` give None.
            (State::Done, _) => return Ok(Value::None),
            // Not started: a throw ends it without running it.
            (State::Created, Step::Close(exc)) => {
                self.agen_ended(g);
                g.scope.borrow_mut().take();
                return exc.map_or(Ok(Value::None), |e| Err(Flow::Exc(Box::new(e))));
            }
            (State::Created, Step::Throw(exc)) => {
                self.agen_ended(g);
                g.scope.borrow_mut().take();
                return Err(Flow::Exc(Box::new(exc)));
            }
            (State::Created, Step::Send(v)) if !matches!(v, Value::None) => {
                return raise(E::TypeError, "can't send non-None value to a just-started async generator")
            }
            (State::Created, Step::Send(_)) => None,
            (_, Step::Send(v)) => Some(Resume::Send(v)),
            (_, Step::Throw(exc)) => Some(Resume::Throw(exc)),
            (_, Step::Close(exc)) => {
                Some(Resume::Throw(exc.unwrap_or_else(|| self.exc_of(Flow::Raise(E::GeneratorExit, String::new())))))
            }
        };
        let task = f.task();
        let depth = task.depth.get() + 1;
        if depth > super::limits::MAX_DEPTH {
            return raise(
                E::RecursionError,
                format!("maximum recursion depth exceeded ({} nested calls)", super::limits::MAX_DEPTH),
            );
        }
        let body = match resume {
            None => self.agen_body(g, &task)?,
            Some(r) => match self.agens.borrow_mut().remove(&g.id) {
                Some(body) => {
                    *g.inbox.borrow_mut() = Some(r);
                    body
                }
                None => return raise(E::RuntimeError, "the async generator's body is gone"),
            },
        };
        // The step gives the task's line back as it ends (see `run_body`).
        let caller_line = task.line.get();
        task.depth.set(depth);
        *g.task.borrow_mut() = Some(task.clone());
        g.state.set(State::Running);
        let mut body = body;
        let out = poll_fn(|cx| match body.as_mut().poll(cx) {
            Poll::Ready(end) => Poll::Ready(Err(end)),
            Poll::Pending => match g.outbox.borrow_mut().take() {
                Some(v) => Poll::Ready(Ok(v)),
                None => Poll::Pending,
            },
        })
        .await;
        task.depth.set(depth - 1);
        task.line.set(caller_line);
        g.task.borrow_mut().take();
        let end = match out {
            Ok(v) => {
                g.state.set(State::Suspended);
                self.agens.borrow_mut().insert(g.id, body);
                return if closing { raise(E::RuntimeError, "async generator ignored GeneratorExit") } else { Ok(v) };
            }
            Err(end) => end,
        };
        drop(body);
        self.agen_ended(g);
        match end {
            Ok(_) if closing => Ok(Value::None),
            Ok(_) => raise(E::StopAsyncIteration, ""),
            Err(flow) if closing && self.flow_is(&flow, E::GeneratorExit) => Ok(Value::None),
            Err(flow) if self.flow_is(&flow, E::StopAsyncIteration) || self.flow_is(&flow, E::StopIteration) => {
                // PEP 479: a `StopAsyncIteration` (or `StopIteration`) raised in the body would
                // end the iteration quietly; it becomes a RuntimeError, caused by it.
                let what = if self.flow_is(&flow, E::StopIteration) { "StopIteration" } else { "StopAsyncIteration" };
                let cause = self.exc_of(flow).value;
                let err = self.new_exception(
                    self.classes.get(E::RuntimeError),
                    vec![Value::str(&format!("async generator raised {what}"))],
                );
                self.set_cause(&err, cause);
                Err(Flow::Exc(Box::new(Exc::new(err))))
            }
            Err(flow) => Err(flow),
        }
    }

    /// The generator's body as a future, in a frame of its own that `yield`s resume in the task
    /// of the step that resumes them.
    fn agen_body(&self, g: &Rc<AgenCore>, task: &Rc<TaskObj>) -> Result<AgenFut<'a>, Flow> {
        let Some(scope) = g.scope.borrow_mut().take() else {
            return raise(E::RuntimeError, "the async generator's body is gone");
        };
        let method_of = self.method_of(&g.func, &scope);
        let (ip, core, task) = (self.rc(), g.clone(), task.clone());
        Ok(Box::pin(async move {
            let name = Rc::from(core.func.def.name.as_str());
            let mut frame = Frame::new(scope.clone(), Some(scope), task, name, core.func.def.pos.line);
            frame.method_of = method_of;
            frame.gen = Some(core.clone());
            frame.qualname = Some(core.func.qual.clone());
            let result = ip.exec_block(&core.func.def.body, &frame).await;
            drop(frame.closure.take());
            ip.release_locals(&frame.scope, &core.func.def.captured, 1, 0);
            match result {
                Ok(_) | Err(Flow::Return(_)) => Ok(Value::None),
                Err(flow) => Err(ip.add_frame(flow, &frame)),
            }
        }))
    }

    /// `yield value` in `f`, an async generator's body: hands `value` to the step that runs it,
    /// then waits for the next step, which the `yield` gives (a value sent) or raises (a throw).
    pub async fn agen_yield(&self, value: Value, f: &Frame) -> Res {
        let Some(g) = f.gen.clone() else {
            return raise(E::RuntimeError, "'yield' outside an async generator's body");
        };
        *g.outbox.borrow_mut() = Some(value);
        let resume = poll_fn(|_| match g.inbox.borrow_mut().take() {
            Some(r) => Poll::Ready(r),
            None => Poll::Pending,
        })
        .await;
        if let Some(task) = g.task.borrow().clone() {
            f.set_task(task);
        }
        match resume {
            Resume::Send(v) => Ok(v),
            Resume::Throw(exc) => Err(Flow::Exc(Box::new(exc))),
        }
    }
}
