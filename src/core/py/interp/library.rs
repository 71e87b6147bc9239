//! asyncio, as the reader's code calls it: `run`, `sleep`, `gather`, `create_task`, `wait_for`,
//! `timeout`, `wait`, `as_completed`, `TaskGroup`, and the waits of `Semaphore`, `Lock`,
//! `Event`, `Condition` and `Queue` (FIFO, as in CPython 3.12).
//!
//! What is recorded: a sleep is a `work` span (detail `sleep(1.5)`; `sleep(0)` only yields); a
//! wait on a semaphore, lock, event, condition or queue is a `wait` span named after it,
//! recorded only when the task really waits (the built-in semaphore pattern records zero-length
//! waits too; for code that would fill the timeline with empty spans). A span a deadline interrupts closes with
//! `timeout`, one a cancellation interrupts with `cancel`.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::pin::pin;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use futures::FutureExt;

use super::agen::Step;
use super::builtins::B;
use super::call::Kwargs;
use super::native::{
    wake_next, AsCompletedState, CondState, EventState, GatherFut, GroupState, Obj, QueueKind, QueueState, SemKind,
    SemState, TimeoutState, WaitMode, Waiter,
};
use super::tasks::{Interrupt, TaskObj};
use super::value::{Dict, UnawaitedGuard, Value};
use super::{fmt, ops, raise, Exc, Flow, Frame, Interp, Res, E};
use crate::core::aio::Semaphore;
use crate::core::clock::Clock;
use crate::core::event::{Phase, Span};

fn kw<'k>(kwargs: &'k Kwargs, name: &str) -> Option<&'k Value> {
    kwargs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
}

/// Closes a wait span its task's interruption ended: `timeout` for a deadline, `cancel`
/// otherwise, either naming what it waited for (`detail`: `Queue.get`, `Event.wait`…), as the
/// reference names a cancelled wait by its kind too.
pub(super) fn close_interrupted(span: Span, why: Interrupt, detail: &str) {
    match why {
        Interrupt::Deadline => span.timeout(detail),
        Interrupt::Cancel => span.cancel(detail),
    }
}

/// Seconds (a number or None) as milliseconds.
pub fn seconds(v: Option<&Value>) -> Result<Option<f64>, Flow> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => match ops::as_f64(v) {
            Some(s) if s.is_nan() => raise(E::ValueError, "the delay is NaN"),
            Some(s) => Ok(Some((s * 1000.0).clamp(0.0, 1e12))),
            None => raise(E::TypeError, format!("a number of seconds was expected, not {}", v.type_name())),
        },
    }
}

impl<'a> Interp<'a> {
    /// `time.sleep(secs)`: blocks the event loop, as in CPython. No other task runs and no timer
    /// fires meanwhile (they fire late, after it), and `time.perf_counter()` moves on. The run's
    /// clock holds the loop ([`Clock::block`]: virtual time moves on; in the browser the page's
    /// thread spins that long, as inline CPU work computes). Recorded as a `work` span on the
    /// task's lane at the call's line, closing with `time.sleep(secs)`
    /// ([`crate::core::cpu::TIME_SLEEP`]): the loop's busy intervals. Bounded so the page never
    /// freezes long: [`budget::MAX_TIME_SLEEP_MS`] a call, [`budget::MAX_BLOCKED_MS`] a run.
    pub fn time_sleep(&self, args: &[Value], kwargs: &Kwargs, f: &Frame, line: u32) -> Res {
        use crate::core::budget;
        if !kwargs.is_empty() {
            return raise(E::TypeError, "time.sleep() takes no keyword arguments");
        }
        let [secs] = args else {
            return raise(E::TypeError, format!("time.sleep() takes exactly one argument ({} given)", args.len()));
        };
        // CPython's messages, in its order of checks.
        let s = match ops::as_f64(secs) {
            Some(s) if s.is_nan() => return raise(E::ValueError, "Invalid value NaN (not a number)"),
            Some(s) if s.is_infinite() => return raise(E::OverflowError, "timestamp out of range for platform time_t"),
            Some(s) if s < 0.0 => return raise(E::ValueError, "sleep length must be non-negative"),
            Some(s) => s,
            None => {
                return raise(
                    E::TypeError,
                    format!("'{}' object cannot be interpreted as an integer", secs.type_name()),
                )
            }
        };
        let ms = s * 1000.0;
        if ms == 0.0 {
            return Ok(Value::None);
        }
        let call = format!("time.sleep({})", fmt::repr(secs));
        let limit = |ms: f64| ms / 1000.0;
        if ms > budget::MAX_TIME_SLEEP_MS {
            return raise(
                E::ValueError,
                format!(
                    "{call} would freeze the page {s} s: awaitlab blocks the event loop at most {} s at a time",
                    limit(budget::MAX_TIME_SLEEP_MS)
                ),
            );
        }
        let blocked = self.blocked_ms.get() + ms;
        if blocked > budget::MAX_BLOCKED_MS {
            return raise(
                E::ValueError,
                format!(
                    "{call} would freeze the page past {} s in all: awaitlab blocks the event loop at most {} s a run",
                    limit(budget::MAX_BLOCKED_MS),
                    limit(budget::MAX_BLOCKED_MS)
                ),
            );
        }
        self.blocked_ms.set(blocked);
        let span = self.span(&f.task(), Phase::Work, line)?;
        self.ctx.clock.block(ms);
        span.end_with(call);
        Ok(Value::None)
    }

    /// asyncio's functions that make objects or tasks without waiting.
    pub fn call_asyncio(&self, b: B, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        let obj = |o: Obj| Ok(Value::Obj(Rc::new(o)));
        let first = args.first().cloned().unwrap_or(Value::None);
        match b {
            B::Sleep => {
                let ms = seconds(Some(&first))?.unwrap_or(0.0);
                let result = args.get(1).or(kw(&kwargs, "result")).cloned().unwrap_or(Value::None);
                let text = Rc::from(format!("sleep({})", fmt::repr(&first)));
                obj(Obj::Sleep { ms, text, result, unawaited: UnawaitedGuard::new("sleep", &self.unawaited) })
            }
            B::Gather => {
                let return_exceptions = kw(&kwargs, "return_exceptions").is_some_and(Value::truthy);
                let task_unless_gather = |a: Value| match &a {
                    Value::Obj(o) if matches!(**o, Obj::Gather { .. }) => Ok(a),
                    _ => self.ensure_task(a, line),
                };
                let items: Vec<Value> = args.into_iter().map(task_unless_gather).collect::<Result<_, _>>()?;
                let depth = 1 + items
                    .iter()
                    .filter_map(|i| match i {
                        Value::Obj(o) => match &**o {
                            Obj::Gather { fut, .. } => Some(fut.depth.get()),
                            _ => None,
                        },
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                // What looks through nested gathers (`cancel`, the outcome) recurses as deep as
                // they nest: a gather of a gather of … is refused past the call depth's limit.
                if depth > super::limits::MAX_DEPTH {
                    return raise(E::RecursionError, "maximum recursion depth exceeded while nesting gathers");
                }
                let fut = Rc::new(GatherFut::default());
                fut.depth.set(depth);
                let gather = Rc::new(Obj::Gather { items, return_exceptions, fut: fut.clone() });
                let Obj::Gather { items, .. } = &*gather else { unreachable!("a gather") };
                if items.is_empty() {
                    fut.finish(); // `gather()`: done at once
                }
                // A done callback on each child (CPython's `_done_callback`): run an iteration
                // after the child is done (a gather given to it: when it is done, by a helper of
                // the loop's woken then).
                let weak = Rc::downgrade(&gather);
                // CPython's `_done_callback`: it looks at its own child only (a gather of
                // thousands must not look at every child each time one is done).
                let check = move |i: usize| {
                    let Some(o) = weak.upgrade() else { return };
                    let Obj::Gather { items, return_exceptions, fut } = &*o else { return };
                    fut.finished.set(fut.finished.get() + 1);
                    let failed = !return_exceptions && gathered_failed(&items[i]);
                    if failed || fut.finished.get() == items.len() {
                        fut.finish();
                    }
                };
                // CPython 3.12 counts the children done already at once, once the gather is
                // made (a gather of tasks all done is done as it is made: awaiting it does not
                // yield).
                let mut done_already = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let check = check.clone();
                    match item {
                        Value::Task(t) if t.is_done() => done_already.push(i),
                        Value::Task(t) => self.add_done_callback(t, Box::new(move || check(i))),
                        Value::Obj(o) => {
                            if let Obj::Gather { fut: inner, .. } = &**o {
                                if inner.done.get() {
                                    done_already.push(i);
                                    continue;
                                }
                                let inner = inner.clone();
                                self.lp.spawn(async move {
                                    inner.wait().await;
                                    check(i);
                                });
                            }
                        }
                        // Never (every item is a task or a gather): counted as done at once.
                        _ => check(i),
                    }
                }
                done_already.into_iter().for_each(check);
                Ok(Value::Obj(gather))
            }
            B::CreateTask | B::EnsureFuture => match first {
                t @ Value::Task(_) => Ok(t),
                Value::Obj(o) if b == B::EnsureFuture && matches!(&*o, Obj::Future(_)) => Ok(Value::Obj(o)),
                aw => Ok(Value::Task(self.spawn(aw, task_name(&kwargs), line)?)),
            },
            B::SemaphoreNew | B::BoundedSemaphoreNew | B::LockNew => {
                let n = match (b, args.first().or(kw(&kwargs, "value"))) {
                    (B::LockNew, _) | (_, None) => 1,
                    (_, Some(v)) => ops::as_int(v)
                        .filter(|&n| n >= 0)
                        .ok_or(())
                        .or_else(|()| raise(E::ValueError, "Semaphore initial value must be >= 0"))?,
                };
                let kind = match b {
                    B::LockNew => SemKind::Lock,
                    B::BoundedSemaphoreNew => SemKind::Bounded,
                    _ => SemKind::Semaphore,
                };
                let n = n as usize;
                let sem = if kind == SemKind::Lock { Semaphore::new_lock() } else { Semaphore::new(n) };
                obj(Obj::Sem(SemState { sem: Rc::new(sem), initial: n, held: Default::default(), kind }))
            }
            B::EventNew => obj(Obj::Event(EventState::default())),
            B::FutureNew => obj(Obj::Future(super::native::FutState::default())),
            B::ConditionNew => {
                let lock = match args.into_iter().next().or_else(|| kw(&kwargs, "lock").cloned()) {
                    None | Some(Value::None) => Value::Obj(Rc::new(Obj::Sem(SemState {
                        sem: Rc::new(Semaphore::new_lock()),
                        initial: 1,
                        held: Default::default(),
                        kind: SemKind::Lock,
                    }))),
                    Some(lock @ Value::Obj(_)) if matches!(&lock, Value::Obj(o) if matches!(**o, Obj::Sem(_))) => lock,
                    Some(other) => {
                        return raise(
                            E::TypeError,
                            format!("Condition() takes an asyncio.Lock, not {}", other.type_name()),
                        )
                    }
                };
                obj(Obj::Condition(CondState { lock, waiters: Default::default() }))
            }
            B::QueueNew | B::PriorityQueueNew | B::LifoQueueNew => {
                let max = args.first().or(kw(&kwargs, "maxsize")).and_then(ops::as_int).unwrap_or(0).max(0);
                let finished = EventState::default();
                finished.flag.set(true);
                obj(Obj::Queue(QueueState {
                    kind: match b {
                        B::PriorityQueueNew => QueueKind::Priority,
                        B::LifoQueueNew => QueueKind::Lifo,
                        _ => QueueKind::Fifo,
                    },
                    items: Default::default(),
                    maxsize: max as usize,
                    getters: Default::default(),
                    putters: Default::default(),
                    unfinished: Default::default(),
                    finished,
                }))
            }
            B::WaitFor => {
                let timeout = seconds(args.get(1).or(kw(&kwargs, "timeout")))?;
                obj(Obj::WaitFor { aw: std::cell::RefCell::new(Some(first)), timeout })
            }
            B::Timeout | B::TimeoutAt => {
                // `timeout(delay)`: CPython's `Timeout(loop.time() + delay)`, from now.
                let at = seconds(Some(&first))?;
                let when = if b == B::Timeout { at.map(|ms| self.ctx.rec.elapsed() + ms) } else { at };
                let state = TimeoutState::default();
                state.when.set(when);
                obj(Obj::Timeout(state))
            }
            B::TaskGroupNew => obj(Obj::TaskGroup(Rc::new(GroupState::default()))),
            B::Wait => self.wait_new(first, &kwargs),
            B::AsCompleted => {
                let tasks = self
                    .iterate(&first)?
                    .into_iter()
                    .map(|a| match self.ensure_task(a, line)? {
                        Value::Task(t) => Ok(t),
                        _ => raise(E::TypeError, "as_completed() needs awaitables"),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let n = tasks.len();
                let timeout = seconds(kw(&kwargs, "timeout"))?;
                let state = AsCompletedState::new(tasks);
                if let Some(ms) = timeout.filter(|_| state.waits()) {
                    // CPython's `loop.call_later(timeout, _on_timeout)`, as iterating starts.
                    let weak = Rc::downgrade(&state);
                    let when = (self.ctx.rec.elapsed() + ms) / 1000.0;
                    let timer = self.arm_timer(when, Value::Float(when), move || {
                        if let Some(state) = weak.upgrade() {
                            state.time_out();
                        }
                    });
                    *state.timer.borrow_mut() = Some(timer);
                }
                Ok(Value::list((0..n).map(|_| Value::Obj(Rc::new(Obj::AsCompleted(state.clone())))).collect()))
            }
            B::CurrentTask if self.in_callback.get() => Ok(Value::None),
            B::CurrentTask => Ok(Value::Task(f.task())),
            B::AllTasks => {
                let tasks: Vec<Value> =
                    self.tasks.borrow().iter().filter(|t| !t.is_done()).map(|t| Value::Task(t.clone())).collect();
                self.make_set(tasks)
            }
            B::GetLoop => obj(Obj::Loop),
            // asyncio's own coroutines too: `sleep(1)`, `wait_for(...)`, `q.get()`.
            B::Iscoroutine => Ok(Value::Bool(match &first {
                Value::Coro(_) => true,
                Value::Obj(o) => o.type_name() == "coroutine",
                _ => false,
            })),
            B::Iscoroutinefunction => Ok(Value::Bool(match &first {
                Value::Func(func) => func.def.is_async && !func.def.is_generator,
                Value::Bound(b) => b.1.def.is_async && !b.1.def.is_generator,
                _ => false,
            })),
            B::Shield => match self.ensure_task(first, line)? {
                // CPython's `shield`: a task already done is returned as it is; else an outer
                // future, done by the task's done callback, that a cancellation does not pass.
                Value::Task(t) if !t.is_done() => {
                    let fut = Rc::new(GatherFut::default());
                    let done = fut.clone();
                    self.add_done_callback(&t, Box::new(move || done.finish()));
                    obj(Obj::Shield { task: t, fut })
                }
                other => Ok(other),
            },
            _ => raise(E::NotImplementedError, format!("{}() is not supported here", b.name())),
        }
    }

    /// A task for an awaitable given to `gather` / `as_completed` (tasks are kept as they are).
    fn ensure_task(&self, aw: Value, line: u32) -> Res {
        match aw {
            t @ Value::Task(_) => Ok(t),
            aw if self.is_awaitable(&aw) => Ok(Value::Task(self.spawn(aw, None, line)?)),
            other => raise(
                E::TypeError,
                format!("An asyncio.Future, a coroutine or an awaitable is required, not {}", other.type_name()),
            ),
        }
    }

    fn wait_new(&self, aws: Value, kwargs: &Kwargs) -> Res {
        let mut tasks = Vec::new();
        for a in self.iterate(&aws)? {
            match a {
                Value::Task(t) => tasks.push(t),
                Value::Coro(_) => return raise(E::TypeError, "Passing coroutines is forbidden, use tasks explicitly."),
                other => return raise(E::TypeError, format!("asyncio.wait() needs tasks, not {}", other.type_name())),
            }
        }
        if tasks.is_empty() {
            return raise(E::ValueError, "Set of Tasks/Futures is empty.");
        }
        let mode = match kw(kwargs, "return_when") {
            Some(Value::Str(s)) if &**s == "FIRST_COMPLETED" => WaitMode::FirstCompleted,
            Some(Value::Str(s)) if &**s == "FIRST_EXCEPTION" => WaitMode::FirstException,
            _ => WaitMode::AllCompleted,
        };
        Ok(Value::Obj(Rc::new(Obj::Wait { tasks, mode, timeout: seconds(kw(kwargs, "timeout"))? })))
    }

    /// `asyncio.run(main())` at module level: runs the coroutine in the main task, then cancels
    /// the tasks still running and waits for them, as asyncio.run does.
    pub async fn asyncio_run(&self, args: Vec<Value>, f: &Frame, line: u32) -> Res {
        if self.running.get() {
            return raise(E::RuntimeError, "asyncio.run() cannot be called from a running event loop");
        }
        let coro = match args.into_iter().next() {
            Some(coro @ Value::Coro(_)) => coro,
            other => {
                let got = fmt::repr(&other.unwrap_or(Value::None));
                return raise(E::ValueError, format!("a coroutine was expected, got {got}"));
            }
        };
        if let Value::Coro(c) = &coro {
            // The main task runs it (its repr: `coro=<main() running at line 8>`).
            f.task().set_coro(c.func.qualname(), c.func.first_line(), true);
        }
        if self.runs_ended.get() > 0 {
            // A later `asyncio.run`'s main is a new task of CPython's, numbered after the two
            // each run before made as it closed (shutting down async generators and the default
            // executor): the second run's main is `Task-5` when the first made one task more.
            self.made_tasks.set(self.made_tasks.get() + 1);
            *f.task().name.borrow_mut() = Rc::from(format!("Task-{}", self.made_tasks.get()));
        }
        self.running.set(true);
        let mut result = self.await_value(coro, f, line).await;
        // Main runs inline here, not as a task of its own: a cancellation of itself that no
        // await took since ends it cancelled, as its task's step would, and asyncio.run raises.
        if let (true, Some(msg)) = (result.is_ok(), f.task().sig.take_due_cancel()) {
            result = Err(Flow::Raise(E::CancelledError, msg));
        }
        *self.main_returned.borrow_mut() = match &result {
            // Its line, as it returned (the main task's own coroutine keeps it: `run_body`).
            Ok(v) => Some((super::fmt::shorten(&super::fmt::repr(v), 60), f.task().line.get())),
            Err(_) => None,
        };
        if !matches!(result, Err(Flow::Stop(_))) {
            // asyncio.run stops the loop from main's done callback, one turn of the ready queue
            // later: tasks already scheduled take that step, then the rest are cancelled.
            let mut turn = pin!(self.ctx.clock.sleep(0.0));
            let _ = self.suspend(&f.task(), turn.as_mut()).await;
            self.cancel_all_and_wait(&f.task()).await;
            self.shutdown_agens(f, line).await;
            // Then it shuts down async generators and the default executor, turns of the loop
            // too: a timer's callback already due (`call_later(0, ...)` as main returned) runs.
            let mut turn = pin!(self.ctx.clock.sleep(0.0));
            let _ = self.suspend(&f.task(), turn.as_mut()).await;
        }
        self.running.set(false);
        self.runs_ended.set(self.runs_ended.get() + 1);
        // `loop.shutdown_default_executor()`'s task (`shutdown_agens` counted the other).
        self.made_tasks.set(self.made_tasks.get() + 1);
        result
    }

    /// A Task's methods.
    pub fn task_method(&self, b: B, t: &Rc<TaskObj>, args: &[Value], line: u32) -> Res {
        match b {
            B::TaskCancel => {
                let msg = match args.first() {
                    Some(Value::Str(msg)) => Some(&**msg),
                    _ => None,
                };
                Ok(Value::Bool(t.cancel(msg)))
            }
            B::TaskCancelling => Ok(Value::Int(i64::from(t.sig.cancelling()))),
            B::TaskUncancel => Ok(Value::Int(i64::from(t.sig.uncancel()))),
            B::TaskDone => Ok(Value::Bool(t.is_done())),
            B::TaskCancelled => Ok(Value::Bool(t.was_cancelled())),
            B::TaskGetName => Ok(Value::Str(t.name.borrow().clone())),
            B::TaskSetName => {
                *t.name.borrow_mut() = Rc::from(fmt::to_str(args.first().unwrap_or(&Value::None)));
                Ok(Value::None)
            }
            B::TaskAddDoneCallback => match args.first() {
                Some(cb) if super::timers::callable(cb) => {
                    self.add_program_done_callback(t, cb.clone(), line);
                    Ok(Value::None)
                }
                _ => raise(E::TypeError, "add_done_callback() takes a callable"),
            },
            B::TaskResult | B::TaskException => match t.result() {
                None if b == B::TaskResult => raise(E::InvalidStateError, "Result is not set."),
                None => raise(E::InvalidStateError, "Exception is not set."),
                Some(Ok(v)) => Ok(if b == B::TaskResult { v } else { Value::None }),
                Some(Err(exc)) if t.was_cancelled() || b == B::TaskResult => Err(Flow::Exc(Box::new(exc))),
                Some(Err(exc)) => Ok(exc.value),
            },
            _ => raise(E::AttributeError, format!("'Task' object has no attribute '{}'", b.name())),
        }
    }

    /// `await obj` for asyncio's and aiohttp's awaitables.
    pub async fn await_obj(&self, o: Rc<Obj>, f: &Frame, line: u32) -> Res {
        match &*o {
            Obj::Sleep { ms, text, result, .. } => {
                o.disarm();
                self.sleep(*ms, text, f, line).await.map(|_| result.clone())
            }
            Obj::Gather { items, return_exceptions, fut } => self.gather(items, *return_exceptions, fut, f).await,
            Obj::WaitFor { aw, timeout } => {
                let aw = aw.borrow_mut().take();
                let Some(aw) = aw else { return raise(E::RuntimeError, "cannot reuse already awaited coroutine") };
                self.wait_for(aw, *timeout, f, line).await
            }
            Obj::Wait { tasks, mode, timeout } => self.wait(tasks, *mode, *timeout, f).await,
            Obj::Future(s) => self.future_wait(&o, s, f, line).await,
            Obj::Op { target, op, arg } => self.await_op(target, *op, arg.clone(), f, line).await,
            Obj::AsCompleted(state) => self.next_completed(state, f).await,
            Obj::Request { .. } => self.request(&o, f, line).await,
            Obj::Ready(v) => Ok(v.clone()),
            Obj::Shield { task, fut } => {
                if !fut.done.get() {
                    self.suspend(&f.task(), pin!(fut.wait())).await.map_err(|why| self.interrupted(&f.task(), why))?;
                }
                match task.result() {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(exc)) => Err(Flow::Exc(Box::new(exc))),
                    None => raise(E::RuntimeError, "a task ended without a result"),
                }
            }
            _ => raise(E::TypeError, format!("object {} can't be used in 'await' expression", o.type_name())),
        }
    }

    async fn sleep(&self, ms: f64, text: &str, f: &Frame, line: u32) -> Res {
        let mut sleep = pin!(self.ctx.clock.sleep(ms));
        if ms <= 0.0 {
            // `sleep(0)`: a bare yield to the loop, not worth a span.
            return match self.suspend(&f.task(), sleep.as_mut()).await {
                Ok(()) => Ok(Value::None),
                Err(why) => Err(self.interrupted(&f.task(), why)),
            };
        }
        let span = self.span(&f.task(), Phase::Work, line)?;
        match self.suspend(&f.task(), sleep.as_mut()).await {
            Ok(()) => {
                span.end_with(text);
                Ok(Value::None)
            }
            Err(why) => {
                match why {
                    Interrupt::Deadline => span.timeout(text),
                    Interrupt::Cancel => drop(span),
                }
                Err(self.interrupted(&f.task(), why))
            }
        }
    }

    /// Waits until `ready()` holds, waking on any of `tasks` finishing. `registered` is the
    /// waker the pending tasks hold already (they keep it until they are done), so it is handed
    /// out again only when it changes: `as_completed` over thousands of tasks waits here once
    /// for each, with the same state.
    async fn until(
        &self,
        task: &TaskObj,
        tasks: &[Rc<TaskObj>],
        registered: &RefCell<Option<Waker>>,
        ready: impl Fn() -> bool,
    ) -> Result<(), Interrupt> {
        let mut fut = pin!(poll_fn(|cx| {
            if ready() {
                return Poll::Ready(());
            }
            let mut registered = registered.borrow_mut();
            if !registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                for t in tasks.iter().filter(|t| !t.is_done()) {
                    t.add_waker(cx.waker());
                }
                *registered = Some(cx.waker().clone());
            }
            Poll::Pending
        }));
        if ready() {
            return Ok(());
        }
        self.suspend(task, fut.as_mut()).await
    }

    async fn gather(&self, items: &[Value], return_exceptions: bool, gather: &GatherFut, f: &Frame) -> Res {
        let mut tasks = Vec::new();
        gathered_tasks(items, &mut tasks);
        // Cancelling the awaiting task cancels the gather's children (a gather given to it, its
        // own) at once; if one takes it, the gather goes on until it is done, then raises
        // `CancelledError` (CPython's `_cancel_requested`) unless a child's error ended it.
        let waited = if gather.done.get() {
            Ok(())
        } else {
            *gather.awaiter.borrow_mut() = Some(f.task().sig.clone());
            f.task().sig.set_awaiting(&tasks);
            let waited = self.suspend(&f.task(), pin!(gather.wait())).await;
            f.task().sig.set_awaiting(&[]);
            gather.awaiter.borrow_mut().take();
            waited
        };
        if f.task().sig.take_passed() {
            gather.cancel_requested.set(true);
        }
        if let Err(why) = waited {
            // Cancelled with nothing left to cancel (its children done): the gather's own
            // `CancelledError` if it ended with one, else the task's.
            let interrupted = self.interrupted(&f.task(), why);
            return match self.gather_outcome(items, return_exceptions) {
                Some(Err((_, exc))) if self.is_instance_of(&exc.value, E::CancelledError) => {
                    Err(Flow::Exc(Box::new(exc)))
                }
                _ => Err(interrupted),
            };
        }
        match self.gather_result(items, return_exceptions, gather) {
            Some(Ok(v)) => Ok(v),
            Some(Err(exc)) => Err(Flow::Exc(Box::new(exc))),
            None => Ok(Value::None),
        }
    }

    /// What a gather gives once done: its results, or the error it ended with, or, a
    /// cancellation having reached a child though all ended well, `CancelledError` with the
    /// message of the child that finished last, if it was its own. CPython's
    /// `fut._make_cancelled_error()`, `fut` its last child (the loop variable of the results'
    /// loop): the `CancelledError` a task ended with, else one with the task's own cancellation
    /// message (a gather given to it has none).
    fn gather_result(
        &self,
        items: &[Value],
        return_exceptions: bool,
        gather: &GatherFut,
    ) -> Option<Result<Value, Exc>> {
        let cancelled = |msg: String| self.exc_of(Flow::Raise(E::CancelledError, msg));
        match self.gather_outcome(items, return_exceptions)? {
            Ok(_) if gather.cancel_requested.get() => Some(Err(match items.last() {
                Some(Value::Task(last)) => match last.result() {
                    Some(Err(exc)) if self.is_instance_of(&exc.value, E::CancelledError) => exc,
                    _ => cancelled(last.sig.cancel_message().unwrap_or_default()),
                },
                _ => cancelled(String::new()),
            })),
            Ok(v) => Some(Ok(v)),
            Err((_, exc)) => Some(Err(exc)),
        }
    }

    /// The methods of a gather's future, CPython's `_GatheringFuture`. `cancel(msg)` cancels
    /// its children (true if one took it); never itself cancelled (`cancelled()` stays false),
    /// it ends with their `CancelledError` once they are done.
    pub fn gather_method(
        &self,
        b: B,
        items: &[Value],
        return_exceptions: bool,
        gather: &GatherFut,
        msg: Option<&Value>,
    ) -> Res {
        let not_set = |what: &str| raise(E::InvalidStateError, format!("{what} is not set."));
        match b {
            B::TaskCancel => {
                let msg = match msg {
                    Some(Value::Str(m)) => Some(&**m),
                    _ => None,
                };
                Ok(Value::Bool(cancel_gather(items, gather, msg)))
            }
            B::TaskDone => Ok(Value::Bool(gather.done.get())),
            B::TaskCancelled => Ok(Value::Bool(false)),
            _ if !gather.done.get() => not_set(if b == B::TaskResult { "Result" } else { "Exception" }),
            B::TaskResult => match self.gather_result(items, return_exceptions, gather) {
                Some(Ok(v)) => Ok(v),
                Some(Err(exc)) => Err(Flow::Exc(Box::new(exc))),
                None => not_set("Result"),
            },
            B::TaskException => match self.gather_result(items, return_exceptions, gather) {
                Some(Err(exc)) => Ok(exc.value),
                _ => Ok(Value::None),
            },
            _ => raise(E::AttributeError, format!("'_GatheringFuture' object has no attribute '{}'", b.name())),
        }
    }

    /// A gather's outcome once it has one: its results, or (without `return_exceptions`) the
    /// first error, with when it happened (finishing order).
    fn gather_outcome(&self, items: &[Value], return_exceptions: bool) -> Option<Result<Value, (u64, Exc)>> {
        let outcomes: Vec<_> = items.iter().map(|v| self.gathered_outcome(v, return_exceptions)).collect();
        if !return_exceptions {
            let first = outcomes.iter().flatten().filter_map(|o| o.as_ref().err()).min_by_key(|e| e.0);
            if let Some(first) = first {
                return Some(Err(first.clone()));
            }
        }
        if outcomes.iter().any(Option::is_none) {
            return None;
        }
        let results = outcomes.into_iter().flatten().map(|o| o.unwrap_or_else(|(_, exc)| exc.value)).collect();
        Some(Ok(Value::list(results)))
    }

    /// The outcome of what a gather was given: a task's, or a gather's (given to another, a
    /// gather is a future in CPython, not a task: it has no lane of its own).
    fn gathered_outcome(&self, item: &Value, return_exceptions: bool) -> Option<Result<Value, (u64, Exc)>> {
        match item {
            Value::Task(t) => match t.result()? {
                Ok(v) => Some(Ok(v)),
                // A cancelled child's error as CPython's gather makes it: with
                // `return_exceptions`, `CancelledError('')` without a message (the one raised in
                // the task is `CancelledError()`); without, the one raised in the task.
                Err(_) if t.was_cancelled() && return_exceptions => {
                    let msg = t.sig.cancel_message().unwrap_or_default();
                    let value = self.new_exception(self.classes.get(E::CancelledError), vec![Value::str(&msg)]);
                    Some(Err((t.finish_seq(), Exc::new(value))))
                }
                Err(exc) => Some(Err((t.finish_seq(), exc))),
            },
            Value::Obj(o) => match &**o {
                Obj::Gather { items, return_exceptions, .. } => self.gather_outcome(items, *return_exceptions),
                _ => Some(Ok(Value::None)),
            },
            _ => Some(Ok(Value::None)),
        }
    }

    /// `wait_for(aw, 0)`: as CPython 3.12, the awaitable becomes a task (a lane), which is
    /// cancelled before it starts (a coroutine's body never runs) and waited for; its result if
    /// it had one, else `TimeoutError`.
    async fn wait_for_now(&self, aw: Value, f: &Frame, line: u32) -> Res {
        let Value::Task(t) = self.ensure_task(aw, line)? else { return raise(E::TimeoutError, "") };
        if !t.is_done() {
            t.cancel(None);
            let waited = [t.clone()];
            if let Err(why) = self.until(&f.task(), &waited, &RefCell::default(), || t.is_done()).await {
                return Err(self.interrupted(&f.task(), why));
            }
        }
        match t.result() {
            Some(Ok(v)) => Ok(v),
            Some(Err(exc)) if !t.was_cancelled() => Err(Flow::Exc(Box::new(exc))),
            _ => raise(E::TimeoutError, ""),
        }
    }

    async fn wait_for(&self, aw: Value, timeout: Option<f64>, f: &Frame, line: u32) -> Res {
        let Some(ms) = timeout else { return self.await_value(aw, f, line).await };
        if ms <= 0.0 {
            return self.wait_for_now(aw, f, line).await;
        }
        let deadline = self.arm_deadline(&f.task(), ms);
        let result = self.await_value(aw, f, line).await;
        self.leave_timeout(deadline.id, result, f)
    }

    /// Leaving an asyncio deadline's scope (`timeout()`'s, `wait_for`'s): the `TimeoutError` it
    /// raises has the `CancelledError` it replaces, with the traceback that had there, as its
    /// cause and context (asyncio's `raise TimeoutError from exc_val` in `__aexit__`).
    fn leave_timeout(&self, id: u32, result: Res, f: &Frame) -> Res {
        let (result, cancelled) = match result {
            Err(flow) if self.flow_is(&flow, E::CancelledError) => {
                let exc = self.exc_of(flow);
                self.keep_traceback(&exc);
                let value = exc.value.clone();
                (Err(Flow::Exc(Box::new(exc))), Some(value))
            }
            other => (other, None),
        };
        match (self.leave_deadline(id, result, f), cancelled) {
            (Err(flow), Some(cancelled)) if self.flow_is(&flow, E::TimeoutError) => {
                let timeout = self.exc_of(flow);
                self.set_cause(&timeout.value, cancelled.clone());
                self.set_context(&timeout.value, &cancelled);
                Err(Flow::Exc(Box::new(timeout)))
            }
            (left, _) => left,
        }
    }

    /// Leaving a deadline's scope: its `CancelledError` becomes `TimeoutError`.
    pub fn leave_deadline(&self, id: u32, result: Res, f: &Frame) -> Res {
        let entered = self.deadline_entries.borrow_mut().remove(&id).unwrap_or(0);
        if !f.task().sig.take_fired(id) {
            return result;
        }
        // As asyncio's timeout withdraws the cancellation it requested (`uncancel()`).
        let left = f.task().sig.uncancel();
        if f.task().sig.fired_before(id) {
            // An enclosing deadline fired too (the same instant): as with CPython's counts of
            // cancellation requests, the cancellation goes on to that scope, which turns it
            // into its TimeoutError.
            return result;
        }
        match result {
            // Unless the task was cancelled from elsewhere too since the scope was entered: then
            // that cancellation goes on (CPython's `uncancel() <= self._cancelling`).
            Err(flow) if self.flow_is(&flow, E::CancelledError) && left > entered => Err(flow),
            Err(flow) if self.flow_is(&flow, E::CancelledError) => raise(E::TimeoutError, ""),
            other => {
                // Fired as the awaited work finished: the cancellation it requested is void.
                f.task().sig.clear_cancel();
                other
            }
        }
    }

    /// `asyncio.wait`, as CPython's `_wait`: a done callback on each task counts it and releases
    /// the waiter (and cancels the timeout's timer) once `mode` is met, so the waiter runs an
    /// iteration after that callback, and the timer is gone from the heap by then. The
    /// callbacks of the tasks still pending are removed when the wait ends: a loop of
    /// `asyncio.wait(pending, return_when=FIRST_COMPLETED)` must not pile them up.
    async fn wait(&self, tasks: &[Rc<TaskObj>], mode: WaitMode, timeout: Option<f64>, f: &Frame) -> Res {
        let state = Rc::new(WaitState { uncounted: Cell::new(tasks.len()), ..WaitState::default() });
        // `loop.call_later(timeout, ...)`: a timer in the heap even for a timeout of 0 (already
        // due: it fires in the loop's next iteration, and the waiter runs in the one after).
        if let Some(ms) = timeout {
            *state.timer.borrow_mut() = Some(Box::pin(self.ctx.clock.timer(ms)));
        }
        let owner = Rc::as_ptr(&state) as usize;
        for t in tasks {
            let (state, task) = (state.clone(), Rc::downgrade(t));
            self.add_owned_done_callback(t, owner, Box::new(move || state.on_completion(&task, mode)));
        }
        let released = poll_fn(|cx| state.poll(cx));
        let waited = self.suspend(&f.task(), pin!(released)).await;
        state.timer.borrow_mut().take();
        state.released.set(true);
        tasks.iter().for_each(|t| self.remove_done_callbacks(t, owner));
        waited.map_err(|why| self.interrupted(&f.task(), why))?;
        let (done, pending): (Vec<_>, Vec<_>) = tasks.iter().partition(|t| t.is_done());
        let done = self.make_set(done.into_iter().map(|t| Value::Task(t.clone())).collect())?;
        let pending = self.make_set(pending.into_iter().map(|t| Value::Task(t.clone())).collect())?;
        Ok(Value::tuple(vec![done, pending]))
    }

    async fn next_completed(&self, state: &AsCompletedState, f: &Frame) -> Res {
        let untaken = || state.done.borrow().front().is_some() || state.timed_out.get();
        self.until(&f.task(), &state.tasks, &state.registered, untaken)
            .await
            .map_err(|why| self.interrupted(&f.task(), why))?;
        let Some(i) = state.done.borrow_mut().pop_front() else {
            if state.timed_out.get() {
                return raise(E::TimeoutError, "");
            }
            return raise(E::RuntimeError, "as_completed() ran out of tasks");
        };
        match state.tasks[i].result() {
            Some(Ok(v)) => Ok(v),
            Some(Err(exc)) => Err(Flow::Exc(Box::new(exc))),
            None => Ok(Value::None),
        }
    }

    /// The waiting methods: `sem.acquire()`, `event.wait()`, `q.get()`, `q.put(x)`, `q.join()`.
    async fn await_op(&self, target: &Value, op: B, arg: Value, f: &Frame, line: u32) -> Res {
        if op == B::AnextDefault {
            // `anext(it, default)`: the default once the iterator is exhausted.
            return match self.await_value(target.clone(), f, line).await {
                Err(flow) if self.flow_is(&flow, E::StopAsyncIteration) => Ok(arg),
                other => other,
            };
        }
        let Value::Obj(o) = target else { return Ok(Value::None) };
        match (&**o, op) {
            (Obj::AsyncGen(g), _) => {
                let step = match op {
                    B::AgenAsend => Step::Send(arg),
                    B::AgenAthrow => Step::Throw(self.exception_to_throw(arg, f, line).await?),
                    B::AgenAclose => Step::Close(None),
                    _ => Step::Send(Value::None),
                };
                self.agen_step(g, step, f, line).await
            }
            (Obj::Sem(s), _) => self.acquire(s, f, line).await.map(|()| Value::Bool(true)),
            (Obj::Event(e), _) => self.event_wait(e, f, line, "Event.wait").await.map(|()| Value::Bool(true)),
            (Obj::Condition(c), B::CondWaitFor) => {
                // `wait_for(predicate)`: the predicate, then `wait()` until it holds.
                loop {
                    self.step(line)?;
                    let result = self.call(arg.clone(), Vec::new(), Vec::new(), f, line).await?;
                    if self.truth(&result, f)? {
                        return Ok(result);
                    }
                    self.cond_wait(c, f, line).await?;
                }
            }
            (Obj::Condition(c), _) => self.cond_wait(c, f, line).await,
            (Obj::Queue(q), B::QGet) => self.queue_get(q, f, line).await,
            (Obj::Queue(q), B::QPut) => self.queue_put(q, arg, f, line).await.map(|()| Value::None),
            (Obj::Queue(q), _) => {
                if q.unfinished.get() == 0 {
                    return Ok(Value::None);
                }
                self.event_wait(&q.finished, f, line, "Queue.join").await.map(|()| Value::None)
            }
            _ => Ok(Value::None),
        }
    }

    /// `athrow(exc)`'s exception: an exception, or a class of them (made without arguments).
    async fn exception_to_throw(&self, v: Value, f: &Frame, line: u32) -> Result<Exc, Flow> {
        let base = self.classes.get(E::BaseException);
        let v = match v {
            Value::Class(c) if c.is_sub(&base) => self.call(Value::Class(c), Vec::new(), Vec::new(), f, line).await?,
            v => v,
        };
        if !v.class().is_some_and(|c| c.is_sub(&base)) {
            return raise(
                E::TypeError,
                format!("exceptions must be classes or instances deriving from BaseException, not {}", v.type_name()),
            );
        }
        Ok(Exc::new(v))
    }

    /// Acquires a semaphore or lock; a wait, if there is one, is a `wait` span.
    pub async fn acquire(&self, s: &SemState, f: &Frame, line: u32) -> Result<(), Flow> {
        let mut acq = pin!(s.sem.acquire_with(Some(self.cancel_probe(&f.task()))));
        if let Some(permit) = acq.as_mut().now_or_never() {
            std::mem::forget(permit);
            s.held.set(s.held.get() + 1);
            return Ok(());
        }
        let name = if s.kind == SemKind::Lock { "Lock" } else { "Semaphore" };
        let span = self.span(&f.task(), Phase::Wait, line)?;
        match self.suspend(&f.task(), acq.as_mut()).await {
            Ok(permit) => {
                // Held until `release()` (or the end of `async with`), not until a guard drops.
                std::mem::forget(permit);
                s.held.set(s.held.get() + 1);
                span.end_with(name);
                Ok(())
            }
            Err(why) => {
                close_interrupted(span, why, name);
                Err(self.interrupted(&f.task(), why))
            }
        }
    }

    /// `await cond.wait()`, as CPython 3.12's: the lock released, a future in the waiters' queue
    /// (set by `notify`), then the lock acquired again whatever happened, even if the task is
    /// cancelled meanwhile (then it raises a `CancelledError` of its own). One `wait` span, from
    /// the call to its return (the lock's wait, if any, is a span of its own within it).
    async fn cond_wait(&self, c: &CondState, f: &Frame, line: u32) -> Res {
        let Some(lock) = c.lock() else { return raise(E::RuntimeError, "the Condition has no lock") };
        if !lock.locked() {
            return raise(E::RuntimeError, "cannot wait on un-acquired lock");
        }
        let span = self.span(&f.task(), Phase::Wait, line)?;
        self.sem_release(lock)?;
        let w = Rc::new(Waiter::of_task(self.cancel_probe(&f.task())));
        c.waiters.borrow_mut().push_back(w.clone());
        let waited = self.suspend(&f.task(), pin!(w.wait()).as_mut()).await;
        c.waiters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &w));
        let mut cancelled = None;
        loop {
            match self.acquire(lock, f, line).await {
                Ok(()) => break,
                Err(flow) if self.flow_is(&flow, E::CancelledError) => cancelled = Some(Interrupt::Cancel),
                Err(flow) => return Err(flow),
            }
        }
        match (waited, cancelled) {
            (Ok(()), None) => {
                span.end_with("Condition.wait");
                Ok(Value::Bool(true))
            }
            (Err(why), None) => {
                close_interrupted(span, why, "Condition.wait");
                Err(self.interrupted(&f.task(), why))
            }
            (waited, Some(why)) => {
                close_interrupted(span, waited.err().unwrap_or(why), "Condition.wait");
                raise(E::CancelledError, "")
            }
        }
    }

    async fn event_wait(&self, e: &EventState, f: &Frame, line: u32, name: &str) -> Result<(), Flow> {
        if e.flag.get() {
            return Ok(());
        }
        let w = Rc::new(Waiter::of_task(self.cancel_probe(&f.task())));
        e.waiters.borrow_mut().push(w.clone());
        let span = self.span(&f.task(), Phase::Wait, line)?;
        let r = self.suspend(&f.task(), pin!(w.wait()).as_mut()).await;
        e.waiters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &w));
        match r {
            Ok(()) => {
                span.end_with(name);
                Ok(())
            }
            Err(why) => {
                close_interrupted(span, why, name);
                Err(self.interrupted(&f.task(), why))
            }
        }
    }

    async fn queue_get(&self, q: &QueueState, f: &Frame, line: u32) -> Res {
        let mut span = None;
        loop {
            let item = self.queue_pop(q, f)?;
            if let Some(v) = item {
                wake_next(&q.putters);
                if let Some(s) = span {
                    Span::end_with(s, "Queue.get");
                }
                return Ok(v);
            }
            let w = Rc::new(Waiter::of_task(self.cancel_probe(&f.task())));
            q.getters.borrow_mut().push_back(w.clone());
            if span.is_none() {
                span = Some(self.span(&f.task(), Phase::Wait, line)?);
            }
            let waited = {
                let mut fut = pin!(w.wait());
                self.suspend(&f.task(), fut.as_mut()).await
            };
            if let Err(why) = waited {
                q.getters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &w));
                // Woken for an item it will not take: the next getter gets the chance.
                if w.is_done() && !q.items.borrow().is_empty() {
                    wake_next(&q.getters);
                }
                if let Some(s) = span {
                    close_interrupted(s, why, "Queue.get");
                }
                return Err(self.interrupted(&f.task(), why));
            }
        }
    }

    async fn queue_put(&self, q: &QueueState, v: Value, f: &Frame, line: u32) -> Result<(), Flow> {
        let mut span = None;
        while q.full() {
            let w = Rc::new(Waiter::of_task(self.cancel_probe(&f.task())));
            q.putters.borrow_mut().push_back(w.clone());
            if span.is_none() {
                span = Some(self.span(&f.task(), Phase::Wait, line)?);
            }
            let waited = {
                let mut fut = pin!(w.wait());
                self.suspend(&f.task(), fut.as_mut()).await
            };
            if let Err(why) = waited {
                q.putters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &w));
                if w.is_done() && !q.full() {
                    wake_next(&q.putters);
                }
                if let Some(s) = span {
                    close_interrupted(s, why, "Queue.put");
                }
                return Err(self.interrupted(&f.task(), why));
            }
        }
        if let Some(s) = span {
            s.end_with("Queue.put");
        }
        self.queue_push(q, v, f)
    }

    /// `tg.create_task(coro)`.
    pub fn group_spawn(&self, g: &Rc<GroupState>, aw: Value, kwargs: &Kwargs, line: u32) -> Res {
        if g.owner.borrow().is_none() {
            return raise(E::RuntimeError, "TaskGroup has not been entered");
        }
        let t = self.spawn(aw, task_name(kwargs), line)?;
        t.set_group(g.clone());
        g.tasks.borrow_mut().push(t.clone());
        Ok(Value::Task(t))
    }

    /// A TaskGroup's child is done (its done callback), having failed with `failure` or not:
    /// the first error cancels the other children and the body.
    pub fn group_child_done(&self, g: &GroupState, failure: Option<Value>) {
        g.settled.set(g.settled.get() + 1);
        if let Some(w) = g.waker.borrow_mut().take() {
            w.wake();
        }
        let Some(exc) = failure else { return };
        if self.is_base_error(&exc) && g.base_error.borrow().is_none() {
            *g.base_error.borrow_mut() = Some(exc.clone());
        }
        g.errors.borrow_mut().push(exc);
        if !g.aborting.get() && !g.owner_cancelled.get() {
            self.group_abort(g);
            if !g.exiting.get() {
                if let Some(owner) = g.owner.borrow().as_ref() {
                    owner.cancel(None);
                    g.owner_cancelled.set(true);
                }
            }
        }
    }

    /// CPython's `TaskGroup._is_base_error`: a `KeyboardInterrupt` or `SystemExit`.
    fn is_base_error(&self, exc: &Value) -> bool {
        self.is_instance_of(exc, E::KeyboardInterrupt) || self.is_instance_of(exc, E::SystemExit)
    }

    /// CPython's `TaskGroup._abort()`: cancels the children not done, once.
    fn group_abort(&self, g: &GroupState) {
        if !g.aborting.replace(true) {
            for t in g.tasks.borrow().iter() {
                t.cancel(None);
            }
        }
    }

    /// `async with` on asyncio's and aiohttp's objects: what `as` binds.
    pub async fn enter_builtin(&self, cm: &Value, is_async: bool, f: &Frame, line: u32) -> Res {
        let Value::Obj(o) = cm else { return self.not_cm(cm) };
        if !is_async {
            return raise(
                E::TypeError,
                format!("'{}' object does not support the context manager protocol: use `async with`", o.type_name()),
            );
        }
        match &**o {
            Obj::Sem(s) => self.acquire(s, f, line).await.map(|()| Value::None),
            Obj::Condition(c) => match c.lock() {
                Some(s) => self.acquire(s, f, line).await.map(|()| Value::None),
                None => Ok(Value::None),
            },
            Obj::Timeout(t) => {
                if t.left.get() || t.scope.borrow().is_some() {
                    return raise(E::RuntimeError, "Timeout has already been entered");
                }
                *t.scope.borrow_mut() = Some((self.deadline_scope(&f.task()), f.task()));
                self.reschedule(t);
                Ok(cm.clone())
            }
            Obj::TaskGroup(g) => {
                *g.owner.borrow_mut() = Some(f.task());
                Ok(cm.clone())
            }
            Obj::Session { .. } | Obj::Response { .. } => Ok(cm.clone()),
            Obj::Request { .. } => self.request(o, f, line).await,
            _ => self.not_cm(cm),
        }
    }

    /// Arms an entered Timeout's deadline for its `when` (none: disarmed), in its scope.
    fn reschedule(&self, t: &TimeoutState) {
        let scope = t.scope.borrow();
        let Some((id, task)) = scope.as_ref() else { return };
        // The timer armed before is disarmed (dropped) first, as CPython cancels its handle.
        t.deadline.borrow_mut().take();
        if let Some(when) = t.when.get() {
            let ms = when - self.ctx.rec.elapsed();
            *t.deadline.borrow_mut() = Some(self.arm_deadline_as(task, ms, *id));
        }
    }

    /// A Timeout's `when()`, `reschedule(when)` and `expired()`.
    pub fn timeout_method(&self, t: &TimeoutState, b: B, arg: Option<&Value>) -> Res {
        let fired = || t.scope.borrow().as_ref().is_some_and(|(id, task)| task.sig.has_fired(*id));
        match b {
            B::TimeoutExpired => Ok(Value::Bool(t.expired.get() || fired())),
            B::TimeoutReschedule => {
                let state = match () {
                    _ if t.left.get() => Some(if t.expired.get() { "expired" } else { "finished" }),
                    _ if fired() => Some("expiring"),
                    _ if t.scope.borrow().is_none() => return raise(E::RuntimeError, "Timeout has not been entered"),
                    _ => None,
                };
                if let Some(state) = state {
                    return raise(E::RuntimeError, format!("Cannot change state of {state} Timeout"));
                }
                t.when.set(seconds(arg)?);
                self.reschedule(t);
                Ok(Value::None)
            }
            _ => Ok(t.when.get().map_or(Value::None, |ms| Value::Float(ms / 1000.0))),
        }
    }

    fn not_cm(&self, cm: &Value) -> Res {
        raise(
            E::TypeError,
            format!("'{}' object does not support the asynchronous context manager protocol", cm.type_name()),
        )
    }

    /// Leaving `async with` on a built-in object; returns whether the exception is suppressed.
    pub async fn exit_builtin(
        &self,
        cm: &Value,
        exc: Option<&Exc>,
        _is_async: bool,
        f: &Frame,
        _line: u32,
    ) -> Result<bool, Flow> {
        let Value::Obj(o) = cm else { return Ok(false) };
        let sem = match &**o {
            Obj::Sem(s) => Some(s),
            Obj::Condition(c) => c.lock(),
            _ => None,
        };
        if let Some(s) = sem {
            // CPython's `__aexit__` is `self.release()`: released by then (a Condition's wait
            // interrupted with its lock not taken again), it raises.
            self.sem_release(s)?;
            return Ok(false);
        }
        match &**o {
            Obj::Timeout(t) => {
                t.deadline.borrow_mut().take();
                t.left.set(true);
                let Some((id, _)) = t.scope.borrow_mut().take() else { return Ok(false) };
                t.expired.set(f.task().sig.has_fired(id));
                let result = match exc {
                    // Caught here, in the `async with`'s frame: CPython's `__aexit__` gets it
                    // with that frame's entry in its traceback.
                    Some(e) => Err(Flow::Exc(Box::new(self.caught_in(e, f)))),
                    None => Ok(Value::None),
                };
                match self.leave_timeout(id, result, f) {
                    Ok(_) => Ok(false),
                    Err(flow) if exc.is_some() && !self.flow_is(&flow, E::TimeoutError) => Ok(false),
                    Err(flow) => Err(flow),
                }
            }
            Obj::TaskGroup(g) => self.group_exit(g, exc, f).await,
            Obj::Session { closed, .. } => {
                closed.set(true);
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    async fn group_exit(&self, g: &GroupState, exc: Option<&Exc>, f: &Frame) -> Result<bool, Flow> {
        g.exiting.set(true);
        if let Some(e) = exc.filter(|e| self.is_base_error(&e.value) && g.base_error.borrow().is_none()) {
            // Caught here, in the `async with`'s frame, as the group's `__aexit__` gets it.
            self.keep_caught_traceback(e, f);
            *g.base_error.borrow_mut() = Some(e.value.clone());
        }
        if g.owner_cancelled.get() {
            // As CPython's `__aexit__` withdraws the cancellation the group requested of it.
            f.task().sig.uncancel();
        }
        let is_cancel = exc.is_some_and(|e| self.is_instance_of(&e.value, E::CancelledError));
        let mut propagate_cancel = is_cancel && !g.owner_cancelled.get();
        // The body's task cancelled while it waits here (from elsewhere, by a deadline, or by
        // itself before `async with` ended): CPython's `__aexit__` raises that CancelledError.
        let mut interrupted = None;
        if exc.is_some() {
            self.group_abort(g);
        }
        let settled = || g.settled.get() == g.tasks.borrow().len();
        while !settled() {
            let mut all = pin!(poll_fn(|cx| {
                if settled() {
                    return Poll::Ready(());
                }
                *g.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }));
            // Cancelled while it waits: CPython propagates that only if the group was not
            // cancelling its children already (then it is lost).
            if let Err(why) = self.suspend(&f.task(), all.as_mut()).await {
                if !g.aborting.get() {
                    propagate_cancel = true;
                    interrupted = interrupted.or(Some(why));
                    self.group_abort(g);
                }
            }
        }
        if g.owner_cancelled.get() {
            // The cancellation the group requested of its body is void once it is handled here.
            f.task().sig.clear_cancel();
        }
        let base_error = g.base_error.borrow().clone();
        if let Some(base) = base_error {
            // `raise self._base_error`, as is: in `__aexit__`, which handles the body's exception
            // (its `__context__`, if another), or what is handled around the `async with`.
            if let Some(handled) = exc.map(|e| e.value.clone()).or_else(|| self.handled(&f.task())) {
                self.set_context(&base, &handled);
            }
            return Err(Flow::Exc(Box::new(self.with_its_traceback(base))));
        }
        let mut errors = g.errors.borrow().clone();
        if propagate_cancel && errors.is_empty() {
            return match (exc, interrupted) {
                (None, Some(why)) => Err(self.interrupted(&f.task(), why)),
                _ => Ok(false),
            };
        }
        if let (Some(e), false) = (exc, is_cancel) {
            self.keep_traceback(e);
            errors.push(e.value.clone());
        }
        if errors.is_empty() {
            return Ok(false);
        }
        let group = self.new_group(Value::str("unhandled errors in a TaskGroup"), errors);
        // asyncio's `raise me from None`: an exception being handled around the `async with`
        // is its context, but its traceback does not show it.
        self.set_cause(&group, Value::None);
        if let Some(handled) = self.handled(&f.task()) {
            self.set_context(&group, &handled);
        }
        Err(Flow::Exc(Box::new(Exc::new(group))))
    }

    /// The `random` module, seeded by the scenario's seed (its numbers differ from CPython's
    /// Mersenne Twister: same seed, same run here, not the same numbers as `python3`).
    pub fn call_random(&self, b: B, args: Vec<Value>) -> Res {
        use rand_core::RngCore;
        let mut rng = self.rng.borrow_mut();
        let mut unit = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let int_arg = |i: usize| {
            args.get(i)
                .and_then(ops::as_int)
                .ok_or(())
                .or_else(|()| raise(E::TypeError, format!("{}() needs integers", b.name())))
        };
        let below = |unit: &mut dyn FnMut() -> f64, n: i64| (unit() * n as f64) as i64;
        match b {
            B::Random => Ok(Value::Float(unit())),
            B::Uniform => {
                let (Some(lo), Some(hi)) = (args.first().and_then(ops::as_f64), args.get(1).and_then(ops::as_f64))
                else {
                    return raise(E::TypeError, "uniform() needs two numbers");
                };
                Ok(Value::Float(lo + (hi - lo) * unit()))
            }
            B::Randint | B::Randrange => {
                // In i128: randint(-2**63, 2**63 - 1) spans more than an i64 holds.
                let (lo, hi) = match (b, args.len()) {
                    (B::Randrange, 1) => (0, i128::from(int_arg(0)?)),
                    (B::Randint, _) => (i128::from(int_arg(0)?), i128::from(int_arg(1)?) + 1),
                    _ => (i128::from(int_arg(0)?), i128::from(int_arg(1)?)),
                };
                let n = hi - lo;
                if n <= 0 {
                    return raise(E::ValueError, "empty range for randrange()");
                }
                let picked = ((unit() * n as f64) as i128).min(n - 1);
                Ok(Value::Int((lo + picked) as i64))
            }
            B::Choice => {
                let items = self.iterate(args.first().unwrap_or(&Value::None))?;
                if items.is_empty() {
                    return raise(E::IndexError, "Cannot choose from an empty sequence");
                }
                let i = below(&mut unit, items.len() as i64).min(items.len() as i64 - 1);
                Ok(items[i as usize].clone())
            }
            B::Shuffle => {
                let Some(Value::List(l)) = args.first() else { return raise(E::TypeError, "shuffle() needs a list") };
                let mut l = l.borrow_mut();
                for i in (1..l.len()).rev() {
                    let j = below(&mut unit, i as i64 + 1).min(i as i64) as usize;
                    l.swap(i, j);
                }
                Ok(Value::None)
            }
            B::Sample => {
                let mut items = self.iterate(args.first().unwrap_or(&Value::None))?;
                let k = int_arg(1)?;
                if k < 0 || k as usize > items.len() {
                    return raise(E::ValueError, "Sample larger than population or is negative");
                }
                for i in 0..k as usize {
                    let j = i + below(&mut unit, (items.len() - i) as i64).min((items.len() - i - 1) as i64) as usize;
                    items.swap(i, j);
                }
                items.truncate(k as usize);
                Ok(Value::list(items))
            }
            _ => {
                // random.seed(n): a new stream for n.
                let seed = args.first().map_or(0, |v| {
                    v.hkey()
                        .map(|h| {
                            use std::hash::{Hash, Hasher};
                            let mut hasher = rustc_hash::FxHasher::default();
                            h.hash(&mut hasher);
                            hasher.finish()
                        })
                        .unwrap_or(0)
                });
                drop(rng);
                *self.rng.borrow_mut() = rand_pcg::Pcg32::new(seed, 0xa5a5);
                Ok(Value::None)
            }
        }
    }

    /// A dict for JSON objects, in their order.
    pub fn new_dict(&self) -> Dict {
        Dict::default()
    }
}

/// `create_task`'s `name=`, as the task's name (`str(name)`; `None`: no name).
fn task_name(kwargs: &Kwargs) -> Option<Rc<str>> {
    match kw(kwargs, "name") {
        None | Some(Value::None) => None,
        Some(Value::Str(s)) => Some(s.clone()),
        Some(other) => Some(Rc::from(fmt::to_str(other))),
    }
}

/// CPython's `_GatheringFuture.cancel(msg)`: false once done; else each child is asked (a
/// gather given to it, in turn), and if one took it, the gather will raise `CancelledError`.
fn cancel_gather(items: &[Value], gather: &GatherFut, msg: Option<&str>) -> bool {
    if gather.done.get() {
        return false;
    }
    let mut taken = false;
    for item in items {
        taken |= match item {
            Value::Task(t) => t.cancel(msg),
            Value::Obj(o) => match &**o {
                Obj::Gather { items, fut, .. } => cancel_gather(items, fut, msg),
                _ => false,
            },
            _ => false,
        };
    }
    if taken {
        gather.cancel_requested.set(true);
    }
    taken
}

/// The tasks a gather waits for: those given to it, and those of the gathers given to it.
fn gathered_tasks(items: &[Value], out: &mut Vec<Rc<TaskObj>>) {
    for item in items {
        match item {
            Value::Task(t) => out.push(t.clone()),
            Value::Obj(o) => {
                if let Obj::Gather { items, .. } = &**o {
                    gathered_tasks(items, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether a gather's child, done, failed or was cancelled (a gather given to it: whether it
/// ended with an error, which it does only without `return_exceptions`, when one of its own
/// children did: a done gather's children that are gathers are done too, or one failed first).
fn gathered_failed(item: &Value) -> bool {
    match item {
        Value::Task(t) => matches!(t.result(), Some(Err(_))),
        Value::Obj(o) => match &**o {
            Obj::Gather { items, return_exceptions, fut } => {
                fut.done.get() && !return_exceptions && items.iter().any(gathered_failed)
            }
            _ => false,
        },
        _ => false,
    }
}

/// What `asyncio.wait`'s waiter and its tasks' done callbacks share.
#[derive(Default)]
struct WaitState {
    /// The tasks whose done callback has not run yet (CPython's `counter`).
    uncounted: Cell<usize>,
    timer: RefCell<Option<std::pin::Pin<Box<crate::core::clock::RunSleep>>>>,
    released: std::cell::Cell<bool>,
    waker: RefCell<Option<std::task::Waker>>,
}

impl WaitState {
    /// `task`'s done callback, CPython's `_on_completion`: counts the task, and once `mode` is
    /// met cancels the timer and releases the waiter. Met when every task's callback has run
    /// (not when every task is done: a callback still to run holds the waiter an iteration).
    fn on_completion(&self, task: &Weak<TaskObj>, mode: WaitMode) {
        self.uncounted.set(self.uncounted.get().saturating_sub(1));
        let failed = || task.upgrade().is_some_and(|t| matches!(t.result(), Some(Err(_))) && !t.was_cancelled());
        let met = self.uncounted.get() == 0
            || mode == WaitMode::FirstCompleted
            || (mode == WaitMode::FirstException && failed());
        if met {
            self.release();
        }
    }

    /// Releases the waiter (once) and cancels the timeout's timer.
    fn release(&self) {
        if !self.released.replace(true) {
            self.timer.borrow_mut().take();
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
        }
    }

    /// The waiter: ready once released or once the timeout's timer fires.
    fn poll(&self, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.released.get() {
            return Poll::Ready(());
        }
        if let Some(timer) = self.timer.borrow_mut().as_mut() {
            if std::future::Future::poll(timer.as_mut(), cx).is_ready() {
                return Poll::Ready(());
            }
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}
