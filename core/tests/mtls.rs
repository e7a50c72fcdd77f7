//! Mutual TLS against the harness's `--mtls` node (`tests/cluster/cluster up --mtls`;
//! `make test` runs this phase): the node requires a client certificate.

use std::path::PathBuf;
use std::time::Duration;

use cqlbridge_core::{ClusterConfig, Session, TlsConfig};

fn env(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests against `tests/cluster/cluster up --mtls` with its `env` exported")
    }))
}

fn config(tls: TlsConfig) -> ClusterConfig {
    let points = std::env::var("CQLB_CONTACT_POINTS").unwrap_or_else(|_| "127.0.0.1".into());
    ClusterConfig::builder()
        .contact_points(points.split(','))
        .connect_timeout(Duration::from_secs(5))
        .tls(tls)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_client_certificate_signed_by_the_trusted_ca_connects() {
    let mut tls = TlsConfig::new(env("CQLB_TLS_CA"));
    tls.client_cert = Some((env("CQLB_TLS_CLIENT_CERT"), env("CQLB_TLS_CLIENT_KEY")));
    let session = Session::connect(&config(tls)).await.unwrap();
    let rs = session
        .execute("SELECT release_version FROM system.local", ())
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1);
}

#[tokio::test]
async fn without_a_client_certificate_the_node_refuses() {
    let err = Session::connect(&config(TlsConfig::new(env("CQLB_TLS_CA"))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            cqlbridge_core::ErrorKind::NoHostAvailable | cqlbridge_core::ErrorKind::ConnectionError
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreadable_client_key_is_a_configuration_error() {
    let mut tls = TlsConfig::new(env("CQLB_TLS_CA"));
    tls.client_cert = Some((
        env("CQLB_TLS_CLIENT_CERT"),
        PathBuf::from("/nonexistent/key.pem"),
    ));
    let err = Session::connect(&config(tls)).await.unwrap_err();
    assert!(
        matches!(&err, cqlbridge_core::Error::InvalidConfig(m) if m.contains("/nonexistent/key.pem")),
        "{err:?}"
    );
}
