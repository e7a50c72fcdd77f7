//! Shared set-up of the integration tests: they run against the real Cassandra node that
//! `tests/cluster/cluster up` starts (CQLB_CONTACT_POINTS, default 127.0.0.1).
#![allow(dead_code)]

use std::sync::LazyLock;

use cqlbridge_core::{ClusterConfig, Session};

/// Serializes schema set-up across the tests of one binary.
static SCHEMA_LOCK: LazyLock<tokio::sync::Mutex<()>> =
    LazyLock::new(|| tokio::sync::Mutex::new(()));

/// The contact points of the test cluster.
pub fn contact_points() -> Vec<String> {
    std::env::var("CQLB_CONTACT_POINTS")
        .unwrap_or_else(|_| "127.0.0.1".into())
        .split(',')
        .map(str::to_owned)
        .collect()
}

/// A session connected to the test cluster.
pub async fn connect() -> Session {
    let config = ClusterConfig::builder()
        .contact_points(contact_points())
        .build()
        .unwrap();
    Session::connect(&config).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach the test cluster at {:?} (start it with tests/cluster/cluster up): {e}",
            contact_points()
        )
    })
}

/// A session using keyspace `ks` (created if missing), after running `ddl` statements.
pub async fn session_with(ks: &str, ddl: &[&str]) -> Session {
    let session = connect().await;
    {
        let _guard = SCHEMA_LOCK.lock().await;
        session
            .execute(
                format!(
                    "CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
                ),
                (),
            )
            .await
            .unwrap();
        session.use_keyspace(ks).await.unwrap();
        for stmt in ddl {
            session
                .execute(*stmt, ())
                .await
                .unwrap_or_else(|e| panic!("{stmt}: {e}"));
        }
    }
    session
}

/// What the test process holds: threads, open file descriptors, resident memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    /// Threads of the process.
    pub threads: usize,
    /// Open file descriptors.
    pub fds: usize,
    /// Resident set size in KiB.
    pub rss_kib: usize,
}

/// Reads [`Resources`] from /proc/self.
pub fn resources() -> Resources {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| -> usize {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    Resources {
        threads: field("Threads:"),
        fds: std::fs::read_dir("/proc/self/fd").unwrap().count(),
        rss_kib: field("VmRSS:"),
    }
}

/// A count from the environment (the long runs of `make reliability` raise them).
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `tests/cluster/cluster ARGS` (kill, start, pause, ... a node); returns its output.
pub fn harness_output(args: &[&str]) -> std::process::Output {
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cluster/cluster");
    std::process::Command::new(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {script:?}: {e}"))
}

/// Runs `tests/cluster/cluster ARGS` and fails the test if it fails.
pub fn harness(args: &[&str]) {
    let out = harness_output(args);
    assert!(
        out.status.success(),
        "tests/cluster/cluster {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
