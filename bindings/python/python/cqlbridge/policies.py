"""Load-balancing, retry, reconnection and speculative-execution policies, named as in
``cassandra.policies``.

These classes describe a policy; the core runs it (no Python code sits on the request path).
Subclasses that override the decision methods are not consulted: pass one of the policies
below, composed as in the DataStax driver (``TokenAwarePolicy(DCAwareRoundRobinPolicy(...))``).
"""

from . import InvalidArgument
from ._native import (
    LoadBalancingOptions, ReconnectionOptions, RetryKind, SpeculativeOptions,
)

__all__ = [
    "LoadBalancingPolicy", "RoundRobinPolicy", "DCAwareRoundRobinPolicy", "TokenAwarePolicy",
    "WhiteListRoundRobinPolicy", "RetryPolicy", "FallthroughRetryPolicy",
    "DowngradingConsistencyRetryPolicy", "ReconnectionPolicy", "ConstantReconnectionPolicy",
    "ExponentialReconnectionPolicy", "SpeculativeExecutionPolicy",
    "ConstantSpeculativeExecutionPolicy", "NoSpeculativeExecutionPolicy",
]


class LoadBalancingPolicy:
    """Base of load-balancing policies."""

    def _native(self, token_aware=False):
        raise InvalidArgument(f"{type(self).__name__} is not a load-balancing policy the core runs")

    def _allowed_hosts(self):
        return []


class RoundRobinPolicy(LoadBalancingPolicy):
    """Every node in turn."""

    def _native(self, token_aware=False):
        return LoadBalancingOptions.ROUND_ROBIN(token_aware=token_aware)


class DCAwareRoundRobinPolicy(LoadBalancingPolicy):
    """Nodes of the local datacenter first; remote ones only when
    ``used_hosts_per_remote_dc`` > 0 and no local node is up."""

    def __init__(self, local_dc="", used_hosts_per_remote_dc=0):
        self.local_dc = local_dc
        self.used_hosts_per_remote_dc = used_hosts_per_remote_dc

    def _native(self, token_aware=False):
        return LoadBalancingOptions.DC_AWARE(
            local_dc=self.local_dc or None,
            permit_remote_dc=self.used_hosts_per_remote_dc > 0,
            token_aware=token_aware,
        )


class TokenAwarePolicy(LoadBalancingPolicy):
    """Prefers replicas of the statement's partition key (prepared statements), over a
    child policy."""

    def __init__(self, child_policy, shuffle_replicas=True):
        self._child_policy = child_policy
        self.shuffle_replicas = shuffle_replicas

    def _native(self, token_aware=True):
        return self._child_policy._native(token_aware=True)

    def _allowed_hosts(self):
        return self._child_policy._allowed_hosts()


class WhiteListRoundRobinPolicy(RoundRobinPolicy):
    """Round robin over the given hosts only."""

    def __init__(self, hosts):
        self._allowed = [str(h) for h in hosts]

    def _allowed_hosts(self):
        return list(self._allowed)


class RetryPolicy:
    """Retries read/write timeouts and unavailable errors once where it is safe."""

    _kind = RetryKind.DEFAULT


class FallthroughRetryPolicy(RetryPolicy):
    """Never retries."""

    _kind = RetryKind.FALLTHROUGH


class DowngradingConsistencyRetryPolicy(RetryPolicy):
    """Retries at a lower consistency when too few replicas answered."""

    _kind = RetryKind.DOWNGRADING_CONSISTENCY


class ReconnectionPolicy:
    """Base of reconnection policies."""

    def _native(self):
        raise InvalidArgument(f"{type(self).__name__} is not a reconnection policy the core runs")


class ConstantReconnectionPolicy(ReconnectionPolicy):
    """Waits `delay` seconds between attempts."""

    def __init__(self, delay, max_attempts=None):
        if delay < 0:
            raise ValueError("delay must not be negative")
        self.delay = delay
        self.max_attempts = max_attempts

    def _native(self):
        return ReconnectionOptions.CONSTANT(delay_ms=int(self.delay * 1000))


class ExponentialReconnectionPolicy(ReconnectionPolicy):
    """Doubles the wait from `base_delay` up to `max_delay` seconds."""

    def __init__(self, base_delay, max_delay, max_attempts=None):
        if base_delay < 0 or max_delay < 0:
            raise ValueError("delays must not be negative")
        if max_delay < base_delay:
            raise ValueError("max_delay must not be smaller than base_delay")
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts

    def _native(self):
        return ReconnectionOptions.EXPONENTIAL(
            base_ms=int(self.base_delay * 1000), max_ms=int(self.max_delay * 1000))


class SpeculativeExecutionPolicy:
    """Base of speculative-execution policies."""

    def _native(self):
        return None


class NoSpeculativeExecutionPolicy(SpeculativeExecutionPolicy):
    """Never speculates (the default)."""


class ConstantSpeculativeExecutionPolicy(SpeculativeExecutionPolicy):
    """After `delay` seconds without an answer, sends an idempotent request to another node
    too, up to `max_attempts` times."""

    def __init__(self, delay, max_attempts):
        self.delay = delay
        self.max_attempts = max_attempts

    def _native(self):
        return SpeculativeOptions(delay_ms=int(self.delay * 1000), max_attempts=self.max_attempts)
