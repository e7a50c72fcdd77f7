//! The seed walkthrough (shared/notes/walkthrough.md), steps 1 to 6, in Rust over
//! cqlbridge-core, against a real local node (`CQLB_CONTACT_POINTS`, default 127.0.0.1).

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cqlbridge_core::{ClusterConfig, Consistency, Result, Session, Statement, Value};
use tokio::task::JoinSet;
use uuid::Uuid;

const SENSORS: usize = 10;
const READINGS_PER_SENSOR: i64 = 5;

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    // 1. Connect: contact points and options; the rest of the cluster is discovered.
    let contact_points =
        std::env::var("CQLB_CONTACT_POINTS").unwrap_or_else(|_| "127.0.0.1".into());
    let config = ClusterConfig::builder()
        .contact_points(contact_points.split(','))
        .consistency(Consistency::LocalOne)
        .build()?;
    let session = Arc::new(Session::connect(&config).await?);
    let local = session
        .execute("SELECT cluster_name, release_version FROM system.local", ())
        .await?;
    let peers = session.execute("SELECT peer FROM system.peers", ()).await?;
    println!(
        "1. connected to cluster {}, Cassandra {}, {} node(s)",
        local.rows[0][0],
        local.rows[0][1],
        1 + peers.rows.len()
    );

    // 2. Execute plain CQL strings: schema, then a write and a read (not token-aware).
    session
        .execute(
            "CREATE KEYSPACE IF NOT EXISTS walkthrough WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            (),
        )
        .await?;
    session.use_keyspace("walkthrough").await?;
    session
        .execute("CREATE TABLE IF NOT EXISTS sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)", ())
        .await?;
    session
        .execute(
            "CREATE TABLE IF NOT EXISTS sensor_data (sensor_id uuid, created_at timestamp, reading double,
               PRIMARY KEY (sensor_id, created_at)) WITH CLUSTERING ORDER BY (created_at DESC)",
            (),
        )
        .await?;
    session.execute("TRUNCATE sensor", ()).await?;
    session.execute("TRUNCATE sensor_data", ()).await?;
    println!("2. keyspace 'walkthrough' with tables sensor and sensor_data is ready");

    // 3. Prepare what runs more than once: less server work, no injection, token-aware.
    let insert_sensor = Arc::new(
        session
            .prepare("INSERT INTO sensor (sensor_id, name, created_at) VALUES (?, ?, ?)")
            .await?,
    );
    let insert_reading = Arc::new(
        session
            .prepare("INSERT INTO sensor_data (sensor_id, created_at, reading) VALUES (?, ?, ?)")
            .await?,
    );
    println!(
        "3. prepared {:?} with markers {:?}",
        insert_sensor.cql(),
        insert_sensor
            .params()
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
    );

    // 4. Async with callbacks: start all inserts, then react to each completion with the
    //    response and the sensor id it was for.
    let mut inserts = JoinSet::new();
    let mut sensor_ids = Vec::new();
    for n in 0..SENSORS {
        let id = Uuid::new_v4();
        sensor_ids.push(id);
        let (session, stmt) = (session.clone(), insert_sensor.clone());
        inserts.spawn(async move {
            let values = vec![
                Value::Uuid(id),
                Value::from(format!("sensor {n}")),
                Value::Timestamp(now_millis()),
            ];
            (id, session.execute_prepared(&stmt, values).await)
        });
    }
    let mut stored = 0;
    while let Some(joined) = inserts.join_next().await {
        let (id, response) = joined.expect("insert task");
        match response {
            Ok(_) => stored += 1,
            Err(e) => eprintln!("   sensor {id} failed: {e}"),
        }
    }
    println!(
        "4. {stored} of {SENSORS} sensors inserted asynchronously, each acknowledged with its id"
    );
    for (i, id) in sensor_ids.iter().enumerate() {
        for r in 0..READINGS_PER_SENSOR {
            let values = vec![
                Value::Uuid(*id),
                Value::Timestamp(1_700_000_000_000 + r * 1000),
                Value::Double(20.0 + i as f64 + r as f64 / 10.0),
            ];
            session.execute_prepared(&insert_reading, values).await?;
        }
    }

    // 5. Managed concurrency: the latest reading of every sensor, single-partition queries
    //    run concurrently (at most 4 in flight), results in input order.
    let latest = Arc::new(
        session
            .prepare(Statement::new(
                "SELECT * FROM sensor_data WHERE sensor_id = ? ORDER BY created_at DESC LIMIT 1",
            ))
            .await?,
    );
    let started = Instant::now();
    let mut results = vec![None; sensor_ids.len()];
    let limit = Arc::new(tokio::sync::Semaphore::new(4));
    let mut queries = JoinSet::new();
    for (i, id) in sensor_ids.iter().copied().enumerate() {
        let (session, stmt, limit) = (session.clone(), latest.clone(), limit.clone());
        queries.spawn(async move {
            let _slot = limit.acquire_owned().await.expect("semaphore open");
            (
                i,
                session.execute_prepared(&stmt, vec![Value::Uuid(id)]).await,
            )
        });
    }
    while let Some(joined) = queries.join_next().await {
        let (i, rs) = joined.expect("query task");
        results[i] = Some(rs?);
    }
    let readings: Vec<String> = results
        .iter()
        .flatten()
        .filter_map(|rs| rs.get(0, "reading"))
        .map(ToString::to_string)
        .collect();
    println!(
        "5. latest reading of {} sensors in {:?}: {}",
        readings.len(),
        started.elapsed(),
        readings.join(", ")
    );

    // 6. Shown, not told: one multi-partition IN query versus concurrent single-partition
    //    queries. The IN query makes one coordinator gather every partition; a failure of
    //    any replica fails (and retries) all of it.
    let ids: Vec<Value> = sensor_ids.iter().map(|id| Value::Uuid(*id)).collect();
    let started = Instant::now();
    let in_query = session
        .execute(
            "SELECT sensor_id, created_at, reading FROM sensor_data WHERE sensor_id IN ?",
            vec![Value::List(ids)],
        )
        .await?;
    println!(
        "6. one IN query over {} partitions returned {} rows in {:?}, all gathered by a single coordinator; \
         the single-partition queries of step 5 are routed by their key and fail or retry one by one",
        sensor_ids.len(),
        in_query.rows.len(),
        started.elapsed()
    );
    println!("done: steps 1-6 of the walkthrough ran against a real node");
    Ok(())
}
