//! [`ClusterConfig`]: how to reach a cluster and the session's defaults, built with
//! [`ClusterConfigBuilder`].

use std::time::Duration;

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::policies::{
    Compression, ExecutionProfile, LoadBalancing, Reconnection, Retry, SpeculativeExecution,
};
use crate::statement::Consistency;
use crate::tls::TlsConfig;

/// The CQL native port.
pub const DEFAULT_PORT: u16 = 9042;
/// Default client-side request timeout (as in the DataStax Python driver).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default rows per page.
pub const DEFAULT_PAGE_SIZE: i32 = 5000;
/// Default interval of keepalive requests on idle connections (as the Python driver's
/// `idle_heartbeat_interval`).
pub const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(30);

/// Username and password for PasswordAuthenticator.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The role name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// How to reach a cluster, and the defaults of the sessions connected with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// Hosts to contact first (`host` or `host:port`); the rest of the cluster is discovered.
    pub contact_points: Vec<String>,
    /// Port for contact points given without one.
    pub port: u16,
    /// Keyspace to use once connected.
    pub keyspace: Option<String>,
    /// Default client-side request timeout (for profiles that set none).
    pub request_timeout: Duration,
    /// The default execution profile: consistency, policies, timeout.
    pub default_profile: ExecutionProfile,
    /// Named execution profiles that statements can pick.
    pub profiles: BTreeMap<String, ExecutionProfile>,
    /// Frame compression, off by default.
    pub compression: Option<Compression>,
    /// Keepalive interval on idle connections; `None` turns keepalives off.
    pub heartbeat_interval: Option<Duration>,
    /// Only these hosts (addresses, optionally with port) are connected to; empty: all.
    pub allowed_hosts: Vec<String>,
    /// TLS, off by default.
    pub tls: Option<TlsConfig>,
    /// Delays between attempts to reopen connections to a node.
    pub reconnection: Reconnection,
    /// Timeout for establishing each connection.
    pub connect_timeout: Duration,
    /// Default rows per page.
    pub page_size: i32,
    /// Credentials, when the cluster requires authentication.
    pub credentials: Option<Credentials>,
}

impl ClusterConfig {
    /// Starts a builder with the defaults.
    pub fn builder() -> ClusterConfigBuilder {
        ClusterConfigBuilder::default()
    }

    /// Contact points with the port added where none was given.
    pub fn contact_addresses(&self) -> Vec<String> {
        self.contact_points
            .iter()
            .map(|p| {
                let has_port = if p.starts_with('[') {
                    p.contains("]:")
                } else {
                    p.matches(':').count() == 1
                };
                match (has_port, p.contains(':') && !p.starts_with('[')) {
                    (true, _) => p.clone(),
                    // A bare IPv6 address.
                    (false, true) => format!("[{p}]:{}", self.port),
                    (false, false) => format!("{p}:{}", self.port),
                }
            })
            .collect()
    }
}

/// Builds a [`ClusterConfig`].
#[derive(Debug, Clone)]
pub struct ClusterConfigBuilder {
    config: ClusterConfig,
}

impl Default for ClusterConfigBuilder {
    fn default() -> Self {
        ClusterConfigBuilder {
            config: ClusterConfig {
                contact_points: Vec::new(),
                port: DEFAULT_PORT,
                keyspace: None,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                default_profile: ExecutionProfile::default(),
                profiles: BTreeMap::new(),
                compression: None,
                heartbeat_interval: Some(DEFAULT_HEARTBEAT_INTERVAL),
                allowed_hosts: Vec::new(),
                tls: None,
                reconnection: Reconnection::default(),
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                page_size: DEFAULT_PAGE_SIZE,
                credentials: None,
            },
        }
    }
}

impl ClusterConfigBuilder {
    /// Adds a contact point (`host` or `host:port`).
    pub fn contact_point(mut self, host: impl Into<String>) -> Self {
        self.config.contact_points.push(host.into());
        self
    }

    /// Adds several contact points.
    pub fn contact_points<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config
            .contact_points
            .extend(hosts.into_iter().map(Into::into));
        self
    }

    /// Sets the port for contact points given without one (default 9042).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Uses this keyspace once connected.
    pub fn keyspace(mut self, keyspace: impl Into<String>) -> Self {
        self.config.keyspace = Some(keyspace.into());
        self
    }

    /// Sets the default consistency level (default LOCAL_ONE).
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.config.default_profile.consistency = consistency;
        self
    }

    /// Sets the default load-balancing policy (default: token-aware over DC-aware).
    pub fn load_balancing(mut self, policy: LoadBalancing) -> Self {
        self.config.default_profile.load_balancing = policy;
        self
    }

    /// Sets the default retry policy.
    pub fn retry(mut self, policy: Retry) -> Self {
        self.config.default_profile.retry = policy;
        self
    }

    /// Turns speculative execution on for idempotent statements (off by default).
    pub fn speculative_execution(mut self, policy: SpeculativeExecution) -> Self {
        self.config.default_profile.speculative_execution = Some(policy);
        self
    }

    /// Replaces the default execution profile.
    pub fn default_profile(mut self, profile: ExecutionProfile) -> Self {
        self.config.default_profile = profile;
        self
    }

    /// Adds a named execution profile.
    pub fn profile(mut self, name: impl Into<String>, profile: ExecutionProfile) -> Self {
        self.config.profiles.insert(name.into(), profile);
        self
    }

    /// Compresses frames with `compression`.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.config.compression = Some(compression);
        self
    }

    /// Sets the keepalive interval on idle connections; `None` turns keepalives off.
    pub fn heartbeat_interval(mut self, interval: Option<Duration>) -> Self {
        self.config.heartbeat_interval = interval;
        self
    }

    /// Adds one host to the hosts connected to (see [`ClusterConfigBuilder::allowed_hosts`]).
    pub fn allowed_host(mut self, host: impl Into<String>) -> Self {
        self.config.allowed_hosts.push(host.into());
        self
    }

    /// Connects only to these hosts (a host filter); the default is every host discovered.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the default client-side request timeout (default 10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Sets the timeout for establishing a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Sets the default page size (default 5000 rows).
    pub fn page_size(mut self, rows: i32) -> Self {
        self.config.page_size = rows;
        self
    }

    /// Authenticates with a username and password.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.config.credentials = Some(Credentials {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Sets the reconnection policy (default: exponential, 50 ms to 10 s).
    pub fn reconnection(mut self, policy: Reconnection) -> Self {
        self.config.reconnection = policy;
        self
    }

    /// Connects over TLS.
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.config.tls = Some(tls);
        self
    }

    /// The TLS settings given so far, if any.
    pub fn tls_config(&self) -> Option<&TlsConfig> {
        self.config.tls.as_ref()
    }

    /// Checks the configuration and returns it.
    pub fn build(self) -> Result<ClusterConfig> {
        let c = self.config;
        if c.contact_points.is_empty() {
            return Err(Error::InvalidConfig(
                "at least one contact point is needed".into(),
            ));
        }
        if let Some(p) = c.contact_points.iter().find(|p| p.trim().is_empty()) {
            return Err(Error::InvalidConfig(format!("empty contact point {p:?}")));
        }
        if c.page_size <= 0 {
            return Err(Error::InvalidConfig(format!(
                "page size must be positive, got {}",
                c.page_size
            )));
        }
        if c.request_timeout.is_zero() || c.connect_timeout.is_zero() {
            return Err(Error::InvalidConfig("timeouts must be positive".into()));
        }
        match c.reconnection {
            Reconnection::Exponential { base, max } if base.is_zero() || base > max => {
                return Err(Error::InvalidConfig(format!(
                    "exponential reconnection needs 0 < base <= max, got {base:?} and {max:?}"
                )));
            }
            Reconnection::Constant { delay } if delay.is_zero() => {
                return Err(Error::InvalidConfig(
                    "the reconnection delay must be positive".into(),
                ));
            }
            _ => {}
        }
        if c.heartbeat_interval.is_some_and(|d| d.is_zero()) {
            return Err(Error::InvalidConfig(
                "the heartbeat interval must be positive".into(),
            ));
        }
        let profiles = std::iter::once(("default", &c.default_profile))
            .chain(c.profiles.iter().map(|(n, p)| (n.as_str(), p)));
        for (name, p) in profiles {
            if p.request_timeout.is_some_and(|d| d.is_zero()) {
                return Err(Error::InvalidConfig(format!(
                    "profile {name:?}: the request timeout must be positive"
                )));
            }
            if let Some(s) = p.speculative_execution {
                if s.max_attempts == 0 {
                    return Err(Error::InvalidConfig(format!(
                        "profile {name:?}: speculative execution needs at least one attempt"
                    )));
                }
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_datastax_driver() {
        let c = ClusterConfig::builder()
            .contact_point("127.0.0.1")
            .build()
            .unwrap();
        assert_eq!(c.default_profile.consistency, Consistency::LocalOne);
        assert_eq!(c.heartbeat_interval, Some(Duration::from_secs(30)));
        assert_eq!(c.request_timeout, Duration::from_secs(10));
        assert_eq!(c.page_size, 5000);
        assert_eq!(c.port, 9042);
    }

    #[test]
    fn contact_points_get_the_port_when_they_have_none() {
        let c = ClusterConfig::builder()
            .contact_points([
                "127.0.0.1",
                "10.0.0.1:9043",
                "::1",
                "[::2]:9044",
                "db.example",
            ])
            .port(9999)
            .build()
            .unwrap();
        assert_eq!(
            c.contact_addresses(),
            [
                "127.0.0.1:9999",
                "10.0.0.1:9043",
                "[::1]:9999",
                "[::2]:9044",
                "db.example:9999"
            ]
        );
    }

    #[test]
    fn invalid_configurations_are_refused() {
        assert!(matches!(
            ClusterConfig::builder().build(),
            Err(Error::InvalidConfig(_))
        ));
        assert!(ClusterConfig::builder().contact_point(" ").build().is_err());
        assert!(ClusterConfig::builder()
            .contact_point("h")
            .page_size(0)
            .build()
            .is_err());
        assert!(ClusterConfig::builder()
            .contact_point("h")
            .request_timeout(Duration::ZERO)
            .build()
            .is_err());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let c = ClusterConfig::builder()
            .contact_point("h")
            .credentials("u", "s3cret")
            .build()
            .unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
