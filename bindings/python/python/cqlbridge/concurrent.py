"""Managed concurrency, named as in ``cassandra.concurrent``.

``execute_concurrent_with_args`` (and ``execute_concurrent`` when every item runs the same
statement) hands all rows of values to the core in one call; the core keeps at most
`concurrency` requests in flight and returns the results in input order. Mixed statements are
paced from Python, with the same bound.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, Sequence
from collections import namedtuple
from itertools import repeat

from . import _errors, _hot
from ._codec import request_concurrent, unpack_page
from ._dispatch import dispatcher
from ._native import CqlError
from .query import BoundStatement, PreparedStatement, SimpleStatement, positional, to_markers

__all__ = ["execute_concurrent", "execute_concurrent_with_args", "ExecutionResult"]

ExecutionResult = namedtuple("ExecutionResult", ["success", "result_or_exc"])

_WHOLE_REQUEST = 0xFFFFFFFF


def execute_concurrent(session: Any, statements_and_parameters: Iterable[tuple],
                       concurrency: int = 100, raise_on_first_error: bool = True,
                       results_generator: bool = False, execution_profile: Any = None) -> Any:
    """Executes every (statement, parameters) pair with at most `concurrency` in flight.
    Returns one ``ExecutionResult(success, result_or_exc)`` per pair, in input order; with
    `raise_on_first_error`, raises the first error instead (no request starts after it)."""
    from .cluster import EXEC_PROFILE_DEFAULT
    if concurrency <= 0:
        raise ValueError("concurrency must be greater than 0")
    profile = EXEC_PROFILE_DEFAULT if execution_profile is None else execution_profile
    items = list(statements_and_parameters)
    if not items:
        return iter([]) if results_generator else []
    first = items[0][0]
    if all(s is first for s, _ in items) and not isinstance(first, BoundStatement):
        results = _native(session, first, [p for _, p in items], concurrency, raise_on_first_error, profile)
    else:
        results = _paced(session, items, concurrency, raise_on_first_error, profile)
    return iter(results) if results_generator else results


def execute_concurrent_with_args(session: Any, statement: Any, parameters: Iterable[Sequence[Any]],
                                 *args: Any, **kwargs: Any) -> Any:
    """Executes `statement` once per item of `parameters`; see ``execute_concurrent``."""
    return execute_concurrent(session, zip(repeat(statement), parameters), *args, **kwargs)


def _native(session, statement, parameter_rows, concurrency, raise_on_first_error, profile):
    from .cluster import ResponseFuture, ResultSet, _Request
    if isinstance(statement, str):
        statement = SimpleStatement(statement)
    if isinstance(statement, PreparedStatement):
        ref = statement._ref
        rows = [positional(statement.param_names, p) for p in parameter_rows]
    elif isinstance(statement, SimpleStatement):
        rows = []
        cql = statement.query_string
        for p in parameter_rows:
            cql, values = to_markers(statement.query_string, p)
            rows.append(values)
        ref = session._cql_ref(cql)
        statement = SimpleStatement(cql)
    else:
        raise TypeError(f"cannot execute a {type(statement).__name__} concurrently")
    from .cluster import _NOT_SET
    template = session._request(statement, None, _NOT_SET, False, profile, None)
    outcome = []
    done = threading.Event()

    def on_complete(items):
        outcome.extend(items)
        done.set()

    d = dispatcher()
    request_id = d.register(on_complete)
    try:
        _hot.submit(session._native, request_concurrent(
            request_id, ref, concurrency, raise_on_first_error, template.options, rows))
    except CqlError as e:
        d.forget(request_id)
        raise _errors.translate(e) from None
    done.wait()
    if outcome[0][1] == _WHOLE_REQUEST:
        raise _errors.from_info(outcome[0][2])
    results = [None] * len(rows)
    for _, index, result in outcome:
        if not isinstance(result, memoryview):
            results[index] = ExecutionResult(False, _errors.from_info(result))
            continue
        page = unpack_page(result)
        request = _Request(ref, rows[index], template.options, None, template.row_factory)
        page_rows = request.row_factory([col.name for col in page.columns], page.rows)
        future = ResponseFuture._completed(session, request, page, page_rows)
        results[index] = ExecutionResult(True, ResultSet(future, page_rows))
    return results


def _paced(session, items, concurrency, raise_on_first_error, profile):
    """Mixed statements: at most `concurrency` execute_async calls in flight, each
    completion starting the next."""
    n = len(items)
    results = [None] * n
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "error": None}
    finished = threading.Event()

    def start_next():
        with lock:
            if state["error"] is not None or state["next"] >= n:
                return
            i = state["next"]
            state["next"] += 1
        statement, params = items[i]
        try:
            future = session.execute_async(statement, params, execution_profile=profile)
        except Exception as e:  # bad input for this item: its result, not the caller's crash
            settle(i, False, e)
            return
        future.add_callbacks(lambda rows, f=future: settle(i, True, f), lambda exc: settle(i, False, exc))

    def settle(i, success, value):
        if success:
            from .cluster import ResultSet
            value = ResultSet(value, value._rows)
        with lock:
            results[i] = ExecutionResult(success, value)
            state["done"] += 1
            if not success and raise_on_first_error and state["error"] is None:
                state["error"] = value
            finish = state["error"] is not None or state["done"] == n
        if finish:
            finished.set()
        else:
            start_next()

    for _ in range(min(concurrency, n)):
        start_next()
    finished.wait()
    if state["error"] is not None:
        raise state["error"]
    return results

