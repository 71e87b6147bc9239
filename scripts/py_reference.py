#!/usr/bin/env python3
"""CPython reference runs of awaitlab's Python corpus (issue 15), on a virtual clock.

    python3.12 scripts/py_reference.py tests/py_corpus/breakfast_gather.py [more.py ...]

Runs each program as-is (as `__main__`, its own `asyncio.run(...)` included) on CPython's event
loop with a virtual clock, the way scripts/asyncio_reference.py --virtual does: the stock
BaseEventLoop, whose clock only moves when nothing is ready, by jumping to the earliest timer. So
`asyncio.sleep(3)` takes 3 virtual seconds and no wall time, and runs are deterministic. One clock
serves every loop of a program (a second `asyncio.run` continues where the first ended), and
`time.time()`, `time.perf_counter()` and `time.monotonic()` read it (from 0 at the program's start).

`aiohttp` is a tiny stand-in injected into `sys.modules`, answering like awaitlab's offline mock API
(static/sw.js) without any network: `ClientSession().get(url)` (awaited, or `async with`) takes the
URL's planned time, then answers. For `.../api/item/<id>?ms=<delay>&fail=<0|1>` (relative or
absolute) that is `ms` milliseconds (clamped to 0..600000), then status 200 with
`{"id", "ms", "name", "served_by"}`, or 500 with `{"error", "id", "ms"}` when fail=1; any other URL
is a 404 at once. The response has `.status`, `.reason`, `.ok`, `.url`, `await .json()`,
`await .text()` and `.raise_for_status()`, which raises `aiohttp.ClientResponseError` for >= 400.

Prints one JSON object per program, on one line:

    {
      "program": "tests/py_corpus/breakfast_gather.py",
      "python": "3.12.1",
      "makespan_ms": 3000.0,            # the virtual clock when the program ended
      "tasks": [                        # every asyncio.Task, in creation order (the main coroutine first)
        {
          "index": 0,
          "name": "main",               # the coroutine's __qualname__
          "created_ms": 0.0,
          "ended_ms": 3000.0,           # null if the task never ended
          "end": "done",                # "done" | "failed" | "cancelled" | "pending"
          "exception": null,            # for "failed": the exception's class name, e.g. "ValueError"
          "spans": [[0.0, 3000.0, "sleep"]]
        }
      ],
      "prints": [[0.0, 1, "Starting to brew coffee..."]],
      "error": null
    }

- `spans`: [start_ms, end_ms, kind] in start order. kind "sleep": every `asyncio.sleep` (also
  `sleep(0)`); "request": every stand-in aiohttp request (its planned time); and the waits, only
  when the call has to wait: "permit" (`Semaphore.acquire`, so `async with sem:`), "lock"
  (`Lock.acquire`), "event" (`Event.wait`), "condition" (`Condition.wait`, from the call to its
  return: the lock's release, the wait for a notify and the lock's re-acquiring, which is a "lock"
  span of its own when it waits), "queue" (`Queue.get` on an empty queue, `Queue.put` on
  a full one, `Queue.join` with unfinished items), not when asyncio itself calls them
  (`as_completed` waits on a Queue of its own, `Queue.join` on an Event of its own).
  A span interrupted by a cancellation (a timeout's too) ends at the cancellation.
  Awaiting anything else (gather, a task, wait_for itself) makes no span.
- `prints`: [time_ms, task index (null outside any task), text], the text as `print` would write
  it without its `end`. Nothing the program prints reaches stdout. An exception in a callback
  (`loop.call_later(1, boom)`), which asyncio logs to stderr, is recorded as prints outside any
  task, as awaitlab writes it on Output: `Exception in callback boom() at line 13`, `handle:
  <TimerHandle when=1.0 boom() at line 13>`, the traceback's lines in the program (`  line 14,
  in boom`) and `ValueError: boom`.
- `error`: null, or what ended the program early: {"type", "message", "line"} (the line of the
  program's own code where it was raised, null if none), e.g. an uncaught exception, "Deadlock"
  (nothing ready and no timer armed) or "VirtualTimeLimit" (past MAX_VIRTUAL_S).

Times are milliseconds, rounded to the nanosecond. Python 3.11+ (the corpus uses 3.12).
"""

import asyncio
import builtins
import json
import platform
import sys
import time
import traceback
import types
from urllib.parse import parse_qs, urlsplit

from armed_timers import call_at_armed

# A program whose virtual clock passes this is stopped (an `await`ing `while True:` never ends).
MAX_VIRTUAL_S = 600.0
MOCK_MAX_MS = 600_000


class Deadlock(Exception):
    pass


class VirtualTimeLimit(Exception):
    pass


class Clock:
    """The program's one virtual clock, in seconds."""

    now = 0.0


def ms(seconds):
    return round(seconds * 1000.0, 6)


# ------------------------------------------------------------------------------------------------
# The loop: scripts/asyncio_reference.py's VirtualLoop, in seconds, on the shared clock.
# ------------------------------------------------------------------------------------------------


class _JumpingSelector:
    """A selector with no file descriptors: 'waiting' jumps the clock to the loop's next timer."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout):
        if timeout is None:
            raise Deadlock("nothing is ready and no timer is armed")
        if timeout > 0:
            when = self._loop._scheduled[0]._when
            if when > MAX_VIRTUAL_S:
                raise VirtualTimeLimit(f"the program was still running after {MAX_VIRTUAL_S:g} virtual seconds")
            Clock.now = max(Clock.now, when)
        return []

    def close(self):
        pass

    def get_map(self):
        return {}


class VirtualLoop(asyncio.BaseEventLoop):
    def __init__(self):
        super().__init__()
        self._clock_resolution = 1e-9
        self._selector = _JumpingSelector(self)
        self.set_exception_handler(_exception_handler)
        self.set_task_factory(_task_factory)

    def time(self):
        return Clock.now

    def call_at(self, when, callback, *args, context=None):
        return call_at_armed(self, when, callback, *args, context=context)

    def create_task(self, coro, *, name=None, context=None):
        # Named as a fresh process names them: Task-1 (asyncio.run's main), Task-2… in the order
        # they are made (a task given a name takes its number too), counted per program: one
        # process runs them all.
        REC.made_tasks += 1
        return super().create_task(coro, name=name or f"Task-{REC.made_tasks}", context=context)

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


def _exception_handler(loop, context):
    """asyncio's exception handler. A callback's exception (`loop.call_later(1, boom)`), which
    asyncio logs to stderr as `Exception in callback boom() at file:line`, `handle: <TimerHandle
    when=1.0 boom() at file:line>` (its context's handle) and the traceback, is recorded as prints
    outside any task, in the words awaitlab writes it on Output: a place in the program is `line
    3`, not `file:3`, and the traceback shows the program's own frames only. Everything else (a
    task's exception never retrieved, logged whenever the task is collected) is dropped."""
    exc, handle = context.get("exception"), context.get("handle")
    if exc is None or not isinstance(handle, asyncio.Handle):
        return
    lines = [context["message"], f"handle: {handle!r}"]
    lines = [line.replace(f" at {REC.path}:", " at line ") for line in lines]
    lines.append("Traceback (most recent call last):")
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == REC.path:
            lines.append(f"  line {frame.lineno}, in {frame.name}")
    text = str(exc)
    lines.append(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
    REC.prints.extend([ms(Clock.now), None, line] for line in lines)


class VirtualPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return VirtualLoop()


# ------------------------------------------------------------------------------------------------
# What the program does: tasks, spans, prints.
# ------------------------------------------------------------------------------------------------


class Record:
    def __init__(self, path=None):
        self.path = path  # the program's file (its frames in a traceback)
        self.tasks = []  # one dict per task, in creation order
        self.by_task = {}  # asyncio.Task -> its dict
        self.prints = []
        self.made_tasks = 0  # the N of the last Task-N


REC = Record()


_ASYNCIO_DIR = asyncio.__file__.rsplit("/", 1)[0] + "/"


def _task_factory(loop, coro, context=None):
    task = asyncio.Task(coro, loop=loop, context=context)
    code = getattr(coro, "cr_code", None)
    if code is not None and code.co_filename.startswith(_ASYNCIO_DIR):
        return task  # asyncio.run's own housekeeping (shutting down async generators, executors)
    entry = {
        "index": len(REC.tasks),
        "name": getattr(coro, "__qualname__", type(coro).__name__),
        "created_ms": ms(Clock.now),
        "ended_ms": None,
        "end": "pending",
        "exception": None,
        "spans": [],
    }
    REC.tasks.append(entry)
    REC.by_task[task] = entry
    task.add_done_callback(_task_ended)
    return task


def _task_ended(task):
    entry = REC.by_task.get(task)
    if entry is None:
        return
    entry["ended_ms"] = ms(Clock.now)
    if task.cancelled():
        entry["end"] = "cancelled"
    elif task.exception() is not None:
        entry["end"] = "failed"
        entry["exception"] = type(task.exception()).__name__
    else:
        entry["end"] = "done"


def _current_entry():
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return None
    return REC.by_task.get(task)


async def _span(kind, awaitable):
    """Awaits `awaitable`, recording [start, end, kind] on the current task."""
    entry = _current_entry()
    span = [ms(Clock.now), None, kind]
    if entry is not None:
        entry["spans"].append(span)
    try:
        return await awaitable
    finally:
        span[1] = ms(Clock.now)


_real_sleep = asyncio.sleep


async def _sleep(delay, result=None):
    return await _span("sleep", _real_sleep(delay, result))


_sleep.__name__ = _sleep.__qualname__ = "sleep"  # a task of asyncio.sleep(...) is named "sleep"


def _waiting(kind, would_block, method):
    """`method` (a coroutine method of an asyncio primitive), recording a `kind` span when it
    has to wait. Who calls it decides (asyncio's own calls are not the program's), not who
    awaits it: `asyncio.wait_for(cond.wait(), 1)` is the program's wait, awaited by asyncio."""

    def wrapper(self, *args, **kwargs):
        if sys._getframe(1).f_code.co_filename in _ASYNCIO_INTERNAL:
            return method(self, *args, **kwargs)  # as_completed's queue, Queue.join's event
        return _waited(kind, would_block, method, self, args, kwargs)

    wrapper.__name__ = wrapper.__qualname__ = method.__name__
    return wrapper


async def _waited(kind, would_block, method, self, args, kwargs):
    if would_block(self):
        return await _span(kind, method(self, *args, **kwargs))
    return await method(self, *args, **kwargs)


# asyncio's files whose own waits are not the program's: as_completed waits on a Queue of its
# own, Queue.join on an Event of its own (recorded as the "queue" wait it is).
_ASYNCIO_INTERNAL = (_ASYNCIO_DIR + "tasks.py", _ASYNCIO_DIR + "queues.py")

# (class, method, span kind, whether a call would wait): patched while a program runs.
WAITS = [
    (asyncio.Semaphore, "acquire", "permit", lambda s: s.locked()),
    # A Lock released to a waiter that has not run yet is not locked, but acquire still waits.
    (asyncio.Lock, "acquire", "lock", lambda s: s.locked() or any(not w.cancelled() for w in (s._waiters or ()))),
    (asyncio.Event, "wait", "event", lambda s: not s.is_set()),
    # Always waits (for a notify), unless it raises at once: its lock is not held.
    (asyncio.Condition, "wait", "condition", lambda s: s.locked()),
    (asyncio.Queue, "get", "queue", lambda s: s.empty()),
    (asyncio.Queue, "put", "queue", lambda s: s.full()),
    (asyncio.Queue, "join", "queue", lambda s: s._unfinished_tasks > 0),
]


def _print(*args, sep=" ", end="\n", file=None, flush=False):
    entry = _current_entry()
    text = (" " if sep is None else sep).join(str(a) for a in args)
    REC.prints.append([ms(Clock.now), None if entry is None else entry["index"], text])


_print.__name__ = _print.__qualname__ = "print"  # as asyncio names a callback


def _perf_counter():
    return Clock.now


def _blocking_sleep(seconds):
    # time.sleep blocks the loop: the clock moves, and nothing else runs meanwhile.
    Clock.now += max(0.0, float(seconds))


# ------------------------------------------------------------------------------------------------
# The aiohttp stand-in.
# ------------------------------------------------------------------------------------------------


def _mock_answer(url):
    """(planned seconds, status, body) for `url`, as static/sw.js answers it."""
    parts = urlsplit(url)
    path = parts.path
    marker = "api/item/"
    at = path.rfind(marker)
    item = path[at + len(marker) :] if at >= 0 else ""
    if at < 0 or not item or "/" in item:
        return 0.0, 404, {"error": f"no such endpoint: {path}"}
    query = parse_qs(parts.query)
    try:
        delay = float(query.get("ms", ["0"])[0])
    except ValueError:
        delay = 0.0
    if delay != delay or delay in (float("inf"), float("-inf")):
        delay = 0.0
    delay = min(max(delay, 0.0), MOCK_MAX_MS)
    shown = int(delay) if delay == int(delay) else delay
    if query.get("fail", ["0"])[0] == "1":
        return delay / 1000, 500, {"error": f"simulated failure of item {item} after {shown} ms", "id": item, "ms": shown}
    return delay / 1000, 200, {"id": item, "ms": shown, "name": f"item {item}", "served_by": "awaitlab offline mock API"}


REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}


def _make_aiohttp():
    aiohttp = types.ModuleType("aiohttp")
    aiohttp.__doc__ = "py_reference.py's stand-in for aiohttp: the offline mock API on the virtual clock."

    class ClientError(Exception):
        pass

    class ClientResponseError(ClientError):
        def __init__(self, request_info=None, history=(), *, status=None, message="", headers=None):
            super().__init__(request_info, history)
            self.request_info = request_info
            self.history = history
            self.status = status
            self.message = message
            self.headers = headers

        def __str__(self):
            return f"{self.status}, message={self.message!r}, url={str(self.request_info)!r}"

    class ClientTimeout:
        def __init__(self, total=None, connect=None, sock_read=None, sock_connect=None):
            self.total = total

    class ClientResponse:
        def __init__(self, url, status, body):
            self.url = url
            self.status = status
            self.reason = REASONS.get(status, "")
            self.ok = status < 400
            self._body = body

        async def json(self, **kwargs):
            return json.loads(json.dumps(self._body))

        async def text(self, **kwargs):
            return json.dumps(self._body, separators=(",", ":"))

        def raise_for_status(self):
            if self.status >= 400:
                raise ClientResponseError(self.url, (), status=self.status, message=self.reason)

        def release(self):
            pass

        def close(self):
            pass

    async def _request(url):
        delay, status, body = _mock_answer(str(url))
        await _span("request", _real_sleep(delay))
        return ClientResponse(str(url), status, body)

    class _RequestContextManager:
        """What `session.get(url)` returns: awaitable, or an async context manager."""

        def __init__(self, url):
            self._url = url
            self._resp = None

        def __await__(self):
            return _request(self._url).__await__()

        async def __aenter__(self):
            self._resp = await _request(self._url)
            return self._resp

        async def __aexit__(self, exc_type, exc, tb):
            return False

    class ClientSession:
        def __init__(self, *args, **kwargs):
            self.closed = False

        def get(self, url, **kwargs):
            return _RequestContextManager(url)

        def request(self, method, url, **kwargs):
            return _RequestContextManager(url)

        async def close(self):
            self.closed = True

        async def __aenter__(self):
            return self

        async def __aexit__(self, exc_type, exc, tb):
            await self.close()
            return False

    for cls in (ClientError, ClientResponseError, ClientTimeout, ClientResponse, ClientSession):
        cls.__module__ = "aiohttp"
        setattr(aiohttp, cls.__name__, cls)
    return aiohttp


# ------------------------------------------------------------------------------------------------
# Running a program.
# ------------------------------------------------------------------------------------------------


def _program_line(exc, path):
    """The line of the program's own code nearest where `exc` was raised."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def run_program(path):
    global REC
    REC = Record(path)
    Clock.now = 0.0
    with open(path, encoding="utf-8") as f:
        source = f.read()
    saved = (asyncio.sleep, time.time, time.perf_counter, time.monotonic, time.sleep, sys.modules.get("aiohttp"))
    saved_waits = [(cls, name, cls.__dict__[name]) for cls, name, _, _ in WAITS]
    for cls, name, kind, would_block in WAITS:
        setattr(cls, name, _waiting(kind, would_block, cls.__dict__[name]))
    asyncio.set_event_loop_policy(VirtualPolicy())
    asyncio.sleep = _sleep
    time.time = time.perf_counter = time.monotonic = _perf_counter
    time.sleep = _blocking_sleep
    sys.modules["aiohttp"] = _make_aiohttp()
    error = None
    try:
        code = compile(source, path, "exec")
        exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": builtins, "print": _print})
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the program's error is a result
        error = {"type": type(exc).__name__, "message": str(exc), "line": _program_line(exc, path)}
    finally:
        asyncio.sleep, time.time, time.perf_counter, time.monotonic, time.sleep, aiohttp = saved
        for cls, name, method in saved_waits:
            setattr(cls, name, method)
        if aiohttp is None:
            sys.modules.pop("aiohttp", None)
        else:
            sys.modules["aiohttp"] = aiohttp
        asyncio.set_event_loop_policy(None)
    return {
        "program": path,
        "python": platform.python_version(),
        "makespan_ms": ms(Clock.now),
        "tasks": REC.tasks,
        "prints": REC.prints,
        "error": error,
    }


def main(argv):
    if not argv or any(a.startswith("-") for a in argv):
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    for path in argv:
        sys.stdout.write(json.dumps(run_program(path)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
