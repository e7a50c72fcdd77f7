//! Failover under load on the harness's 3-node cluster (`tests/cluster/cluster up --nodes 3`),
//! issue 10: idempotent QUORUM writes keep being acknowledged while a node is killed and
//! restarted, or paused and resumed; every acknowledged write reads back at QUORUM; host
//! events show the node down and up again; a non-idempotent write whose coordinator dies is
//! reported as an error. The nodes are the contact points of `CQLB_CONTACT_POINTS` (node N is
//! the N-th), so the tests also run against a second harness cluster (CQLB_CLUSTER_IP_BASE).
//!
//! Scale: `CQLB_FAILOVER_WRITES` writes per run (default 5000; `make reliability`: 50000) at
//! `CQLB_FAILOVER_IN_FLIGHT` in flight (default 128). Each run prints its figures, which
//! tests/RELIABILITY.md records. Run with `--test-threads 1`: the tests stop nodes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::{env_count, harness, harness_output};
use cqlbridge_core::{
    ClusterConfig, Consistency, ErrorKind, HostEvent, Prepared, Session, SpeculativeExecution,
    Statement, Value,
};
use futures::StreamExt;

const KS: &str = "cqlb_it_failover";
/// The node the tests kill or pause.
const VICTIM: usize = 3;

/// The three nodes (`CQLB_CONTACT_POINTS` of `tests/cluster/cluster up --nodes 3`).
fn contact_points() -> Vec<String> {
    let cps = common::contact_points();
    assert_eq!(
        cps.len(),
        3,
        "a 3-node cluster is needed (CQLB_CONTACT_POINTS): {cps:?}"
    );
    cps
}

/// The IP address of node `n` (1-based).
fn node_ip(n: usize) -> String {
    let cp = &contact_points()[n - 1];
    cp.rsplit_once(':')
        .map_or(cp.as_str(), |(ip, _)| ip)
        .to_string()
}

/// Runs `tests/cluster/cluster <action> VICTIM` (kill, start, pause, resume) off the runtime.
async fn on_victim(action: &'static str) {
    tokio::task::spawn_blocking(move || harness(&[action, &VICTIM.to_string()]))
        .await
        .unwrap();
}

/// Brings the victim back when dropped (resumed if paused, started if dead), so that a failing
/// test leaves the cluster whole for the next one.
struct Heal;

impl Drop for Heal {
    fn drop(&mut self) {
        let victim = VICTIM.to_string();
        harness_output(&["resume", &victim]);
        harness_output(&["start", &victim]);
    }
}

/// The client every run uses: all three nodes as contact points, the default retry policy
/// and reconnection, speculative execution for idempotent statements.
fn config() -> ClusterConfig {
    ClusterConfig::builder()
        .contact_points(contact_points())
        .speculative_execution(SpeculativeExecution {
            delay: Duration::from_millis(200),
            max_attempts: 2,
        })
        .build()
        .unwrap()
}

/// Creates the RF 3 keyspace and an empty table `name`.
async fn fresh_table(session: &Session, name: &str, columns: &str) {
    for stmt in [
        format!("CREATE KEYSPACE IF NOT EXISTS {KS} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 3}}"),
        format!("DROP TABLE IF EXISTS {KS}.{name}"),
        format!("CREATE TABLE {KS}.{name} ({columns})"),
    ] {
        session.execute(stmt.as_str(), ()).await.unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    session.wait_for_schema_agreement().await.unwrap();
}

/// Host events seen by the session, with the time each arrived.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<(Instant, HostEvent)>>>);

impl Events {
    /// The first event about the victim of the given direction after `since`.
    fn victim(&self, down: bool, since: Instant) -> Option<Instant> {
        let ip = node_ip(VICTIM);
        self.0
            .lock()
            .unwrap()
            .iter()
            .find(|(at, e)| {
                *at >= since
                    && match e {
                        HostEvent::Down(h) => down && h.address.ip().to_string() == ip,
                        HostEvent::Up(h) => !down && h.address.ip().to_string() == ip,
                        _ => false,
                    }
            })
            .map(|(at, _)| *at)
    }

    async fn wait_victim(&self, down: bool, since: Instant, within: Duration) -> Option<Instant> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(at) = self.victim(down, since) {
                return Some(at);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What a write run observed.
#[derive(Default)]
struct Outcome {
    acked: Vec<i32>,
    errors: BTreeMap<String, Vec<String>>,
}

/// Writes keys `0..n` with `insert`, `in_flight` at a time. The first 70 % are paced over
/// `pace` (so that the fault happens among them); the rest wait for `release` (the fault is
/// over) and then go as fast as they can. `done` counts completed writes.
async fn write_load(
    session: Arc<Session>,
    insert: Arc<Prepared>,
    n: usize,
    in_flight: usize,
    pace: Duration,
    release: Arc<tokio::sync::Notify>,
    done: Arc<AtomicUsize>,
) -> Outcome {
    let start = tokio::time::Instant::now();
    let paced = n * 7 / 10;
    let results = futures::stream::iter(0..n)
        .then(|i| {
            let release = release.clone();
            async move {
                if i < paced {
                    tokio::time::sleep_until(start + pace.mul_f64(i as f64 / paced as f64)).await;
                } else if i == paced {
                    release.notified().await;
                }
                i
            }
        })
        .map(|i| {
            let (session, insert, done) = (session.clone(), insert.clone(), done.clone());
            async move {
                let k = i as i32;
                let r = session
                    .execute_prepared(&insert, vec![Value::Int(k), Value::Int(k)])
                    .await;
                done.fetch_add(1, Ordering::Relaxed);
                (k, r)
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await;
    let mut outcome = Outcome::default();
    for (k, r) in results {
        match r {
            Ok(_) => outcome.acked.push(k),
            Err(e) => outcome
                .errors
                .entry(format!("{:?}", e.kind()))
                .or_default()
                .push(format!("key {k}: {e}")),
        }
    }
    outcome
}

/// `cql` prepared as an idempotent statement at QUORUM.
async fn idempotent_quorum(session: &Session, cql: String) -> Arc<Prepared> {
    let statement = Statement::new(cql)
        .with_consistency(Consistency::Quorum)
        .with_idempotent(true);
    Arc::new(session.prepare(statement).await.unwrap())
}

/// Reads every acknowledged key back at QUORUM; returns the keys missing or wrong.
async fn lost_writes(session: &Arc<Session>, table: &str, acked: &[i32]) -> Vec<String> {
    let read = idempotent_quorum(session, format!("SELECT v FROM {KS}.{table} WHERE k = ?")).await;
    futures::stream::iter(acked.iter().copied())
        .map(|k| {
            let (session, read) = (session.clone(), read.clone());
            async move {
                match session.execute_prepared(&read, vec![Value::Int(k)]).await {
                    Ok(rs) if rs.rows == vec![vec![Value::Int(k)]] => None,
                    Ok(rs) => Some(format!("key {k}: read {:?}", rs.rows)),
                    Err(e) => Some(format!("key {k}: {e}")),
                }
            }
        })
        .buffer_unordered(128)
        .filter_map(|x| async move { x })
        .collect()
        .await
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fault {
    /// SIGKILL, then a restart.
    Kill,
    /// SIGSTOP, then SIGCONT.
    Pause,
}

/// One failover run: the load, the fault in the middle of it, the read-back, the figures.
async fn failover_run(fault: Fault) {
    let n = env_count("CQLB_FAILOVER_WRITES", 5000);
    let in_flight = env_count("CQLB_FAILOVER_IN_FLIGHT", 128);
    let pace =
        Duration::from_secs(env_count("CQLB_FAILOVER_PACE_S", (n / 250).clamp(20, 90)) as u64);
    let table = format!("{fault:?}").to_lowercase();
    let session = Arc::new(Session::connect(&config()).await.unwrap());
    fresh_table(&session, &table, "k int PRIMARY KEY, v int").await;
    let events = Events::default();
    let sink = events.clone();
    let _watch = session
        .watch_hosts(Duration::from_millis(100), move |e| {
            sink.0.lock().unwrap().push((Instant::now(), e))
        })
        .unwrap();
    let insert = idempotent_quorum(
        &session,
        format!("INSERT INTO {KS}.{table} (k, v) VALUES (?, ?)"),
    )
    .await;
    let metrics_before = session.metrics();
    let (release, done) = (
        Arc::new(tokio::sync::Notify::new()),
        Arc::new(AtomicUsize::new(0)),
    );
    let started = Instant::now();
    let load = tokio::spawn(write_load(
        session.clone(),
        insert,
        n,
        in_flight,
        pace,
        release.clone(),
        done.clone(),
    ));
    let _heal = Heal;
    let until = |fraction: f64| {
        let done = done.clone();
        async move {
            while (done.load(Ordering::Relaxed) as f64) < fraction * n as f64 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };

    until(0.2).await;
    let fault_at = Instant::now();
    let mut figures = Vec::new();
    match fault {
        Fault::Kill => {
            on_victim("kill").await;
            let down = events
                .wait_victim(true, fault_at, Duration::from_secs(30))
                .await;
            let down =
                down.unwrap_or_else(|| panic!("node {VICTIM} not reported down within 30 s"));
            figures.push(format!("down event {:?} after SIGKILL", down - fault_at));
            until(0.35).await;
            // The node is back when its CQL port accepts connections again.
            let restart = Instant::now();
            let port_open = tokio::task::spawn_blocking(|| {
                let addr = format!("{}:9042", node_ip(VICTIM)).parse().unwrap();
                loop {
                    if std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                        return Instant::now();
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            on_victim("start").await;
            let back = port_open.await.unwrap();
            figures.push(format!(
                "node {VICTIM} down for {:?}, its CQL port open {:?} after the restart began",
                restart - fault_at,
                back - restart
            ));
            let up = events
                .wait_victim(false, fault_at, Duration::from_secs(60))
                .await;
            let up = up.unwrap_or_else(|| panic!("node {VICTIM} not reported up again"));
            let after = up.saturating_duration_since(back);
            figures.push(format!("up event {after:?} after the port opened"));
            assert!(
                after <= Duration::from_secs(30),
                "reconnected {after:?} after the return"
            );
        }
        Fault::Pause => {
            on_victim("pause").await;
            let hold = Duration::from_secs(env_count("CQLB_FAILOVER_PAUSE_S", 10) as u64);
            tokio::time::sleep(hold).await;
            on_victim("resume").await;
            let resumed = Instant::now();
            figures.push(format!("node {VICTIM} paused for {hold:?}"));
            let down = events.victim(true, fault_at);
            figures.push(format!(
                "down event during the pause: {}",
                down.map_or("none (its connections stayed open)".into(), |d| format!(
                    "{:?} after SIGSTOP",
                    d - fault_at
                ))
            ));
            if let Some(down) = down {
                let up = events
                    .wait_victim(false, down, Duration::from_secs(30))
                    .await
                    .expect("node 3 reported down during the pause, and up within 30 s of SIGCONT");
                figures.push(format!(
                    "up event {:?} after SIGCONT",
                    up.saturating_duration_since(resumed)
                ));
            }
        }
    }
    // The fault is over: the last 30 % of the writes go now.
    let release_at = Instant::now();
    release.notify_one();
    let outcome = load.await.unwrap();
    let writing = started.elapsed();
    let metrics = session.metrics();
    let lost = lost_writes(&session, &table, &outcome.acked).await;

    // Requests reached the victim again after its return.
    session
        .execute(
            Statement::new(format!("SELECT count(*) FROM {KS}.{table}"))
                .with_consistency(Consistency::All),
            (),
        )
        .await
        .expect("a read at ALL needs node 3 back");
    let report = format!(
        "failover ({fault:?}): {n} writes, {in_flight} in flight, in {writing:.1?} ({:.0}/s); acked {}, \
         errors {:?}; retries {}, speculative executions {}, client timeouts {}; read back at QUORUM: \
         {} lost; last 30% released {:?} after the fault began; {}",
        n as f64 / writing.as_secs_f64(),
        outcome.acked.len(),
        outcome.errors.iter().map(|(k, v)| (k.clone(), v.len())).collect::<BTreeMap<_, _>>(),
        metrics.retries - metrics_before.retries,
        metrics.speculative_executions - metrics_before.speculative_executions,
        metrics.request_timeouts - metrics_before.request_timeouts,
        lost.len(),
        release_at - fault_at,
        figures.join("; "),
    );
    eprintln!("{report}");
    assert!(
        lost.is_empty(),
        "acknowledged writes lost: {:?}",
        &lost[..lost.len().min(20)]
    );
    assert!(
        outcome.errors.is_empty(),
        "errors reached the application: {:?}",
        outcome
            .errors
            .iter()
            .map(|(k, v)| (k, v.len(), &v[..v.len().min(3)]))
            .collect::<Vec<_>>()
    );
    assert_eq!(outcome.acked.len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_quorum_writes_survive_a_killed_and_restarted_node() {
    failover_run(Fault::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_quorum_writes_survive_a_paused_and_resumed_node() {
    failover_run(Fault::Pause).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_idempotent_write_whose_coordinator_dies_is_an_error_not_a_retry() {
    let session = Arc::new(Session::connect(&config()).await.unwrap());
    fresh_table(&session, "hits", "k int PRIMARY KEY, n counter").await;
    // Counter increments are not idempotent: a retry would count twice.
    let bump = Arc::new(
        session
            .prepare(
                Statement::new(format!("UPDATE {KS}.hits SET n = n + 1 WHERE k = ?"))
                    .with_consistency(Consistency::Quorum),
            )
            .await
            .unwrap(),
    );
    assert!(
        !bump.driver_statement().get_is_idempotent(),
        "not idempotent unless marked"
    );
    let _heal = Heal;
    let retries_before = session.metrics().retries;
    // With node 3 paused, the increments it coordinates wait on its open connection …
    on_victim("pause").await;
    let writes: Vec<_> = (0..60)
        .map(|k| {
            let (session, bump) = (session.clone(), bump.clone());
            tokio::spawn(async move {
                (
                    k,
                    session.execute_prepared(&bump, vec![Value::Int(k)]).await,
                )
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    // … and it dies with them in flight.
    on_victim("kill").await;
    let mut failed = Vec::new();
    for w in writes {
        let (k, r) = tokio::time::timeout(Duration::from_secs(30), w)
            .await
            .expect("every write completes")
            .unwrap();
        if let Err(e) = r {
            failed.push((k, e));
        }
    }
    let kinds: Vec<ErrorKind> = failed.iter().map(|(_, e)| e.kind()).collect();
    eprintln!(
        "non-idempotent writes: 60 sent, {} reported failed: {kinds:?}",
        failed.len()
    );
    // Increments coordinated by node 3 lose their connection; those another coordinator led
    // through node 3 (a counter write's leader replica) time out on the server. Both are
    // reported; neither is retried.
    assert!(
        kinds.contains(&ErrorKind::ConnectionError),
        "some increments were coordinated by node 3: they fail with its connection: {kinds:?}"
    );
    for (k, e) in &failed {
        assert!(
            matches!(
                e.kind(),
                ErrorKind::ConnectionError | ErrorKind::WriteTimeout
            ),
            "key {k}: {e} ({:?})",
            e.kind()
        );
    }
    assert_eq!(
        session.metrics().retries,
        retries_before,
        "nothing was retried"
    );
    // Not retried elsewhere: a failed increment was never applied, a reported one exactly once.
    on_victim("start").await;
    let read = session
        .prepare(
            Statement::new(format!("SELECT n FROM {KS}.hits WHERE k = ?"))
                .with_consistency(Consistency::All),
        )
        .await
        .unwrap();
    for k in 0..60 {
        let rs = session
            .execute_prepared(&read, vec![Value::Int(k)])
            .await
            .unwrap();
        let expected = if failed.iter().any(|(f, _)| *f == k) {
            vec![]
        } else {
            vec![vec![Value::Counter(1)]]
        };
        assert_eq!(rs.rows, expected, "key {k}");
    }
}
