"""Driver metrics, shaped like the DataStax driver's ``cassandra.metrics.Metrics``: what
the core counted for a session (requests, errors by kind, retries, speculative executions,
timeouts, open connections, latency percentiles)."""

__all__ = ["Metrics"]


class Metrics:
    """A snapshot of a session's metrics."""

    def __init__(self, info):
        self.requests = info.requests
        self.errors = info.errors
        self.errors_by_kind = dict(info.errors_by_kind)
        self.retries = info.retries
        self.speculative_executions = info.speculative_executions
        self.request_timeouts = info.request_timeouts
        self.open_connections = info.open_connections
        self.write_timeouts = self.errors_by_kind.get("WriteTimeout", 0)
        self.read_timeouts = self.errors_by_kind.get("ReadTimeout", 0)
        self.unavailables = self.errors_by_kind.get("Unavailable", 0)
        self.connection_errors = self.errors_by_kind.get("ConnectionError", 0)
        self.other_errors = self.errors - self.write_timeouts - self.read_timeouts - self.unavailables
        latency = list(info.latency_ms)
        # Latencies in seconds, as the DataStax driver's request_timer reports them.
        self.request_timer = (
            {"mean": latency[0] / 1000, "median": latency[1] / 1000,
             "99percentile": latency[2] / 1000, "999percentile": latency[3] / 1000,
             "count": self.requests}
            if latency else {"count": self.requests}
        )

    def __repr__(self):
        return f"<Metrics requests={self.requests} errors={self.errors} retries={self.retries}>"
