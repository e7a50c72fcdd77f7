//! Session options and per-statement options against the real node: execution profiles,
//! compression, keepalives, timeouts, client timestamps, idempotence and metrics.

mod common;

use std::time::Duration;

use cqlbridge_core::{
    ClusterConfig, Compression, Consistency, ErrorKind, ExecutionProfile, Retry, ServerErrorKind,
    Session, Statement, Value,
};

const KS: &str = "cqlb_it_options";
const DDL: &[&str] = &["CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text)"];

fn builder() -> cqlbridge_core::ClusterConfigBuilder {
    ClusterConfig::builder()
        .contact_points(common::contact_points())
        .keyspace(KS)
}

#[tokio::test]
async fn named_profiles_change_the_consistency_of_the_statements_that_pick_them() {
    common::session_with(KS, DDL).await;
    let strict = ExecutionProfile {
        consistency: Consistency::Three,
        retry: Retry::Fallthrough,
        ..Default::default()
    };
    let session = Session::connect(&builder().profile("strict", strict).build().unwrap())
        .await
        .unwrap();
    // One node cannot give THREE replicas: the profile's consistency is the one used.
    let err = session
        .execute(
            Statement::new("SELECT * FROM kv WHERE k = 1").with_profile("strict"),
            (),
        )
        .await
        .unwrap_err();
    match err.server_error().map(|s| &s.kind) {
        Some(ServerErrorKind::Unavailable {
            consistency,
            required,
            alive,
        }) => {
            assert_eq!(
                (*consistency, *required, *alive),
                (Consistency::Three, 3, 1)
            );
        }
        other => panic!("expected Unavailable, got {other:?} ({err})"),
    }
    // The default profile (LOCAL_ONE) works, and a statement's own consistency wins.
    session
        .execute("SELECT * FROM kv WHERE k = 1", ())
        .await
        .unwrap();
    session
        .execute(
            Statement::new("SELECT * FROM kv WHERE k = 1")
                .with_profile("strict")
                .with_consistency(Consistency::One),
            (),
        )
        .await
        .unwrap();
    let err = session
        .execute(Statement::new("SELECT * FROM kv").with_profile("nope"), ())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("nope"), "{err}");
}

#[tokio::test]
async fn compressed_connections_and_connections_without_keepalives_work() {
    common::session_with(KS, DDL).await;
    for compression in [Compression::Lz4, Compression::Snappy] {
        let session = Session::connect(&builder().compression(compression).build().unwrap())
            .await
            .unwrap();
        let big = "z".repeat(100_000);
        session
            .execute(
                "INSERT INTO kv (k, v) VALUES (?, ?)",
                vec![Value::Int(500), Value::from(big.as_str())],
            )
            .await
            .unwrap();
        let rs = session
            .execute("SELECT v FROM kv WHERE k = 500", ())
            .await
            .unwrap();
        assert_eq!(rs.rows[0][0], Value::from(big.as_str()), "{compression:?}");
    }
    let session = Session::connect(&builder().heartbeat_interval(None).build().unwrap())
        .await
        .unwrap();
    session
        .execute("SELECT * FROM kv WHERE k = 500", ())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_past_its_timeout_is_operation_timed_out() {
    let session = common::session_with(KS, DDL).await;
    let st =
        Statement::new("SELECT * FROM system_schema.columns").with_timeout(Duration::from_nanos(1));
    let err = session.execute(st, ()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OperationTimedOut, "{err:?}");
}

#[tokio::test]
async fn client_timestamps_are_the_write_times() {
    let session = common::session_with(KS, DDL).await;
    let st = Statement::new("INSERT INTO kv (k, v) VALUES (?, 'old')")
        .with_timestamp(1_000)
        .with_idempotent(true);
    session.execute(st, vec![Value::Int(600)]).await.unwrap();
    let rs = session
        .execute("SELECT writetime(v) FROM kv WHERE k = 600", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![Value::BigInt(1_000)]]);
    // An older timestamp loses against the newer write.
    let older = Statement::new("INSERT INTO kv (k, v) VALUES (600, 'older')").with_timestamp(999);
    session.execute(older, ()).await.unwrap();
    let rs = session
        .execute("SELECT v FROM kv WHERE k = 600", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![Value::from("old")]]);
}

#[tokio::test]
async fn metrics_count_what_ran() {
    common::session_with(KS, DDL).await;
    let session = Session::connect(&builder().build().unwrap()).await.unwrap();
    let before = session.metrics();
    for k in 0..10 {
        session
            .execute("SELECT * FROM kv WHERE k = ?", vec![Value::Int(k)])
            .await
            .unwrap();
    }
    session
        .execute("SELECT * FROM no_such_table", ())
        .await
        .unwrap_err();
    session
        .execute("SELECT * FROM kv WHERE k = ?", vec![Value::from("bad")])
        .await
        .unwrap_err();
    let after = session.metrics();
    assert!(
        after.requests >= before.requests + 10,
        "{before:?} -> {after:?}"
    );
    assert_eq!(
        after.errors_by_kind.get(&ErrorKind::InvalidRequest),
        Some(&1),
        "{after:?}"
    );
    assert_eq!(
        after.errors_by_kind.get(&ErrorKind::BindError),
        Some(&1),
        "{after:?}"
    );
    assert!(after.open_connections >= 1);
    let latency = after.latency_ms.expect("latency measured");
    assert!(latency.p50 <= latency.p99);
}
