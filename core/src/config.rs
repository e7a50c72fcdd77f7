//! [`ClusterConfig`]: how to reach a cluster and the session's defaults, built with
//! [`ClusterConfigBuilder`].

use std::time::Duration;

use crate::error::{Error, Result};
use crate::statement::Consistency;

/// The CQL native port.
pub const DEFAULT_PORT: u16 = 9042;
/// Default client-side request timeout (as in the DataStax Python driver).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default rows per page.
pub const DEFAULT_PAGE_SIZE: i32 = 5000;

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
    /// Default consistency level.
    pub consistency: Consistency,
    /// Default client-side request timeout.
    pub request_timeout: Duration,
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
                consistency: Consistency::LocalOne,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
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
        self.config.consistency = consistency;
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
        assert_eq!(c.consistency, Consistency::LocalOne);
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
