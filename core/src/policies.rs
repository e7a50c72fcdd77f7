//! Policies and execution profiles as plain data, and their translation to the driver's.
//!
//! Defaults follow the DataStax Python driver: token-aware over DC-aware load balancing, the
//! default retry policy, no speculative execution.

use std::sync::Arc;
use std::time::Duration;

use scylla::policies::load_balancing::{DefaultPolicy, LoadBalancingPolicy};
use scylla::policies::retry::{
    DefaultRetryPolicy, DowngradingConsistencyRetryPolicy, FallthroughRetryPolicy, RetryPolicy,
};
use scylla::policies::speculative_execution::SimpleSpeculativeExecutionPolicy;

use crate::statement::{Consistency, SerialConsistency};

/// How requests pick their coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadBalancing {
    /// Spread requests over every node.
    RoundRobin {
        /// Prefer replicas of the request's partition key (prepared statements).
        token_aware: bool,
    },
    /// Prefer the nodes of the local datacenter.
    DcAware {
        /// The local datacenter; when `None`, the datacenter of the first contact point
        /// reached is not assumed: all datacenters are treated alike.
        local_dc: Option<String>,
        /// Fall back to remote datacenters when no local node is up.
        permit_remote_dc: bool,
        /// Prefer replicas of the request's partition key (prepared statements).
        token_aware: bool,
    },
}

impl Default for LoadBalancing {
    fn default() -> Self {
        LoadBalancing::DcAware {
            local_dc: None,
            permit_remote_dc: false,
            token_aware: true,
        }
    }
}

impl LoadBalancing {
    fn to_driver(&self) -> Arc<dyn LoadBalancingPolicy> {
        match self {
            LoadBalancing::RoundRobin { token_aware } => DefaultPolicy::builder()
                .prefer_no_datacenter()
                .token_aware(*token_aware)
                .build(),
            LoadBalancing::DcAware {
                local_dc,
                permit_remote_dc,
                token_aware,
            } => {
                let b = match local_dc {
                    Some(dc) => DefaultPolicy::builder().prefer_datacenter(dc.clone()),
                    None => DefaultPolicy::builder().prefer_no_datacenter(),
                };
                b.permit_dc_failover(*permit_remote_dc)
                    .token_aware(*token_aware)
                    .build()
            }
        }
    }
}

/// What to do when a request fails in a way that may succeed on a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retry {
    /// Retry read/write timeouts and unavailable errors once where it is safe (as the
    /// DataStax drivers do).
    #[default]
    Default,
    /// Never retry: every error goes to the application.
    Fallthrough,
    /// Like `Default`, and retry at a lower consistency when too few replicas answered.
    DowngradingConsistency,
}

impl Retry {
    fn to_driver(self) -> Arc<dyn RetryPolicy> {
        match self {
            Retry::Default => Arc::new(DefaultRetryPolicy::new()),
            Retry::Fallthrough => Arc::new(FallthroughRetryPolicy::new()),
            Retry::DowngradingConsistency => Arc::new(DowngradingConsistencyRetryPolicy::new()),
        }
    }
}

/// Speculative execution: when a request has no answer after `delay`, send it to another
/// node too, up to `max_attempts` extra times. Only idempotent statements are speculated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeculativeExecution {
    /// Wait this long before each extra attempt.
    pub delay: Duration,
    /// At most this many extra attempts.
    pub max_attempts: usize,
}

/// A named set of request settings; statements pick one by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExecutionProfile {
    /// Consistency level (default LOCAL_ONE).
    pub consistency: Consistency,
    /// Serial consistency for lightweight transactions (default SERIAL, the server's).
    pub serial_consistency: Option<SerialConsistency>,
    /// Client-side request timeout (default 10 s).
    pub request_timeout: Option<Duration>,
    /// Load balancing.
    pub load_balancing: LoadBalancing,
    /// Retry policy.
    pub retry: Retry,
    /// Speculative execution, off by default.
    pub speculative_execution: Option<SpeculativeExecution>,
}

impl ExecutionProfile {
    /// The profile in the driver's terms.
    pub(crate) fn to_driver(
        &self,
        default_timeout: Duration,
    ) -> scylla::client::execution_profile::ExecutionProfileHandle {
        let mut b = scylla::client::execution_profile::ExecutionProfile::builder()
            .consistency(self.consistency.into())
            .serial_consistency(self.serial_consistency.map(Into::into))
            .request_timeout(Some(self.request_timeout.unwrap_or(default_timeout)))
            .load_balancing_policy(self.load_balancing.to_driver())
            .retry_policy(self.retry.to_driver());
        if let Some(s) = self.speculative_execution {
            b = b.speculative_execution_policy(Some(Arc::new(SimpleSpeculativeExecutionPolicy {
                max_retry_count: s.max_attempts,
                retry_interval: s.delay,
            })));
        }
        b.build().into_handle()
    }
}

/// How long the driver waits between attempts to (re)open connections to a node.
///
/// The default backs off exponentially from 50 ms to 10 s (with ±15 % jitter), so a node that
/// comes back is used again within about 10 s. (The DataStax Python driver waits 1 s to
/// 600 s; ten minutes without a returning node is not what applications want.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconnection {
    /// Double the delay after each failed attempt, from `base` up to `max`.
    Exponential {
        /// The first delay.
        base: Duration,
        /// The longest delay.
        max: Duration,
    },
    /// Always wait `delay`.
    Constant {
        /// The delay.
        delay: Duration,
    },
}

impl Default for Reconnection {
    fn default() -> Self {
        Reconnection::Exponential {
            base: Duration::from_millis(50),
            max: Duration::from_secs(10),
        }
    }
}

impl Reconnection {
    pub(crate) fn to_driver(self) -> Arc<dyn scylla::policies::reconnect::ReconnectPolicy> {
        use scylla::policies::reconnect::{ConstantReconnectPolicy, ExponentialReconnectPolicy};
        match self {
            Reconnection::Exponential { base, max } => {
                Arc::new(ExponentialReconnectPolicy::new().with_backoff_limits(base, max))
            }
            Reconnection::Constant { delay } => Arc::new(ConstantReconnectPolicy::new(delay)),
        }
    }
}

/// Frame compression between the driver and the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// LZ4
    Lz4,
    /// Snappy
    Snappy,
}

impl From<Compression> for scylla::client::Compression {
    fn from(c: Compression) -> Self {
        match c {
            Compression::Lz4 => Self::Lz4,
            Compression::Snappy => Self::Snappy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_token_aware_dc_aware_with_the_default_retry() {
        let p = ExecutionProfile::default();
        assert_eq!(p.consistency, Consistency::LocalOne);
        assert_eq!(p.retry, Retry::Default);
        assert!(matches!(
            p.load_balancing,
            LoadBalancing::DcAware {
                token_aware: true,
                ..
            }
        ));
        assert!(p.speculative_execution.is_none());
    }
}
