//! asyncio's and aiohttp's objects as values: what they hold and their methods that do not wait
//! (the waiting ones return an awaitable [`Obj::Op`], performed in `library`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

use super::builtins::B;
use super::call::Kwargs;
use super::tasks::{Deadline, TaskObj};
use super::value::Value;
use super::{raise, Flow, Frame, Interp, Res, E};
use crate::core::aio::{CancelProbe, Semaphore};

/// A gather's future: done in a done callback of its children (CPython's `_done_callback`), so
/// an iteration after the child that completes it, and the task awaiting it wakes in the next.
#[derive(Default)]
pub struct GatherFut {
    pub done: Cell<bool>,
    /// Children whose done callback has run (CPython's `nfinished`): it is done when all have.
    pub finished: Cell<usize>,
    /// Who waits for it: the task awaiting it, a gather it was given to.
    wakers: RefCell<Vec<Waker>>,
    /// The task awaiting it: its cancellation no longer reaches the children once the gather is
    /// done (CPython's `_GatheringFuture.cancel()` returns False then).
    pub awaiter: RefCell<Option<std::sync::Arc<super::tasks::Sig>>>,
    /// A cancellation reached a child (`gather.cancel()`, or one of the awaiting task's): done,
    /// it raises `CancelledError` even if every child ended well (CPython's `_cancel_requested`).
    pub cancel_requested: Cell<bool>,
    /// How many gathers deep it is: 1 for one of tasks only, one more than the deepest gather
    /// given to it. At most `limits::MAX_DEPTH`, so what looks through nested gathers (its
    /// `cancel`, its outcome) recurses no deeper.
    pub depth: Cell<u32>,
}

impl GatherFut {
    /// Done: the awaiting task wakes.
    pub fn finish(&self) {
        if self.done.replace(true) {
            return;
        }
        if let Some(sig) = self.awaiter.borrow().as_ref() {
            sig.set_awaiting(&[]);
        }
        let wakers = std::mem::take(&mut *self.wakers.borrow_mut());
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Waits until it is done.
    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.done.get() {
                return Poll::Ready(());
            }
            let mut wakers = self.wakers.borrow_mut();
            if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                wakers.push(cx.waker().clone());
            }
            Poll::Pending
        })
    }
}

/// A one-shot waiter (an `asyncio.Future` a primitive sets): FIFO queues of these make Event,
/// Queue and friends.
#[derive(Default)]
pub struct Waiter {
    done: Cell<bool>,
    waker: RefCell<Option<Waker>>,
    /// Whether its task was cancelled: asyncio cancels the future at once, so a primitive that
    /// wakes a waiter skips it, though its task leaves the queue only at its next step.
    cancel: Option<CancelProbe>,
}

impl Waiter {
    /// A waiter of the task whose cancellation `cancel` tells.
    pub fn of_task(cancel: CancelProbe) -> Self {
        Waiter { cancel: Some(cancel), ..Waiter::default() }
    }

    /// Sets its result (`if not fut.done(): fut.set_result(...)`): not if it was cancelled.
    pub fn wake(&self) {
        if self.is_cancelled() {
            return;
        }
        if !self.done.replace(true) {
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
        }
    }

    /// Woken (its result set).
    pub fn is_done(&self) -> bool {
        self.done.get()
    }

    /// Cancelled before it was woken.
    pub fn is_cancelled(&self) -> bool {
        !self.done.get() && self.cancel.as_ref().is_some_and(|c| c())
    }

    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.done.get() {
                return Poll::Ready(());
            }
            *self.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
    }
}

/// Wakes the first waiter of `q` not already woken (asyncio's `_wakeup_next`).
pub fn wake_next(q: &RefCell<VecDeque<Rc<Waiter>>>) {
    let mut q = q.borrow_mut();
    while let Some(w) = q.pop_front() {
        if !w.is_done() && !w.is_cancelled() {
            w.wake();
            return;
        }
    }
}

/// `asyncio.Event`.
#[derive(Default)]
pub struct EventState {
    pub flag: Cell<bool>,
    pub waiters: RefCell<Vec<Rc<Waiter>>>,
}

impl EventState {
    pub fn set(&self) {
        if !self.flag.replace(true) {
            for w in self.waiters.borrow().iter() {
                w.wake();
            }
        }
    }
}

/// A Future's state (see `future.rs`): pending, not cancelled, no one listening at first.
#[derive(Default)]
pub struct FutState {
    /// Its result or exception once it is done (a cancelled one's: its CancelledError).
    pub outcome: RefCell<Option<Result<Value, super::Exc>>>,
    pub cancelled: Cell<bool>,
    /// Who hears of its end, in the order they asked (CPython's `_callbacks`).
    pub listeners: RefCell<Vec<Listener>>,
}

/// One who hears of a Future's end: a task awaiting it, or a done callback.
pub enum Listener {
    Task(Rc<Waiter>),
    Callback(Value),
}

/// `asyncio.Queue(maxsize)`.
pub struct QueueState {
    pub kind: QueueKind,
    /// The items: first in, first out; a stack for a LifoQueue; a binary heap (`heapq`'s) for a
    /// PriorityQueue.
    pub items: RefCell<VecDeque<Value>>,
    pub maxsize: usize,
    pub getters: RefCell<VecDeque<Rc<Waiter>>>,
    pub putters: RefCell<VecDeque<Rc<Waiter>>>,
    pub unfinished: Cell<usize>,
    pub finished: EventState,
}

/// `Queue`, `LifoQueue` or `PriorityQueue`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    Fifo,
    Lifo,
    Priority,
}

impl QueueState {
    pub fn full(&self) -> bool {
        self.maxsize > 0 && self.items.borrow().len() >= self.maxsize
    }
}

/// `asyncio.Semaphore`, `BoundedSemaphore` and `Lock` (a lock is a semaphore of one).
pub struct SemState {
    pub sem: Rc<Semaphore>,
    pub initial: usize,
    pub held: Cell<usize>,
    pub kind: SemKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SemKind {
    Semaphore,
    Bounded,
    Lock,
}

/// `asyncio.Condition(lock)`: its lock (an [`Obj::Sem`], a new Lock unless one is given) and the
/// futures of the tasks waiting for a notify, first come first notified.
pub struct CondState {
    pub lock: Value,
    pub waiters: RefCell<VecDeque<Rc<Waiter>>>,
}

impl CondState {
    /// The lock's state (a semaphore given as the lock: its own `locked()`).
    pub fn lock(&self) -> Option<&SemState> {
        match &self.lock {
            Value::Obj(o) => match &**o {
                Obj::Sem(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// `cond.locked()`: its lock's.
    pub fn locked(&self) -> bool {
        self.lock().is_some_and(SemState::locked)
    }
}

impl SemState {
    /// `locked()`: a Lock while it is held; a Semaphore also while a released permit waits for
    /// the task it was handed to (asyncio 3.12's rules).
    pub fn locked(&self) -> bool {
        if self.kind == SemKind::Lock {
            self.held.get() >= self.initial
        } else {
            self.sem.locked()
        }
    }
}

/// `asyncio.wait(..., return_when=...)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WaitMode {
    FirstCompleted,
    FirstException,
    AllCompleted,
}

/// A `TaskGroup`'s children and errors.
#[derive(Default)]
pub struct GroupState {
    pub tasks: RefCell<Vec<Rc<TaskObj>>>,
    pub owner: RefCell<Option<Rc<TaskObj>>>,
    pub errors: RefCell<Vec<Value>>,
    /// The first `KeyboardInterrupt` or `SystemExit` of its children or its body (CPython's
    /// `_base_error`): its exit raises it as is, not in a group.
    pub base_error: RefCell<Option<Value>>,
    pub exiting: Cell<bool>,
    /// It cancelled its children (CPython's `_aborting`: once).
    pub aborting: Cell<bool>,
    pub owner_cancelled: Cell<bool>,
    /// Children whose done callback has run.
    pub settled: Cell<usize>,
    /// The body waiting in `async with`'s exit for the children.
    pub waker: RefCell<Option<Waker>>,
}

/// `asyncio.as_completed`'s shared state: the tasks, and those done and not yet handed out, in
/// the order they finished.
pub struct AsCompletedState {
    pub tasks: Vec<Rc<TaskObj>>,
    pub done: RefCell<VecDeque<usize>>,
    /// The waker its pending tasks hold (see `Interp::until`).
    pub registered: RefCell<Option<Waker>>,
    /// Tasks not finished yet.
    unfinished: Cell<usize>,
    /// `timeout=`'s timer, cancelled once every task has finished.
    pub timer: RefCell<Option<Rc<super::timers::TimerState>>>,
    /// The timeout fired first: the tasks that finish after it are not handed out; awaiting
    /// one of the rest raises `TimeoutError`.
    pub timed_out: Cell<bool>,
}

impl AsCompletedState {
    /// The state of `as_completed(tasks)`: those done already queued in the order they
    /// finished, each other one queued as it finishes.
    pub fn new(tasks: Vec<Rc<TaskObj>>) -> Rc<Self> {
        let mut done: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].is_done()).collect();
        done.sort_by_key(|&i| tasks[i].finish_seq());
        let unfinished = Cell::new(tasks.len() - done.len());
        let state = Rc::new(AsCompletedState {
            tasks,
            done: RefCell::new(done.into()),
            registered: RefCell::default(),
            unfinished,
            timer: RefCell::default(),
            timed_out: Cell::new(false),
        });
        for (i, t) in state.tasks.iter().enumerate().filter(|(_, t)| !t.is_done()) {
            let weak = Rc::downgrade(&state);
            t.on_finish(Box::new(move || {
                let Some(state) = weak.upgrade() else { return };
                if state.timed_out.get() {
                    return;
                }
                state.done.borrow_mut().push_back(i);
                state.unfinished.set(state.unfinished.get() - 1);
                if state.unfinished.get() == 0 {
                    // As CPython's `_on_completion` cancels the timeout's handle.
                    if let Some(timer) = state.timer.borrow_mut().take() {
                        timer.disarm();
                    }
                }
            }));
        }
        state
    }

    /// Whether it waits for tasks still (what a `timeout=` needs a timer for).
    pub fn waits(&self) -> bool {
        self.unfinished.get() > 0
    }

    /// The timeout's callback (CPython's `_on_timeout`): the tasks not finished are given up,
    /// and the task waiting for the next one wakes to raise `TimeoutError`.
    pub fn time_out(&self) {
        self.timer.borrow_mut().take();
        if self.unfinished.get() == 0 {
            return;
        }
        self.timed_out.set(true);
        if let Some(w) = self.registered.borrow_mut().take() {
            w.wake();
        }
    }
}

/// `asyncio.timeout(delay)` / `timeout_at(when)`: CPython's `Timeout`.
#[derive(Default)]
pub struct TimeoutState {
    /// `when()`: the loop time it expires at, in ms (`None`: never).
    pub when: Cell<Option<f64>>,
    /// Once entered: its deadline scope's id and the task it times out.
    pub scope: RefCell<Option<(u32, Rc<TaskObj>)>>,
    /// The armed timer, while it is entered and has a deadline.
    pub deadline: RefCell<Option<Deadline>>,
    /// It was left (entering or rescheduling it again is an error).
    pub left: Cell<bool>,
    /// It expired (`expired()`, once it is left).
    pub expired: Cell<bool>,
}

/// asyncio's and aiohttp's objects.
pub enum Obj {
    /// `asyncio.Future()`, `loop.create_future()` (see `future.rs`).
    Future(FutState),
    /// `asyncio.sleep(s)`, not yet awaited.
    Sleep {
        ms: f64,
        text: Rc<str>,
        /// `sleep(delay, result)`: what the await gives.
        result: Value,
        /// CPython's `asyncio.sleep` is a coroutine: dropped without an `await`, it warns.
        unawaited: super::value::UnawaitedGuard,
    },
    /// `asyncio.gather(...)`: its tasks were created when it was called.
    Gather {
        items: Vec<Value>,
        return_exceptions: bool,
        fut: Rc<GatherFut>,
    },
    WaitFor {
        aw: RefCell<Option<Value>>,
        timeout: Option<f64>,
    },
    Wait {
        tasks: Vec<Rc<TaskObj>>,
        mode: WaitMode,
        timeout: Option<f64>,
    },
    Sem(SemState),
    Event(EventState),
    Condition(CondState),
    Queue(QueueState),
    /// A waiting method call not yet awaited: `sem.acquire()`, `event.wait()`, `q.get()`,
    /// `q.put(x)`, `q.join()`.
    Op {
        target: Value,
        op: B,
        arg: Value,
    },
    Timeout(TimeoutState),
    /// `asyncio.shield(aw)`: the outer future of a task not done yet, done in the task's done
    /// callback (an iteration after the task, as CPython's `_inner_done_callback`).
    Shield {
        task: Rc<TaskObj>,
        fut: Rc<GatherFut>,
    },
    TaskGroup(Rc<GroupState>),
    AsCompleted(Rc<AsCompletedState>),
    /// `aiohttp.ClientSession(timeout=...)`: its requests' total timeout, in ms.
    Session {
        closed: Cell<bool>,
        timeout: Option<f64>,
    },
    /// `session.get(url)`: awaitable, and an async context manager.
    Request {
        method: &'static str,
        url: Rc<str>,
        resp: RefCell<Option<Value>>,
        timeout: Option<f64>,
    },
    Response {
        status: u16,
        body: Rc<str>,
        url: Rc<str>,
    },
    /// An awaitable that gives `Value` at once (`resp.json()`, `session.close()`).
    Ready(Value),
    /// `asyncio.get_event_loop()`: `.time()`, `.call_later()`, `.call_at()`.
    Loop,
    /// `aiohttp.ClientTimeout(total=s)`, in ms.
    ClientTimeout(Option<f64>),
    /// `@staticmethod`, `@classmethod` or `@property` around a function.
    Descriptor(B, Value),
    /// A `@property` with a setter (`@d.setter`): its getter and its setter.
    Property(Value, Value),
    /// `loop.call_later(...)`'s `TimerHandle` (`loop.call_soon(...)`'s `Handle`).
    TimerHandle(Rc<super::timers::TimerState>),
    /// An async generator (see `agen`).
    AsyncGen(Rc<super::agen::AgenCore>),
    /// `d.keys()`, `d.values()` or `d.items()`: a view of the dict (a `Value::Dict`), which
    /// shows its later changes too.
    DictView(View, Value),
    /// `dataclasses.field(...)`, and each field in a dataclass's `__dataclass_fields__`.
    DataclassField(super::dataclass::FieldSpec),
}

/// What a dict view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Keys,
    Values,
    Items,
}

impl View {
    /// What the view of `dict` shows now, in the dict's order.
    fn of(self, dict: &Value) -> Vec<Value> {
        let Value::Dict(d) = dict else { return Vec::new() };
        let d = d.borrow();
        match self {
            View::Keys => d.keys(),
            View::Values => d.iter().map(|(_, v)| v.clone()).collect(),
            View::Items => d.iter().map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])).collect(),
        }
    }
}

impl Drop for Obj {
    /// The values an object holds are freed without recursion (see `value::bury`).
    fn drop(&mut self) {
        if let Obj::AsyncGen(g) = self {
            g.dropped();
        }
        let held: Vec<Value> = match self {
            Obj::Gather { items, .. } => std::mem::take(items),
            Obj::WaitFor { aw, .. } => aw.get_mut().take().into_iter().collect(),
            Obj::Op { target, arg, .. } => {
                vec![std::mem::replace(target, Value::None), std::mem::replace(arg, Value::None)]
            }
            Obj::Ready(v) | Obj::Descriptor(_, v) | Obj::Sleep { result: v, .. } => {
                vec![std::mem::replace(v, Value::None)]
            }
            Obj::Property(get, set) => vec![std::mem::replace(get, Value::None), std::mem::replace(set, Value::None)],
            Obj::Request { resp, .. } => resp.get_mut().take().into_iter().collect(),
            Obj::Condition(c) => vec![std::mem::replace(&mut c.lock, Value::None)],
            Obj::DictView(_, d) => vec![std::mem::replace(d, Value::None)],
            Obj::DataclassField(spec) => spec.default.take().into_iter().chain(spec.factory.take()).collect(),
            // A chain of futures, each the next one's result, is freed without recursion.
            Obj::Future(s) => {
                let outcome = s.outcome.get_mut().take().map(|r| r.unwrap_or_else(|e| e.value));
                let callbacks = std::mem::take(s.listeners.get_mut()).into_iter().filter_map(|l| match l {
                    Listener::Callback(cb) => Some(cb),
                    Listener::Task(_) => None,
                });
                outcome.into_iter().chain(callbacks).collect()
            }
            _ => Vec::new(),
        };
        super::value::bury(held.into_iter());
    }
}

impl Obj {
    pub fn type_name(&self) -> &'static str {
        match self {
            Obj::Sleep { .. } | Obj::WaitFor { .. } | Obj::Wait { .. } | Obj::Op { .. } | Obj::Ready(_) => "coroutine",
            Obj::Gather { .. } => "_GatheringFuture",
            Obj::Sem(s) => match s.kind {
                SemKind::Semaphore => "Semaphore",
                SemKind::Bounded => "BoundedSemaphore",
                SemKind::Lock => "Lock",
            },
            Obj::Event(_) => "Event",
            Obj::Condition(_) => "Condition",
            Obj::Queue(q) => match q.kind {
                QueueKind::Fifo => "Queue",
                QueueKind::Lifo => "LifoQueue",
                QueueKind::Priority => "PriorityQueue",
            },
            Obj::Timeout(_) => "Timeout",
            Obj::Shield { .. } | Obj::Future(_) => "Future",
            Obj::TaskGroup(_) => "TaskGroup",
            Obj::AsCompleted(_) => "coroutine",
            Obj::Session { .. } => "ClientSession",
            Obj::Request { .. } => "_RequestContextManager",
            Obj::Response { .. } => "ClientResponse",
            Obj::Loop => "_UnixSelectorEventLoop",
            Obj::ClientTimeout(_) => "ClientTimeout",
            Obj::Descriptor(B::Property, _) | Obj::Property(..) => "property",
            Obj::Descriptor(..) => "descriptor",
            Obj::TimerHandle(t) if t.when.is_none() => "Handle",
            Obj::TimerHandle(_) => "TimerHandle",
            Obj::AsyncGen(_) => "async_generator",
            Obj::DictView(View::Keys, _) => "dict_keys",
            Obj::DictView(View::Values, _) => "dict_values",
            Obj::DictView(View::Items, _) => "dict_items",
            Obj::DataclassField(_) => "Field",
        }
    }

    /// A lane label for a task made of this awaitable (`sleep(1)`, `get('…/3')`).
    pub fn label(&self) -> String {
        match self {
            Obj::Sleep { text, .. } => text.to_string(),
            Obj::Request { url, .. } => format!("get('{}')", super::fmt::short_url(url)),
            Obj::Op { target: Value::Obj(o), op: B::AnextDefault, .. } => match &**o {
                Obj::Op { target: Value::Obj(g), .. } if g.agen().is_some() => format!("anext({}, …)", g.label()),
                _ => "anext(…)".into(),
            },
            Obj::Op { target: Value::Obj(o), op, .. } if o.agen().is_some() => format!("{}.{}()", o.label(), op.name()),
            Obj::Op { target, op, .. } => format!("{}.{}()", target.type_name(), op.name()),
            Obj::AsyncGen(g) => g.label.borrow().to_string(),
            Obj::WaitFor { .. } => "wait_for(…)".into(),
            Obj::Gather { .. } => "gather(…)".into(),
            other => other.type_name().into(),
        }
    }

    /// `d.keys()`, `d.values()` or `d.items()`.
    pub fn is_dict_view(&self) -> bool {
        matches!(self, Obj::DictView(..))
    }

    pub fn truthy(&self) -> bool {
        self.len() != Some(0)
    }

    pub fn len(&self) -> Option<usize> {
        match self {
            Obj::DictView(_, Value::Dict(d)) => Some(d.borrow().len()),
            _ => None,
        }
    }

    pub fn iter_values(&self) -> Option<Vec<Value>> {
        match self {
            Obj::DictView(view, d) => Some(view.of(d)),
            _ => None,
        }
    }

    /// A keys or items view: set-like, in `==` with sets and in `|`, `&`, `-`, `^`.
    pub fn is_set_like_view(&self) -> bool {
        matches!(self, Obj::DictView(View::Keys | View::Items, _))
    }

    /// A keys or items view as the set of what it shows, for `|`, `&`, `-`, `^` (an item whose
    /// value is unhashable: that type's name); `None` for any other object.
    pub fn view_set(&self) -> Option<Result<super::value::Dict, Rc<str>>> {
        let Obj::DictView(view @ (View::Keys | View::Items), d) = self else { return None };
        let mut set = super::value::Dict::new_set();
        for item in view.of(d) {
            match item.hkey() {
                Ok(h) => set.insert(h, item, Value::None),
                Err(t) => return Some(Err(t)),
            }
        }
        Some(Ok(set))
    }

    /// `item in view`: a key looked up, a value compared with each, an item's key looked up and
    /// its value compared.
    pub fn view_contains(&self, item: &Value) -> Option<Result<bool, Rc<str>>> {
        let Obj::DictView(view, Value::Dict(d)) = self else { return None };
        let d = d.borrow();
        Some(match (view, item) {
            (View::Keys, _) => item.hkey().map(|h| d.contains(&h)),
            (View::Values, _) => Ok(d.iter().any(|(_, v)| super::value::eq(v, item))),
            (View::Items, Value::Tuple(pair)) if pair.len() == 2 => {
                pair[0].hkey().map(|h| d.get(&h).is_some_and(|v| super::value::eq(v, &pair[1])))
            }
            (View::Items, _) => Ok(false),
        })
    }

    /// Awaited or owned by a task: an asyncio coroutine among these ([`Obj::Sleep`]) will not
    /// warn that it was never awaited.
    pub fn disarm(&self) {
        if let Obj::Sleep { unawaited, .. } = self {
            unawaited.disarm();
        }
    }

    /// A `@staticmethod`, `@classmethod` or `@property` (with a setter or not): a class
    /// attribute that its instances read through ([`Interp::get_attr`]).
    pub fn is_descriptor(&self) -> bool {
        matches!(self, Obj::Descriptor(..) | Obj::Property(..))
    }

    pub fn is_awaitable(&self) -> bool {
        matches!(
            self,
            Obj::Sleep { .. }
                | Obj::Gather { .. }
                | Obj::WaitFor { .. }
                | Obj::Wait { .. }
                | Obj::Op { .. }
                | Obj::AsCompleted(_)
                | Obj::Request { .. }
                | Obj::Ready(_)
                | Obj::Shield { .. }
                | Obj::Future(_)
        )
    }

    /// The generator, if this is one.
    pub fn agen(&self) -> Option<&Rc<super::agen::AgenCore>> {
        match self {
            Obj::AsyncGen(g) => Some(g),
            _ => None,
        }
    }
}

impl<'a> Interp<'a> {
    /// `obj.name` for asyncio's and aiohttp's objects.
    pub fn obj_attr(&self, v: &Value, o: &Obj, name: &str) -> Res {
        use B::*;
        let method = |b: B| Ok(Value::Method(Rc::new((v.clone(), b))));
        match (o, name) {
            (Obj::Descriptor(Property, _), "setter") => method(PropertySetter),
            (Obj::Sem(_), "acquire") => method(Acquire),
            (Obj::Sem(_), "release") => method(Release),
            (Obj::Sem(_), "locked") => method(Locked),
            (Obj::Event(_), "set") => method(EventSet),
            (Obj::Event(_), "clear") => method(EventClear),
            (Obj::Event(_), "is_set") => method(EventIsSet),
            (Obj::Event(_), "wait") => method(EventWait),
            // Its lock's methods, as CPython's Condition exports them.
            (Obj::Condition(c), "locked" | "acquire" | "release") => self.obj_attr(&c.lock, o_lock(c)?, name),
            (Obj::Condition(_), "wait") => method(EventWait),
            (Obj::Condition(_), "wait_for") => method(CondWaitFor),
            (Obj::Condition(_), "notify") => method(CondNotify),
            (Obj::Condition(_), "notify_all") => method(CondNotifyAll),
            (Obj::Queue(_), "put") => method(QPut),
            (Obj::Queue(_), "get") => method(QGet),
            (Obj::Queue(_), "put_nowait") => method(QPutNowait),
            (Obj::Queue(_), "get_nowait") => method(QGetNowait),
            (Obj::Queue(_), "task_done") => method(QTaskDone),
            (Obj::Queue(_), "join") => method(QJoin),
            (Obj::Queue(_), "qsize") => method(QQsize),
            (Obj::Queue(_), "empty") => method(QEmpty),
            (Obj::Queue(_), "full") => method(QFull),
            (Obj::Queue(q), "maxsize") => Ok(Value::Int(q.maxsize as i64)),
            (Obj::TaskGroup(_), "create_task") => method(TgCreateTask),
            // CPython's `_GatheringFuture`: a Future whose `cancel()` cancels its children.
            (Obj::Gather { .. }, "cancel") => method(TaskCancel),
            (Obj::Gather { .. }, "done") => method(TaskDone),
            (Obj::Gather { .. }, "cancelled") => method(TaskCancelled),
            (Obj::Gather { .. }, "result") => method(TaskResult),
            (Obj::Gather { .. }, "exception") => method(TaskException),
            (Obj::Session { .. }, "get") => method(SessGet),
            (Obj::Session { .. }, "post" | "put" | "delete") => method(SessPost),
            (Obj::Session { .. }, "close") => method(SessClose),
            (Obj::Session { closed, .. }, "closed") => Ok(Value::Bool(closed.get())),
            (Obj::Response { .. }, "json") => method(RespJson),
            (Obj::Response { .. }, "text") => method(RespText),
            (Obj::Response { .. }, "raise_for_status") => method(RespRaiseForStatus),
            (Obj::Response { .. }, "release") => method(SessClose),
            (Obj::Response { status, .. }, "status") => Ok(Value::Int(i64::from(*status))),
            (Obj::Response { status, .. }, "ok") => Ok(Value::Bool(*status < 400)),
            (Obj::Response { status, .. }, "reason") => Ok(Value::str(reason(*status))),
            (Obj::Response { url, .. }, "url") => Ok(Value::Str(url.clone())),
            (Obj::Loop, "time") => method(LoopTime),
            (Obj::Loop, "create_future") => method(LoopCreateFuture),
            (Obj::Future(_), "set_result") => method(FutSetResult),
            (Obj::Future(_), "set_exception") => method(FutSetException),
            (Obj::Future(_), "result") => method(TaskResult),
            (Obj::Future(_), "exception") => method(TaskException),
            (Obj::Future(_), "done") => method(TaskDone),
            (Obj::Future(_), "cancelled") => method(TaskCancelled),
            (Obj::Future(_), "cancel") => method(TaskCancel),
            (Obj::Future(_), "add_done_callback") => method(TaskAddDoneCallback),
            (Obj::Future(_), "remove_done_callback") => method(FutRemoveDoneCallback),
            (Obj::Loop, "is_running") => method(LoopIsRunning),
            // `loop.create_task(coro, name=...)` is `asyncio.create_task` on the running loop.
            (Obj::Loop, "create_task") => Ok(Value::Builtin(CreateTask)),
            (Obj::Loop, "call_later") => method(CallLater),
            (Obj::Loop, "call_at") => method(CallAt),
            (Obj::Loop, "call_soon" | "call_soon_threadsafe") => method(CallSoon),
            (Obj::TimerHandle(_), "cancel") => method(HandleCancel),
            (Obj::TimerHandle(_), "cancelled") => method(HandleCancelled),
            (Obj::TimerHandle(t), "when") if t.when.is_some() => method(HandleWhen),
            (Obj::Timeout(_), "when") => method(HandleWhen),
            (Obj::Timeout(_), "reschedule") => method(TimeoutReschedule),
            (Obj::Timeout(_), "expired") => method(TimeoutExpired),
            (Obj::AsyncGen(_), "__anext__") => method(AgenAnext),
            (Obj::AsyncGen(_), "__aiter__") => method(AgenAiter),
            (Obj::AsyncGen(_), "asend") => method(AgenAsend),
            (Obj::AsyncGen(_), "athrow") => method(AgenAthrow),
            (Obj::AsyncGen(_), "aclose") => method(AgenAclose),
            (Obj::AsyncGen(g), "__name__") => Ok(Value::str(&g.func.def.name)),
            (Obj::AsyncGen(g), "__qualname__") => Ok(Value::Str(g.func.qualname())),
            _ => self.no_such(v, name),
        }
    }

    /// A method of asyncio's and aiohttp's objects.
    pub fn obj_method(&self, b: B, recv: &Value, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        let Value::Obj(o) = recv else { return self.no_such(recv, b.name()) };
        let op = |arg: Value| Ok(Value::Obj(Rc::new(Obj::Op { target: recv.clone(), op: b, arg })));
        match (&**o, b) {
            (Obj::Sem(_), B::Acquire) | (Obj::Event(_) | Obj::Condition(_), B::EventWait) => op(Value::None),
            (Obj::Condition(_), B::CondWaitFor) => op(args.into_iter().next().unwrap_or(Value::None)),
            (Obj::AsyncGen(_), B::AgenAiter) => Ok(recv.clone()),
            (Obj::AsyncGen(_), B::AgenAnext | B::AgenAclose) => op(Value::None),
            (Obj::AsyncGen(_), B::AgenAsend | B::AgenAthrow) => match args.into_iter().next() {
                Some(arg) => op(arg),
                None => raise(E::TypeError, format!("{}() takes exactly one argument (0 given)", b.name())),
            },
            (Obj::Condition(c), B::CondNotify | B::CondNotifyAll) => {
                let n = match (b, args.first()) {
                    (B::CondNotifyAll, _) => c.waiters.borrow().len(),
                    (_, None) => 1,
                    (_, Some(v)) => super::ops::as_int(v)
                        .ok_or(())
                        .or_else(|()| raise(E::TypeError, "notify() takes an integer"))?
                        .max(0) as usize,
                };
                self.notify(c, n).map(|()| Value::None)
            }
            (Obj::Queue(_), B::QGet | B::QJoin) => op(Value::None),
            (Obj::Queue(_), B::QPut) => op(args.into_iter().next().unwrap_or(Value::None)),
            (Obj::Sem(s), B::Release) => self.sem_release(s).map(|()| Value::None),
            (Obj::Sem(s), B::Locked) => Ok(Value::Bool(s.locked())),
            (Obj::Event(e), B::EventSet) => {
                e.set();
                Ok(Value::None)
            }
            (Obj::Event(e), B::EventClear) => {
                e.flag.set(false);
                e.waiters.borrow_mut().retain(|w| !w.is_done());
                Ok(Value::None)
            }
            (Obj::Event(e), B::EventIsSet) => Ok(Value::Bool(e.flag.get())),
            (Obj::Queue(q), _) => self.queue_method(q, b, args, f),
            (Obj::Gather { items, return_exceptions, fut }, _) => {
                self.gather_method(b, items, *return_exceptions, fut, args.first())
            }
            (Obj::TaskGroup(g), B::TgCreateTask) => {
                let aw = args.into_iter().next().unwrap_or(Value::None);
                self.group_spawn(g, aw, &kwargs, line)
            }
            (Obj::Loop, B::LoopTime) => Ok(Value::Float(self.ctx.rec.elapsed() / 1000.0)),
            (Obj::Loop, B::LoopCreateFuture) => Ok(Value::Obj(Rc::new(Obj::Future(FutState::default())))),
            (Obj::Future(s), _) => self.future_method(o, s, b, args, f, line),
            (Obj::Loop, B::LoopIsRunning) => Ok(Value::Bool(self.running.get())),
            (Obj::Loop, B::CallLater | B::CallAt) => self.call_later(b == B::CallAt, args, line),
            (Obj::Loop, B::CallSoon) => self.call_soon(args, line),
            (Obj::TimerHandle(t), _) => self.timer_method(t, b),
            (Obj::Timeout(t), _) => self.timeout_method(t, b, args.first()),
            (Obj::Session { .. } | Obj::Response { .. }, _) => self.http_method(o, b, args, kwargs, f, line),
            _ => self.no_such(recv, b.name()),
        }
    }

    /// `cond.notify(n)`: wakes the first `n` waiters not woken or cancelled yet (their tasks
    /// then take the lock again, in the lock's order).
    fn notify(&self, c: &CondState, n: usize) -> Result<(), Flow> {
        if !c.locked() {
            return raise(E::RuntimeError, "cannot notify on un-acquired lock");
        }
        let mut woken = 0;
        for w in c.waiters.borrow().iter() {
            if woken >= n {
                break;
            }
            if !w.is_done() && !w.is_cancelled() {
                woken += 1;
                w.wake();
            }
        }
        Ok(())
    }

    pub fn sem_release(&self, s: &SemState) -> Result<(), Flow> {
        if s.held.get() == 0 {
            match s.kind {
                SemKind::Lock => return raise(E::RuntimeError, "Lock is not acquired."),
                SemKind::Bounded => return raise(E::ValueError, "BoundedSemaphore released too many times"),
                SemKind::Semaphore => {}
            }
        }
        s.held.set(s.held.get().saturating_sub(1));
        s.sem.release();
        Ok(())
    }

    fn queue_method(&self, q: &QueueState, b: B, args: Vec<Value>, f: &Frame) -> Res {
        match b {
            B::QPutNowait => {
                if q.full() {
                    return raise(E::QueueFull, "");
                }
                self.queue_push(q, args.into_iter().next().unwrap_or(Value::None), f)?;
                Ok(Value::None)
            }
            B::QGetNowait => match self.queue_pop(q, f)? {
                Some(v) => {
                    wake_next(&q.putters);
                    Ok(v)
                }
                None => raise(E::QueueEmpty, ""),
            },
            B::QTaskDone => {
                let n = q.unfinished.get();
                if n == 0 {
                    return raise(E::ValueError, "task_done() called too many times");
                }
                q.unfinished.set(n - 1);
                if n == 1 {
                    q.finished.set();
                }
                Ok(Value::None)
            }
            B::QQsize => Ok(Value::Int(q.items.borrow().len() as i64)),
            B::QEmpty => Ok(Value::Bool(q.items.borrow().is_empty())),
            B::QFull => Ok(Value::Bool(q.full())),
            _ => raise(E::AttributeError, format!("'Queue' object has no attribute '{}'", b.name())),
        }
    }

    /// `put_nowait` on a queue with room.
    pub fn queue_push(&self, q: &QueueState, v: Value, f: &Frame) -> Result<(), Flow> {
        self.alloc(1)?;
        q.items.borrow_mut().push_back(v);
        if q.kind == QueueKind::Priority {
            // heapq.heappush: the new item sifts up towards the root (an item that cannot be
            // compared stays in the heap, uncounted, as in CPython).
            let last = q.items.borrow().len() - 1;
            self.sift_down(&q.items, 0, last, f)?;
        }
        q.unfinished.set(q.unfinished.get() + 1);
        q.finished.flag.set(false);
        wake_next(&q.getters);
        Ok(())
    }
}

impl<'a> Interp<'a> {
    /// The item a `get` takes: the first one put, the last one (LifoQueue), or the smallest
    /// (PriorityQueue: `heapq.heappop`).
    pub fn queue_pop(&self, q: &QueueState, f: &Frame) -> Result<Option<Value>, Flow> {
        match q.kind {
            QueueKind::Fifo => Ok(q.items.borrow_mut().pop_front()),
            QueueKind::Lifo => Ok(q.items.borrow_mut().pop_back()),
            QueueKind::Priority => {
                let top = {
                    let mut heap = q.items.borrow_mut();
                    let Some(last) = heap.pop_back() else { return Ok(None) };
                    if heap.is_empty() {
                        return Ok(Some(last));
                    }
                    std::mem::replace(&mut heap[0], last)
                };
                self.sift_up(&q.items, 0, f)?;
                Ok(Some(top))
            }
        }
    }

    /// `heap[i] < heap[j]` as `heapq` asks it: the reader's `__lt__` decides for their objects,
    /// and for `(priority, job)` tuples that tie on the priority. The heap is not borrowed while
    /// `__lt__` runs (it may call `q.qsize()`); one that puts or takes meanwhile raises CPython's
    /// RuntimeError.
    fn less(&self, heap: &RefCell<VecDeque<Value>>, i: usize, j: usize, f: &Frame) -> Result<bool, Flow> {
        let (size, a, b) = {
            let h = heap.borrow();
            (h.len(), h[i].clone(), h[j].clone())
        };
        let less = self.compare_now(crate::core::py::ast::CmpOp::Lt, &a, &b, f)?;
        if heap.borrow().len() != size {
            return raise(E::RuntimeError, "list changed size during iteration");
        }
        Ok(less)
    }

    /// `heapq._siftdown`: the item at `pos` moves up while it is smaller than its parent.
    fn sift_down(&self, heap: &RefCell<VecDeque<Value>>, start: usize, mut pos: usize, f: &Frame) -> Result<(), Flow> {
        while pos > start {
            let parent = (pos - 1) >> 1;
            if !self.less(heap, pos, parent, f)? {
                break;
            }
            heap.borrow_mut().swap(pos, parent);
            pos = parent;
        }
        Ok(())
    }

    /// `heapq._siftup`: the item at `pos` goes down to a leaf along the smaller children, then
    /// back up to its place.
    fn sift_up(&self, heap: &RefCell<VecDeque<Value>>, mut pos: usize, f: &Frame) -> Result<(), Flow> {
        let (end, start) = (heap.borrow().len(), pos);
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end && !self.less(heap, child, right, f)? {
                child = right;
            }
            heap.borrow_mut().swap(pos, child);
            pos = child;
            child = 2 * pos + 1;
        }
        self.sift_down(heap, start, pos, f)
    }
}

/// A Condition's lock, as an object.
fn o_lock(c: &CondState) -> Result<&Obj, Flow> {
    match &c.lock {
        Value::Obj(o) => Ok(o),
        _ => raise(E::RuntimeError, "the Condition has no lock"),
    }
}

/// An HTTP status's reason phrase.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
