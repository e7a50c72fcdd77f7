//! Behaviours that need the harness's 3-node cluster (`tests/cluster/cluster up --nodes 3`;
//! `make test` runs this phase): discovery, token-aware routing, metadata, host events.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::harness;
use cqlbridge_core::{
    runtime, ClusterConfig, ColumnKind, CqlType, HostEvent, LoadBalancing, Replication, Session,
    Statement, Value,
};

const KS: &str = "cqlb_it_cluster3";

fn config() -> ClusterConfig {
    // Only the first node as contact point: the others must be discovered.
    ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .build()
        .unwrap()
}

async fn setup(session: &Session) {
    for stmt in [
        &format!("CREATE KEYSPACE IF NOT EXISTS {KS} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}") as &str,
        &format!("CREATE TYPE IF NOT EXISTS {KS}.point (x double, y double)"),
        &format!("CREATE TABLE IF NOT EXISTS {KS}.kv (k int PRIMARY KEY, v text, s frozen<point>)"),
        &format!("CREATE TABLE IF NOT EXISTS {KS}.events (day date, at timestamp, kind text static, what text, PRIMARY KEY (day, at))"),
        &format!("CREATE INDEX IF NOT EXISTS kv_v ON {KS}.kv (v)"),
        &format!("CREATE MATERIALIZED VIEW IF NOT EXISTS {KS}.kv_by_v AS SELECT k, v FROM {KS}.kv WHERE v IS NOT NULL AND k IS NOT NULL PRIMARY KEY (v, k)"),
    ] {
        session.execute(stmt, ()).await.unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    session.wait_for_schema_agreement().await.unwrap();
    session.refresh_metadata().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_every_node_and_describes_the_schema() {
    let session = Session::connect(&config()).await.unwrap();
    setup(&session).await;
    let hosts = session.hosts();
    let mut addresses: Vec<String> = hosts.iter().map(|h| h.address.ip().to_string()).collect();
    addresses.sort();
    assert_eq!(addresses, ["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    assert!(
        hosts
            .iter()
            .all(|h| h.datacenter.as_deref() == Some("datacenter1")),
        "{hosts:?}"
    );
    let ring = session.token_ring();
    assert_eq!(
        ring.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        [i64::MIN, -3074457345618258603, 3074457345618258602]
    );

    let ks = session.keyspace_metadata(KS).expect("keyspace metadata");
    assert_eq!(
        ks.replication,
        Replication::Simple {
            replication_factor: 1
        }
    );
    let events = &ks.tables["events"];
    assert_eq!(events.partition_key, ["day"]);
    assert_eq!(events.clustering_key, ["at"]);
    assert_eq!(events.columns["kind"].kind, ColumnKind::Static);
    assert_eq!(events.columns["day"].typ, CqlType::Date);
    assert_eq!(
        ks.user_types["point"],
        vec![
            ("x".to_owned(), CqlType::Double),
            ("y".to_owned(), CqlType::Double)
        ]
    );
    assert_eq!(ks.views["kv_by_v"].base_table, "kv");
    assert_eq!(ks.views["kv_by_v"].table.partition_key, ["v"]);
    let indexes = session.indexes(KS).await.unwrap();
    assert!(
        indexes.iter().any(|i| i.name == "kv_v"
            && i.table == "kv"
            && i.options.get("target").map(String::as_str) == Some("v")),
        "{indexes:?}"
    );
    assert!(session.keyspace_names().contains(&KS.to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_requests_go_to_a_replica_of_their_key() {
    let session = Session::connect(&config()).await.unwrap();
    setup(&session).await;
    let insert = session
        .prepare(format!("INSERT INTO {KS}.kv (k, v) VALUES (?, ?)"))
        .await
        .unwrap();
    let mut coordinators = std::collections::HashSet::new();
    for k in 0..60 {
        let rs = session
            .execute_prepared(&insert, vec![Value::Int(k), Value::from("x")])
            .await
            .unwrap();
        let replicas = session.replicas(KS, "kv", &[Value::Int(k)]).unwrap();
        assert_eq!(replicas.len(), 1, "RF 1");
        let coordinator = rs.coordinator.expect("coordinator");
        assert_eq!(
            coordinator.ip(),
            replicas[0].address.ip(),
            "key {k} went to its replica"
        );
        coordinators.insert(coordinator.ip());
    }
    assert_eq!(coordinators.len(), 3, "60 keys spread over the 3 nodes");
    // A statement aimed at one node goes there, whatever its key.
    let pinned =
        Statement::new(format!("SELECT * FROM {KS}.kv WHERE k = 1")).with_host("127.0.0.2");
    let rs = session.execute(pinned, ()).await.unwrap();
    assert_eq!(rs.coordinator.unwrap().ip().to_string(), "127.0.0.2");
    // Round-robin without token awareness also works (any coordinator).
    let rr = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .load_balancing(LoadBalancing::RoundRobin { token_aware: false })
        .build()
        .unwrap();
    let session = Session::connect(&rr).await.unwrap();
    let rs = session
        .execute(format!("SELECT k FROM {KS}.kv WHERE k = 5"), ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![Value::Int(5)]]);
}

#[test]
fn a_killed_node_is_reported_down_and_up_again_after_its_restart() {
    // A constant reconnection delay: the restarted node is retried every 500 ms.
    let config = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .reconnection(cqlbridge_core::Reconnection::Constant {
            delay: Duration::from_millis(500),
        })
        .build()
        .unwrap();
    let session = Arc::new(
        runtime::block_on(async move { Session::connect(&config).await })
            .unwrap()
            .unwrap(),
    );
    let events = Arc::new(Mutex::new(Vec::<(Instant, HostEvent)>::new()));
    let sink = events.clone();
    let _watch = session
        .watch_hosts(Duration::from_millis(100), move |e| {
            sink.lock().unwrap().push((Instant::now(), e))
        })
        .unwrap();
    let is_node3 = |e: &HostEvent, down: bool| match e {
        HostEvent::Down(h) if down => h.address.ip().to_string() == "127.0.0.3",
        HostEvent::Up(h) if !down => h.address.ip().to_string() == "127.0.0.3",
        _ => false,
    };
    let wait_for = |down: bool, within: Duration| -> Option<Instant> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some((at, _)) = events
                .lock()
                .unwrap()
                .iter()
                .find(|(_, e)| is_node3(e, down))
            {
                return Some(*at);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    };
    harness(&["kill", "3"]);
    assert!(
        wait_for(true, Duration::from_secs(30)).is_some(),
        "node 3 reported down: {:?}",
        events.lock().unwrap()
    );
    // Requests keep working on the remaining nodes (keys owned by live nodes).
    harness(&["start", "3"]);
    let back = Instant::now();
    let up = wait_for(false, Duration::from_secs(30));
    assert!(
        up.is_some(),
        "node 3 reported up within 30 s of its return: {:?}",
        events.lock().unwrap()
    );
    assert!(
        session.hosts().iter().all(|h| h.up),
        "{:?}",
        session.hosts()
    );
    eprintln!(
        "node 3 seen up {:?} after its restart returned",
        up.unwrap().saturating_duration_since(back)
    );
    // Leave the cluster as found: the restarted node agrees on the schema again.
    let s = session.clone();
    runtime::block_on(async move { s.wait_for_schema_agreement().await })
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_filter_and_a_local_datacenter_decide_where_requests_go() {
    let session = Session::connect(&config()).await.unwrap();
    setup(&session).await;
    let filtered = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .allowed_hosts(["127.0.0.1:9042", "127.0.0.2:9042"])
        .load_balancing(LoadBalancing::RoundRobin { token_aware: false })
        .build()
        .unwrap();
    let session = Session::connect(&filtered).await.unwrap();
    for k in 0..30 {
        let rs = session
            .execute(format!("SELECT k FROM {KS}.kv WHERE k = {k}"), ())
            .await
            .unwrap();
        assert_ne!(
            rs.coordinator.unwrap().ip().to_string(),
            "127.0.0.3",
            "node 3 is filtered out"
        );
    }
    let local = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .load_balancing(LoadBalancing::DcAware {
            local_dc: Some("datacenter1".into()),
            permit_remote_dc: false,
            token_aware: true,
        })
        .build()
        .unwrap();
    Session::connect(&local)
        .await
        .unwrap()
        .execute(format!("SELECT k FROM {KS}.kv WHERE k = 1"), ())
        .await
        .unwrap();
}

/// Runs a harness command when dropped (`resume 2`, `start 3`), so that a failing test
/// leaves no node paused or stopped.
struct OnDrop(&'static str, &'static str);

impl Drop for OnDrop {
    fn drop(&mut self) {
        harness(&[self.0, self.1]);
    }
}

/// A session, after creating keyspace `ks` (RF 3) with a table `kv (k int, v int)`.
async fn rf3_keyspace(ks: &str) -> Session {
    let admin = Session::connect(&config()).await.unwrap();
    for stmt in [
        format!("CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 3}}"),
        format!("CREATE TABLE IF NOT EXISTS {ks}.kv (k int PRIMARY KEY, v int)"),
    ] {
        admin.execute(stmt, ()).await.unwrap();
    }
    admin.wait_for_schema_agreement().await.unwrap();
    admin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speculative_execution_answers_idempotent_reads_around_a_paused_node() {
    let admin = rf3_keyspace("cqlb_it_spec").await;
    let insert = admin
        .prepare(
            Statement::new("INSERT INTO cqlb_it_spec.kv (k, v) VALUES (?, ?)")
                .with_consistency(cqlbridge_core::Consistency::All),
        )
        .await
        .unwrap();
    for k in 0..30 {
        admin
            .execute_prepared(&insert, vec![Value::Int(k), Value::Int(k)])
            .await
            .unwrap();
    }
    let speculating = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .speculative_execution(cqlbridge_core::SpeculativeExecution {
            delay: Duration::from_millis(100),
            max_attempts: 2,
        })
        .request_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let session = Session::connect(&speculating).await.unwrap();
    let read = session
        .prepare(Statement::new("SELECT v FROM cqlb_it_spec.kv WHERE k = ?").with_idempotent(true))
        .await
        .unwrap();
    harness(&["pause", "2"]);
    let _resume = OnDrop("resume", "2");
    let started = Instant::now();
    for k in 0..30 {
        let rs = session
            .execute_prepared(&read, vec![Value::Int(k)])
            .await
            .unwrap();
        assert_eq!(rs.rows, vec![vec![Value::Int(k)]]);
    }
    let took = started.elapsed();
    let metrics = session.metrics();
    assert!(metrics.speculative_executions > 0, "{metrics:?}");
    assert!(
        took < Duration::from_secs(20),
        "30 reads took {took:?}: none waited for the paused node's timeout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_policies_decide_what_an_unavailable_replica_costs() {
    let admin = rf3_keyspace("cqlb_it_retry").await;
    admin
        .execute("INSERT INTO cqlb_it_retry.kv (k, v) VALUES (1, 1)", ())
        .await
        .unwrap();
    let profile = |retry| cqlbridge_core::ExecutionProfile {
        consistency: cqlbridge_core::Consistency::All,
        retry,
        ..Default::default()
    };
    let config = ClusterConfig::builder()
        .contact_point("127.0.0.1")
        .allowed_hosts(["127.0.0.1:9042", "127.0.0.2:9042"])
        .profile("fallthrough", profile(cqlbridge_core::Retry::Fallthrough))
        .profile(
            "downgrading",
            profile(cqlbridge_core::Retry::DowngradingConsistency),
        )
        .build()
        .unwrap();
    let session = Session::connect(&config).await.unwrap();
    harness(&["stop", "3"]);
    let _restart = OnDrop("start", "3");
    // The coordinators learn that node 3 left (it announces its shutdown by gossip).
    let read =
        |p: &str| Statement::new("SELECT v FROM cqlb_it_retry.kv WHERE k = 1").with_profile(p);
    let deadline = Instant::now() + Duration::from_secs(30);
    let err = loop {
        match session.execute(read("fallthrough"), ()).await {
            Err(e) => break e,
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Ok(_) => panic!("reads at ALL kept succeeding with node 3 stopped"),
        }
    };
    match err.server_error().map(|s| &s.kind) {
        Some(cqlbridge_core::ServerErrorKind::Unavailable {
            required, alive, ..
        }) => assert_eq!((*required, *alive), (3, 2)),
        other => panic!("expected Unavailable, got {other:?}: {err}"),
    }
    let retries_before = session.metrics().retries;
    let rs = session.execute(read("downgrading"), ()).await.unwrap();
    assert_eq!(
        rs.rows,
        vec![vec![Value::Int(1)]],
        "read at a lower consistency"
    );
    assert!(
        session.metrics().retries > retries_before,
        "the downgrade is a retry"
    );
}
