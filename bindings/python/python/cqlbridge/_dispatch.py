"""Where native work comes back to Python.

- Requests complete into one native completion queue. One daemon thread drains it, every
  completed request in one call (the wait releases the GIL), and hands each outcome to the
  handler registered under its id.
- Requests started on that thread (from a callback) are held until the drained batch has
  been handed out, then start together in one native call (`submit_many`): a uniffi call
  from Python costs microseconds, so a chain of callbacks pays it once per batch.
- Cold native calls (connect, prepare, metadata) are uniffi coroutines. Sync callers run them
  on one private event-loop thread; asyncio callers await them directly.
"""

import asyncio
import itertools
import logging
import os
import threading

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
            native.submit(request)
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
                native.submit_many(pack_requests(requests))
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
        drain = self.queue.drain
        while True:
            drained = drain(_DRAIN_WAIT_MS)
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
            if self._held:
                self._start_held()


_dispatcher = None
_dispatcher_lock = threading.Lock()


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
