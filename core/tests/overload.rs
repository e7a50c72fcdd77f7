//! Overload (issue 10): far more requests in flight than one node serves at once. Every
//! request completes, with its result or a typed timeout / overload error; nothing hangs; the
//! session stays usable; memory stays bounded over the rounds. `CQLB_OVERLOAD_IN_FLIGHT`
//! requests per round (default 4096), `CQLB_OVERLOAD_ROUNDS` rounds (default 3; `make
//! reliability`: 20). The figures are printed for tests/RELIABILITY.md.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{env_count, resources};
use cqlbridge_core::{ClusterConfig, ErrorKind, Session, Statement, Value};

/// The kinds an overloaded request may end with: the client's timeout or the server's.
const OVERLOAD_KINDS: [ErrorKind; 5] = [
    ErrorKind::OperationTimedOut,
    ErrorKind::Overloaded,
    ErrorKind::WriteTimeout,
    ErrorKind::ReadTimeout,
    ErrorKind::Unavailable,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_in_flight_each_complete_or_fail_typed() {
    let in_flight = env_count("CQLB_OVERLOAD_IN_FLIGHT", 4096);
    let rounds = env_count("CQLB_OVERLOAD_ROUNDS", 3);
    let admin = common::session_with(
        "cqlb_it_overload",
        &["CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v blob)"],
    )
    .await;
    drop(admin);
    // A short client timeout, so that some of the queue is sure to run out of time.
    let config = ClusterConfig::builder()
        .contact_points(common::contact_points())
        .keyspace("cqlb_it_overload")
        .request_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let session = Arc::new(Session::connect(&config).await.unwrap());
    let insert = Arc::new(
        session
            .prepare(Statement::new("INSERT INTO kv (k, v) VALUES (?, ?)").with_idempotent(true))
            .await
            .unwrap(),
    );
    let read = Arc::new(
        session
            .prepare(Statement::new("SELECT v FROM kv WHERE k = ?").with_idempotent(true))
            .await
            .unwrap(),
    );
    let payload = Value::Blob(vec![7u8; 4096]);
    let mut base = None;
    let mut last = resources();
    for round in 0..rounds {
        let started = Instant::now();
        let requests: Vec<_> = (0..in_flight)
            .map(|i| {
                let (session, insert, read) = (session.clone(), insert.clone(), read.clone());
                let payload = payload.clone();
                tokio::spawn(async move {
                    let k = Value::Int(i as i32);
                    if i % 2 == 0 {
                        session
                            .execute_prepared(&insert, vec![k, payload])
                            .await
                            .map(|_| ())
                    } else {
                        session.execute_prepared(&read, vec![k]).await.map(|_| ())
                    }
                })
            })
            .collect();
        let mut outcomes = BTreeMap::<String, usize>::new();
        for r in requests {
            // Nothing hangs: every request ends well within a minute.
            let r = tokio::time::timeout(Duration::from_secs(60), r)
                .await
                .expect("a request never completed")
                .unwrap();
            let key = match r {
                Ok(()) => "ok".to_string(),
                Err(e) => {
                    assert!(
                        OVERLOAD_KINDS.contains(&e.kind()),
                        "untyped failure: {e} ({:?})",
                        e.kind()
                    );
                    format!("{:?}", e.kind())
                }
            };
            *outcomes.entry(key).or_default() += 1;
        }
        assert_eq!(outcomes.values().sum::<usize>(), in_flight);
        // The session is healthy afterwards: no stream or connection was lost to the storm.
        let healthy = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                match session
                    .execute("SELECT release_version FROM system.local", ())
                    .await
                {
                    Ok(rs) => break rs,
                    Err(e) if e.kind() == ErrorKind::OperationTimedOut => {
                        tokio::time::sleep(Duration::from_millis(200)).await
                    }
                    Err(e) => panic!("the session broke after the storm: {e}"),
                }
            }
        })
        .await
        .expect("the session answers again after the storm");
        assert_eq!(healthy.rows.len(), 1);
        last = resources();
        if round == 0 {
            base = Some(last);
        }
        eprintln!(
            "overload round {round}: {in_flight} in flight, done in {:.1?}: {outcomes:?}; RSS {} KiB, threads {}, fds {}",
            started.elapsed(),
            last.rss_kib,
            last.threads,
            last.fds
        );
    }
    let base = base.unwrap();
    let grew = last.rss_kib.saturating_sub(base.rss_kib);
    eprintln!(
        "overload: RSS after round 0 {} KiB, after round {} {} KiB",
        base.rss_kib,
        rounds - 1,
        last.rss_kib
    );
    assert!(
        grew < 64 * 1024,
        "memory grew by {grew} KiB over {rounds} rounds"
    );
    let metrics = session.metrics();
    eprintln!("overload: {metrics:?}");
}
