//! Connection and request options as uniffi records, converted to core's configuration.
//! Durations cross as milliseconds; consistency levels as their protocol codes.

use std::collections::HashMap;
use std::time::Duration;

use cqlbridge_core::{
    ClusterConfig, Compression, Consistency, ExecutionProfile, LoadBalancing, Reconnection, Retry,
    SerialConsistency, SpeculativeExecution, StatementOptions, TlsConfig,
};

use crate::error::{invalid, CqlError};

/// Everything needed to connect. Unset values take core's defaults (DataStax's: LOCAL_ONE,
/// 10 s request timeout, 5 s connect timeout, 5000 rows per page, token-aware DC-aware).
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConnectOptions {
    /// Hosts or IP addresses to reach first (`host` or `host:port`); the rest is discovered.
    pub contact_points: Vec<String>,
    /// The CQL port of contact points given without one.
    pub port: u16,
    /// The keyspace to use on every connection.
    pub keyspace: Option<String>,
    /// Username and password (PasswordAuthenticator).
    pub username: Option<String>,
    /// The password that goes with `username`.
    pub password: Option<String>,
    /// Client TLS.
    pub tls: Option<TlsOptions>,
    /// How long connecting may take.
    pub connect_timeout_ms: Option<u64>,
    /// The default client-side request timeout.
    pub request_timeout_ms: Option<u64>,
    /// Rows per page by default.
    pub page_size: Option<i32>,
    /// The default execution profile.
    pub default_profile: Option<ProfileOptions>,
    /// Named execution profiles.
    pub profiles: HashMap<String, ProfileOptions>,
    /// Frame compression.
    pub compression: Option<CompressionKind>,
    /// How to reconnect to nodes.
    pub reconnection: Option<ReconnectionOptions>,
    /// Connect only to these hosts (a host filter); empty: every host.
    pub allowed_hosts: Vec<String>,
    /// Heartbeat interval; 0 turns heartbeats off.
    pub heartbeat_interval_ms: Option<u64>,
}

/// Client TLS settings.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TlsOptions {
    /// PEM file of the certificate authorities to trust.
    pub ca_file: String,
    /// PEM certificate chain of this client (mutual TLS).
    pub client_cert_file: Option<String>,
    /// PEM private key of this client (mutual TLS).
    pub client_key_file: Option<String>,
    /// Check that the node's certificate names the address connected to.
    pub verify_hostname: bool,
    /// The name the node's certificate must carry instead of the address connected to (a
    /// node behind a proxy, a certificate issued for a DNS name).
    #[uniffi(default = None)]
    pub server_name: Option<String>,
}

/// An execution profile: a named set of request settings.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProfileOptions {
    /// Consistency level (protocol code); LOCAL_ONE when unset.
    pub consistency: Option<u16>,
    /// Serial consistency (protocol code: 8 SERIAL, 9 LOCAL_SERIAL).
    pub serial_consistency: Option<u16>,
    /// Client-side request timeout.
    pub request_timeout_ms: Option<u64>,
    /// Load balancing.
    pub load_balancing: Option<LoadBalancingOptions>,
    /// Retry policy.
    pub retry: Option<RetryKind>,
    /// Speculative execution (idempotent statements only).
    pub speculative: Option<SpeculativeOptions>,
}

/// How requests pick their coordinator.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum LoadBalancingOptions {
    /// Every node in turn.
    RoundRobin {
        /// Prefer replicas of the key.
        token_aware: bool,
    },
    /// Nodes of the local datacenter first.
    DcAware {
        /// The local datacenter.
        local_dc: Option<String>,
        /// Use remote datacenters when no local node is up.
        permit_remote_dc: bool,
        /// Prefer replicas of the key.
        token_aware: bool,
    },
}

/// Retry policies.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum RetryKind {
    /// Retry timeouts and unavailable errors once where safe.
    Default,
    /// Never retry.
    Fallthrough,
    /// Retry at a lower consistency when too few replicas answered.
    DowngradingConsistency,
}

/// Speculative execution.
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct SpeculativeOptions {
    /// Wait this long before each extra attempt.
    pub delay_ms: u64,
    /// At most this many extra attempts.
    pub max_attempts: u32,
}

/// Frame compression.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum CompressionKind {
    /// LZ4
    Lz4,
    /// Snappy
    Snappy,
}

/// Reconnection policies.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum ReconnectionOptions {
    /// Double the delay from `base_ms` to `max_ms`.
    Exponential {
        /// First delay.
        base_ms: u64,
        /// Longest delay.
        max_ms: u64,
    },
    /// Always the same delay.
    Constant {
        /// The delay.
        delay_ms: u64,
    },
}

/// Options of one request; unset options take the session's (or the profile's).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RequestOptions {
    /// Consistency level (protocol code).
    pub consistency: Option<u16>,
    /// Serial consistency (protocol code).
    pub serial_consistency: Option<u16>,
    /// Rows per page.
    pub page_size: Option<i32>,
    /// Client-side timeout.
    pub timeout_ms: Option<u64>,
    /// Safe to retry and to speculate.
    pub idempotent: bool,
    /// Write timestamp, µs since the epoch.
    pub timestamp: Option<i64>,
    /// Ask the server to trace the request.
    pub tracing: bool,
    /// The execution profile's name.
    pub profile: Option<String>,
    /// Send to this node only (`ip` or `ip:port`).
    pub host: Option<String>,
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

pub(crate) fn consistency(code: u16) -> Result<Consistency, CqlError> {
    Ok(Consistency::try_from(code)?)
}

pub(crate) fn serial_consistency(code: u16) -> Result<SerialConsistency, CqlError> {
    match consistency(code)? {
        Consistency::Serial => Ok(SerialConsistency::Serial),
        Consistency::LocalSerial => Ok(SerialConsistency::LocalSerial),
        other => Err(invalid(format!(
            "{} is not a serial consistency level (SERIAL or LOCAL_SERIAL)",
            other.name()
        ))),
    }
}

impl ProfileOptions {
    fn to_core(&self) -> Result<ExecutionProfile, CqlError> {
        let defaults = ExecutionProfile::default();
        Ok(ExecutionProfile {
            consistency: self
                .consistency
                .map(consistency)
                .transpose()?
                .unwrap_or(defaults.consistency),
            serial_consistency: self
                .serial_consistency
                .map(serial_consistency)
                .transpose()?,
            request_timeout: self.request_timeout_ms.map(ms),
            load_balancing: match &self.load_balancing {
                None => defaults.load_balancing,
                Some(LoadBalancingOptions::RoundRobin { token_aware }) => {
                    LoadBalancing::RoundRobin {
                        token_aware: *token_aware,
                    }
                }
                Some(LoadBalancingOptions::DcAware {
                    local_dc,
                    permit_remote_dc,
                    token_aware,
                }) => LoadBalancing::DcAware {
                    local_dc: local_dc.clone(),
                    permit_remote_dc: *permit_remote_dc,
                    token_aware: *token_aware,
                },
            },
            retry: match self.retry {
                None | Some(RetryKind::Default) => Retry::Default,
                Some(RetryKind::Fallthrough) => Retry::Fallthrough,
                Some(RetryKind::DowngradingConsistency) => Retry::DowngradingConsistency,
            },
            speculative_execution: self.speculative.map(|s| SpeculativeExecution {
                delay: ms(s.delay_ms),
                max_attempts: s.max_attempts as usize,
            }),
        })
    }
}

impl ConnectOptions {
    /// Core's configuration, validated.
    pub(crate) fn to_core(&self) -> Result<ClusterConfig, CqlError> {
        let mut b = ClusterConfig::builder()
            .contact_points(self.contact_points.iter().cloned())
            .port(self.port)
            .allowed_hosts(self.allowed_hosts.iter().cloned());
        if let Some(ks) = &self.keyspace {
            b = b.keyspace(ks.clone());
        }
        match (&self.username, &self.password) {
            (Some(user), Some(password)) => b = b.credentials(user.clone(), password.clone()),
            (None, None) => {}
            _ => {
                return Err(invalid(
                    "a username needs a password, and a password a username",
                ))
            }
        }
        if let Some(t) = &self.tls {
            let mut tls = TlsConfig::new(&t.ca_file);
            tls.verify_hostname = t.verify_hostname;
            tls.server_name = t.server_name.clone();
            tls.client_cert = match (&t.client_cert_file, &t.client_key_file) {
                (Some(cert), Some(key)) => Some((cert.into(), key.into())),
                (None, None) => None,
                _ => {
                    return Err(invalid(
                        "a client certificate needs its key, and a key its certificate",
                    ))
                }
            };
            b = b.tls(tls);
        }
        if let Some(v) = self.connect_timeout_ms {
            b = b.connect_timeout(ms(v));
        }
        if let Some(v) = self.request_timeout_ms {
            b = b.request_timeout(ms(v));
        }
        if let Some(v) = self.page_size {
            b = b.page_size(v);
        }
        if let Some(p) = &self.default_profile {
            b = b.default_profile(p.to_core()?);
        }
        for (name, p) in &self.profiles {
            b = b.profile(name.clone(), p.to_core()?);
        }
        if let Some(c) = self.compression {
            b = b.compression(match c {
                CompressionKind::Lz4 => Compression::Lz4,
                CompressionKind::Snappy => Compression::Snappy,
            });
        }
        if let Some(r) = self.reconnection {
            b = b.reconnection(match r {
                ReconnectionOptions::Exponential { base_ms, max_ms } => Reconnection::Exponential {
                    base: ms(base_ms),
                    max: ms(max_ms),
                },
                ReconnectionOptions::Constant { delay_ms } => Reconnection::Constant {
                    delay: ms(delay_ms),
                },
            });
        }
        if let Some(v) = self.heartbeat_interval_ms {
            b = b.heartbeat_interval((v > 0).then(|| ms(v)));
        }
        Ok(b.build()?)
    }
}

impl RequestOptions {
    /// Core's statement options.
    pub(crate) fn to_core(&self) -> Result<StatementOptions, CqlError> {
        Ok(StatementOptions {
            consistency: self.consistency.map(consistency).transpose()?,
            serial_consistency: self
                .serial_consistency
                .map(serial_consistency)
                .transpose()?,
            page_size: self.page_size,
            timeout: self.timeout_ms.map(ms),
            idempotent: self.idempotent,
            timestamp: self.timestamp,
            tracing: self.tracing,
            profile: self.profile.clone(),
            host: self.host.clone(),
        })
    }
}
