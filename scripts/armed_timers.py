"""Timers for a virtual clock that, due at the same instant, fire in the order they were armed.

Shared by `asyncio_reference.py` and `py_reference.py`, whose loops run CPython's asyncio on a
virtual clock: see `ArmedTimerHandle` for why, and `src/core/clock.rs` for awaitlab's side.
"""

import asyncio
import heapq


class ArmedTimerHandle(asyncio.TimerHandle):
    """A timer that, due at the same instant as another, fires after the ones armed before it.

    On a real clock, time moves between two `call_later()`s (by nanoseconds), so of two timers
    with the same delay the one armed later is due later: eight tasks that each `sleep(1)` wake
    in the order they slept. Only a virtual clock makes their deadlines exactly equal, where
    `heapq` alone would pop them in an order of its own.
    """

    __slots__ = ("_armed",)
    _count = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ArmedTimerHandle._count += 1
        self._armed = ArmedTimerHandle._count

    def __lt__(self, other):
        return (self._when, self._armed) < (other._when, other._armed)


# Its repr is asyncio's (`<TimerHandle when=1.0 boom() at line 13>`): programs may print it.
ArmedTimerHandle.__name__ = ArmedTimerHandle.__qualname__ = "TimerHandle"


def call_at_armed(loop, when, callback, *args, context=None):
    """`BaseEventLoop.call_at` (3.12) with an [`ArmedTimerHandle`]."""
    if when is None:
        raise TypeError("when cannot be None")
    loop._check_closed()
    timer = ArmedTimerHandle(when, callback, args, loop, context)
    if timer._source_traceback:
        del timer._source_traceback[-1]
    heapq.heappush(loop._scheduled, timer)
    timer._scheduled = True
    return timer
