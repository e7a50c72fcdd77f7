"""Where native work comes back to Python.

- Requests complete into one native completion queue. One daemon thread drains it, every
  completed request in one call (the wait releases the GIL), and hands each outcome to the
  handler registered under its id.
- Requests started on that thread (from a callback) are held until the drained batch has
  been handed out, then start together in one native call (`submit_many`): a uniffi call
  from Python costs microseconds, so a chain of callbacks pays it once per batch.
- Cold native calls (connect, prepare, metadata) are uniffi coroutines. Sync callers run them
  on one private event-loop thread; asyncio callers await them directly.
- Hot calls of the mapper complete into the queue too (`Queued`): asyncio awaits them
  through a loop future; sync callers run the mapper's coroutine on their own thread
  (`run_queued`), waiting on each request without a hop through the private loop.
"""

import asyncio
import itertools
import logging
import os
import threading

from . import _hot
from ._codec import pack_requests, unpack_completions
from ._native import CompletionQueue, CqlError

log = logging.getLogger("cqlbridge.cluster")

_DRAIN_WAIT_MS = 1000


class Dispatcher:
    """Submits ids to the native queue's clients and calls their handlers on completion."""

    def __init__(self):
        self.queue = CompletionQueue()
        self._ids = itertools.count(1)
        self._handlers = {}
        # Requests held while a drained batch is handed out: {id(native): (native, [buffer])}.
        self._held = {}
        self._thread = threading.Thread(target=self._run, name="cqlbridge-completions", daemon=True)
        self._thread.start()
        self._ident = self._thread.ident

    def register(self, handler):
        """Registers `handler(items)` and returns the id to submit with; `items` are
        (id, index, page buffer or ErrorInfo) tuples."""
        request_id = next(self._ids)
        self._handlers[request_id] = handler
        return request_id

    def forget(self, request_id):
        """Drops a handler whose request could not be submitted."""
        self._handlers.pop(request_id, None)

    def submit(self, native, request):
        """Starts the packed `request` on the native connection `native`: at once, or, on
        the completion thread, with the rest of its batch. A request that cannot start
        raises CqlError here, or (when held) completes with its error."""
        if threading.get_ident() != self._ident:
            _hot.submit(native, request)
            return
        held = self._held.get(id(native))
        if held is None:
            self._held[id(native)] = (native, [request])
        else:
            held[1].append(request)

    def _start_held(self):
        held, self._held = self._held, {}
        for native, requests in held.values():
            try:
                _hot.submit_many(native, pack_requests(requests))
            except Exception as e:  # nothing started: each request completes with the error
                outcome = e.info if isinstance(e, CqlError.Failed) else e
                for request in requests:
                    request_id = int.from_bytes(request[:8], "little")
                    self._hand_out(request_id, [(request_id, 0, outcome)])

    def _hand_out(self, request_id, completed):
        handler = self._handlers.pop(request_id, None)
        if handler is None:
            return
        try:
            handler(completed)
        except BaseException:  # a handler's failure must not stop the thread
            log.exception("cqlbridge: a completion handler failed")

    def _run(self):
        queue = self.queue
        drain = _hot.drain
        while True:
            drained = drain(queue, _DRAIN_WAIT_MS)
            if not drained.packed or drained.packed[:4] == b"\x00\x00\x00\x00":
                continue
            items = unpack_completions(drained.packed, drained.errors)
            if len(items) == 1:
                groups = ((items[0][0], items),)
            else:
                grouped = {}
                for c in items:
                    grouped.setdefault(c[0], []).append(c)
                groups = grouped.items()
            for request_id, completed in groups:
                self._hand_out(request_id, completed)
            while self._held:  # handlers of failed starts may start more
                self._start_held()


_dispatcher = None
_dispatcher_lock = threading.Lock()
_trampoline = threading.local()  # .active: run_queued drives a coroutine on this thread


class Queued:
    """A native request that completes into the queue: `start(request_id)` submits it. Await
    it under asyncio, or (inside `run_queued`) from a coroutine driven on a plain thread. Its
    outcome: the bytes it completed with, or the ErrorInfo it failed with."""

    __slots__ = ("_lock", "_event", "_outcome", "_done", "_waiter")

    def __init__(self, start):
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._outcome = None
        self._done = False
        self._waiter = None
        d = dispatcher()
        request_id = d.register(self._complete)
        try:
            start(request_id)
        except BaseException:
            d.forget(request_id)
            raise

    def _complete(self, items):
        outcome = items[0][2]
        outcome = bytes(outcome) if isinstance(outcome, memoryview) else outcome
        with self._lock:
            self._outcome, self._done = outcome, True
            waiter = self._waiter
        self._event.set()
        if waiter is not None:
            loop, fut = waiter
            loop.call_soon_threadsafe(_resolve, fut, outcome)

    def result(self):
        """Waits (the GIL released) and returns the outcome."""
        self._event.wait()
        return self._outcome

    def __await__(self):
        if getattr(_trampoline, "active", False):
            return (yield self)  # run_queued waits for it
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        with self._lock:
            if not self._done:
                self._waiter = (loop, fut)
        if self._waiter is None:
            return self._outcome
        return (yield from fut.__await__())


def _resolve(fut, outcome):
    if not fut.done():
        fut.set_result(outcome)


def run_queued(coro):
    """Runs a coroutine that awaits only `Queued` requests to its end on the calling thread,
    waiting for each (the GIL released), and returns its result."""
    if on_driver_thread():
        coro.close()
        from . import WouldDeadlock
        raise WouldDeadlock("a blocking mapper call was made on a driver thread")
    outer = getattr(_trampoline, "active", False)
    _trampoline.active = True
    try:
        value = None
        while True:
            try:
                awaited = coro.send(value)
            except StopIteration as stop:
                return stop.value
            if not isinstance(awaited, Queued):
                coro.close()
                raise RuntimeError(f"run_queued: the coroutine awaited {awaited!r}, not a queued request")
            value = awaited.result()
    finally:
        _trampoline.active = outer


def dispatcher():
    """The process's dispatcher, started on first use."""
    global _dispatcher
    d = _dispatcher
    if d is None:
        with _dispatcher_lock:
            if _dispatcher is None:
                _dispatcher = Dispatcher()
            d = _dispatcher
    return d


class _LoopThread:
    """A private event loop on its own daemon thread, for running native coroutines from
    synchronous code."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="cqlbridge-loop", daemon=True)
        self.thread.start()


_loop_thread = None


def run_sync(coro, timeout=None):
    """Runs a native coroutine from synchronous code and returns its result. Waiting releases
    the GIL and is interruptible (Ctrl-C)."""
    global _loop_thread
    if _loop_thread is None:
        with _dispatcher_lock:
            if _loop_thread is None:
                _loop_thread = _LoopThread()
    if threading.current_thread() is _loop_thread.thread:
        coro.close()
        from . import WouldDeadlock
        raise WouldDeadlock("a blocking call was made on the driver's own event-loop thread")
    future = asyncio.run_coroutine_threadsafe(coro, _loop_thread.loop)
    try:
        return future.result(timeout)
    except BaseException:
        future.cancel()
        raise


def on_driver_thread():
    """Whether the calling thread is one of the driver's (where blocking could deadlock)."""
    current = threading.current_thread()
    return (_dispatcher is not None and current is _dispatcher._thread) or (
        _loop_thread is not None and current is _loop_thread.thread
    )


def _after_fork_in_child():
    # The parent's threads do not exist in the child; the native core refuses to run there
    # (ForkedProcess), and fresh threads are started if it is ever used.
    global _dispatcher, _loop_thread
    _dispatcher = None
    _loop_thread = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
