//! Resource hygiene (issue 10): a long connect / execute / close loop leaves no threads, file
//! descriptors or memory behind. `CQLB_HYGIENE_ITERATIONS` sessions (default 40; `make
//! reliability`: 400); the figures are printed for tests/RELIABILITY.md.

mod common;

use std::time::{Duration, Instant};

use common::{env_count, resources, Resources};
use cqlbridge_core::{ClusterConfig, Session, Statement, Value};

/// Connects, runs a simple and a prepared statement, and drops the session.
async fn one_session(config: &ClusterConfig) {
    let session = Session::connect(config).await.unwrap();
    let rs = session
        .execute("SELECT release_version FROM system.local", ())
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1);
    let prepared = session
        .prepare(Statement::new("SELECT key FROM system.local WHERE key = ?"))
        .await
        .unwrap();
    let rs = session
        .execute_prepared(&prepared, vec![Value::Text("local".into())])
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1);
}

/// Waits (up to 15 s) until the process holds no more than `limit` allows: connections of
/// dropped sessions close, and idle blocking-pool threads exit, in the background.
async fn settle(limit: impl Fn(&Resources) -> bool) -> Resources {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = resources();
        if limit(&now) || Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_execute_close_loop_leaves_nothing_behind() {
    let iterations = env_count("CQLB_HYGIENE_ITERATIONS", 40);
    let config = ClusterConfig::builder()
        .contact_points(common::contact_points())
        .build()
        .unwrap();
    // Warm up: the runtime, the allocator's arenas, lazily built statics.
    for _ in 0..5 {
        one_session(&config).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let base = resources();
    let started = Instant::now();
    let mut peak = base;
    for i in 0..iterations {
        one_session(&config).await;
        if i % 10 == 0 {
            let now = resources();
            peak.threads = peak.threads.max(now.threads);
            peak.fds = peak.fds.max(now.fds);
            peak.rss_kib = peak.rss_kib.max(now.rss_kib);
        }
    }
    let took = started.elapsed();
    let end = settle(|r| r.threads <= base.threads && r.fds <= base.fds).await;
    eprintln!(
        "hygiene (Rust core): {iterations} sessions in {took:.1?}; threads {} -> {} (peak {}), fds {} -> {} (peak {}), RSS {} KiB -> {} KiB (peak {} KiB)",
        base.threads, end.threads, peak.threads, base.fds, end.fds, peak.fds, base.rss_kib, end.rss_kib, peak.rss_kib
    );
    assert!(
        end.threads <= base.threads,
        "threads grew: {base:?} -> {end:?}"
    );
    assert!(
        end.fds <= base.fds,
        "file descriptors leaked: {base:?} -> {end:?}"
    );
    // A leak of a session's worth of buffers per iteration would show as megabytes; allocator
    // noise stays well under this bound.
    let grew = end.rss_kib.saturating_sub(base.rss_kib);
    assert!(
        grew < 32 * 1024,
        "RSS grew by {grew} KiB over {iterations} sessions"
    );
}
