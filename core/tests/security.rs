//! Authentication and TLS against the harness's `--auth --tls` node
//! (`tests/cluster/cluster up --auth --tls`; `make test` runs this phase).

use std::path::PathBuf;
use std::time::Duration;

use cqlbridge_core::{ClusterConfig, ClusterConfigBuilder, ErrorKind, Session, TlsConfig, Value};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests against `tests/cluster/cluster up --auth --tls` with its `env` exported")
    })
}

fn contact_points() -> Vec<String> {
    env("CQLB_CONTACT_POINTS")
        .split(',')
        .map(str::to_owned)
        .collect()
}

fn ca() -> PathBuf {
    PathBuf::from(env("CQLB_TLS_CA"))
}

fn base() -> ClusterConfigBuilder {
    ClusterConfig::builder()
        .contact_points(contact_points())
        .connect_timeout(Duration::from_secs(5))
}

fn superuser() -> ClusterConfigBuilder {
    base()
        .tls(TlsConfig::new(ca()))
        .credentials(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))
}

#[tokio::test]
async fn the_right_ca_and_credentials_connect() {
    let session = Session::connect(&superuser().build().unwrap())
        .await
        .unwrap();
    let rs = session
        .execute("SELECT release_version FROM system.local", ())
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1);
    // Without hostname verification the chain is still checked, and it connects too.
    let mut tls = TlsConfig::new(ca());
    tls.verify_hostname = false;
    let config = base()
        .tls(tls)
        .credentials(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))
        .build()
        .unwrap();
    Session::connect(&config).await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_authentication_failed() {
    let config = base()
        .tls(TlsConfig::new(ca()))
        .credentials("cassandra", "not-the-password")
        .build()
        .unwrap();
    let err = Session::connect(&config).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthenticationFailed, "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("password")
            || err.to_string().contains("credentials"),
        "{err}"
    );
}

#[tokio::test]
async fn missing_credentials_are_authentication_failed() {
    let config = base().tls(TlsConfig::new(ca())).build().unwrap();
    let err = Session::connect(&config).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthenticationFailed, "{err:?}");
    assert!(err.to_string().contains("requires authentication"), "{err}");
}

#[tokio::test]
async fn a_role_without_permission_is_unauthorized() {
    let admin = Session::connect(&superuser().build().unwrap())
        .await
        .unwrap();
    for stmt in [
        "CREATE KEYSPACE IF NOT EXISTS cqlb_it_security WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS cqlb_it_security.secret (k int PRIMARY KEY, v text)",
        "CREATE ROLE IF NOT EXISTS cqlb_reader WITH PASSWORD = 'reader-pw' AND LOGIN = true",
    ] {
        admin.execute(stmt, ()).await.unwrap();
    }
    let reader = base()
        .tls(TlsConfig::new(ca()))
        .credentials("cqlb_reader", "reader-pw")
        .build()
        .unwrap();
    let session = Session::connect(&reader).await.unwrap();
    let err = session
        .execute(
            "INSERT INTO cqlb_it_security.secret (k, v) VALUES (?, ?)",
            vec![Value::Int(1), Value::from("x")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert!(
        err.to_string().contains("cqlb_reader"),
        "the server names the role: {err}"
    );
}

#[tokio::test]
async fn a_tls_only_node_reached_without_tls_fails_clearly() {
    let config = base()
        .credentials(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = Session::connect(&config).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            err.kind(),
            ErrorKind::NoHostAvailable | ErrorKind::ConnectionError
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("TLS"),
        "the message suggests TLS: {err}"
    );
}

#[tokio::test]
async fn an_untrusted_server_certificate_is_a_clear_tls_error() {
    // client-ca.pem is the harness's other CA: it did not sign the node's certificate.
    let wrong_ca = ca().with_file_name("client-ca.pem");
    let config = base()
        .tls(TlsConfig::new(wrong_ca))
        .credentials(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))
        .build()
        .unwrap();
    let err = Session::connect(&config).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("certificate") || msg.contains("UnknownIssuer"),
        "{err}"
    );
}

#[tokio::test]
async fn hostname_verification_refuses_a_certificate_issued_for_another_name() {
    // The node's certificate names 127.0.0.1-3 and localhost; `server_name` sets the name it
    // is checked against (as for a node reached through a proxy).
    let named = |name: &str, verify_hostname: bool| {
        let mut tls = TlsConfig::new(ca());
        tls.server_name = Some(name.into());
        tls.verify_hostname = verify_hostname;
        base()
            .tls(tls)
            .credentials(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))
            .build()
            .unwrap()
    };
    Session::connect(&named("localhost", true))
        .await
        .expect("the certificate names localhost");
    let err = Session::connect(&named("db.elsewhere.invalid", true))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("NotValidForName") || msg.contains("not valid for name"),
        "a clear name mismatch: {err}"
    );
    // Off, the chain is still checked but the name is not: it connects.
    Session::connect(&named("db.elsewhere.invalid", false))
        .await
        .expect("hostname verification off");
}
