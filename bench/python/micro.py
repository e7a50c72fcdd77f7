"""Per-call overhead of a uniffi sync call from Python, in ns, printed as one JSON line:
a method on an object (`CompletionQueue.wake`: the handle is cloned, one lock taken), a free
function returning a string (`version`), and an empty `CompletionQueue.drain(0)` (the hot
path's completion call, which returns a record). Usage: micro.py <calls> [wake|version|drain]
(one only, for callgrind's instruction counts, which bench/run.py takes as the difference of
two runs)."""

import json
import sys
import time

from cqlbridge._native import CompletionQueue, version


def per_call_ns(fn, calls):
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - t0) / calls if calls else 0.0


def main():
    calls = int(sys.argv[1])
    only = sys.argv[2] if len(sys.argv) > 2 else None
    queue = CompletionQueue()
    calls_of = {"wake": queue.wake, "version": version, "drain": lambda: queue.drain(0)}
    out = {"driver": "python", "workload": "micro", "calls": calls}
    for name, fn in calls_of.items():
        if only in (None, name):
            out[f"{name}_ns"] = per_call_ns(fn, calls)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
