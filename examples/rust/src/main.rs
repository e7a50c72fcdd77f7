//! The seed walkthrough (shared/notes/walkthrough.md), steps 1 to 14, in Rust over
//! cqlbridge-core, against a real local node (`CQLB_CONTACT_POINTS`, default 127.0.0.1).

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cqlbridge_core::mapper::{
    render_create, Change, ClusteringOrder, ColumnDef, ColumnDefault, Filter, FilterOp, ModelBatch,
    ModelQuery, ModelSchema, Op, OptionValue, Polymorphism, WriteOptions,
};
use cqlbridge_core::{
    BatchType, ClusterConfig, Consistency, CqlType, Error, Result, Session, Statement, Value,
};
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
    models(&session).await?;
    println!("done: steps 1-14 of the walkthrough ran against a real node");
    Ok(())
}

fn col(name: &str, typ: CqlType) -> ColumnDef {
    ColumnDef::new(name, typ)
}

fn set_of(t: CqlType) -> CqlType {
    CqlType::Set {
        element: Box::new(t),
        frozen: false,
    }
}

fn values(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn by(column: &str, value: Value) -> ModelQuery {
    ModelQuery {
        filters: vec![Filter {
            column: column.into(),
            op: FilterOp::Eq,
            value,
        }],
        ..Default::default()
    }
}

/// Steps 7 to 14: models, keys, inserting, LWT, batches, fetching, table options,
/// inheritance and polymorphism, through core's mapper.
async fn models(session: &Session) -> Result<()> {
    let none = WriteOptions::default();
    // 7. Models: fields declared in code, collections as Vec/sets/maps, tables managed.
    let message = ModelSchema::new("Message")
        .column(
            col("message_id", CqlType::Timeuuid)
                .partition_key()
                .default(ColumnDefault::TimeUuid),
        )
        .column(col("subject", CqlType::Text))
        .column(col("body", CqlType::Text))
        .column(col("addressed_to", set_of(CqlType::Uuid)));
    let photo = ModelSchema::new("Photo")
        .column(
            col("photo_id", CqlType::Uuid)
                .partition_key()
                .default(ColumnDefault::Uuid4),
        )
        .column(col("title", CqlType::Text))
        .column(col(
            "likes",
            CqlType::Map {
                key: Box::new(CqlType::Uuid),
                value: Box::new(CqlType::Text),
                frozen: false,
            },
        ));
    // 8. Clustering keys: the first key is the partition key, the rest cluster.
    let users_in_group = ModelSchema::new("UsersInGroup")
        .column(col("group_id", CqlType::Uuid))
        .column(col("user_id", CqlType::Uuid))
        .column(col("is_admin", CqlType::Boolean))
        .with_primary_keys(&["group_id", "user_id"], &[])?;
    let by_state = ModelSchema::new("UsersInGroupByState")
        .column(col("group_id", CqlType::Uuid))
        .column(col("state", CqlType::Text))
        .column(col("user_id", CqlType::Uuid))
        .column(
            col("is_admin", CqlType::Boolean).default(ColumnDefault::Value(Value::Boolean(false))),
        )
        .with_primary_keys(&["group_id", "state", "user_id"], &["group_id", "state"])?;
    for m in [&message, &photo, &users_in_group, &by_state] {
        session.sync_table(m).await?;
    }
    println!("7-8. tables message, photo, users_in_group, users_in_group_by_state synced from their models");

    // 9. Inserting: validation, defaults, TTL.
    let mut subject = col("subject", CqlType::Text);
    subject.max_length = Some(10);
    let strict = ModelSchema {
        columns: vec![message.columns[0].clone(), subject],
        ..message.clone()
    };
    let err = session
        .model_create(
            &strict,
            &values(&[("subject", "far too long a subject".into())]),
            &none,
        )
        .await;
    println!(
        "9. a subject over 10 characters is refused before sending: {}",
        err.err().map(|e| e.to_string()).unwrap_or_default()
    );
    let m = session
        .model_create(
            &message,
            &values(&[
                ("subject", "hello".into()),
                (
                    "addressed_to",
                    Value::Set(vec![Value::Uuid(Uuid::new_v4())]),
                ),
            ]),
            &WriteOptions {
                ttl: Some(86_400),
                ..none.clone()
            },
        )
        .await?;
    println!(
        "   message {} stored for a day",
        m.get("message_id")
            .map(ToString::to_string)
            .unwrap_or_default()
    );

    // 10. Lightweight transactions.
    let pid = Value::Uuid(Uuid::new_v4());
    let only_new = WriteOptions {
        if_not_exists: true,
        ..none.clone()
    };
    session
        .model_create(
            &photo,
            &values(&[("photo_id", pid.clone()), ("title", "sunset".into())]),
            &only_new,
        )
        .await?;
    match session
        .model_create(
            &photo,
            &values(&[("photo_id", pid.clone()), ("title", "again".into())]),
            &only_new,
        )
        .await
    {
        Err(Error::LwtFailed { existing }) => {
            let row: Vec<String> = existing.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            println!(
                "10. IF NOT EXISTS refused a second insert; the existing row: {}",
                row.join(", ")
            )
        }
        other => println!("10. unexpected: {other:?}"),
    }
    let iff = WriteOptions {
        conditions: vec![("title".into(), Op::Eq, "sunset".into())],
        ..none.clone()
    };
    session
        .model_update(
            &photo,
            &values(&[("photo_id", pid.clone())]),
            &[("title".into(), Change::Set("sunrise".into()))],
            &iff,
        )
        .await?;
    println!("    IF title = 'sunset' applied the update");

    // 11. Batches keep a table and its lookup view consistent.
    let user = ModelSchema::new("User")
        .column(col("name", CqlType::Text).partition_key())
        .column(col("twitter", CqlType::Text))
        .column(col("email", CqlType::Text));
    let twitter_to_user = ModelSchema::new("TwitterToUser")
        .column(col("twitter", CqlType::Text).partition_key())
        .column(col("name", CqlType::Text));
    session.sync_table(&user).await?;
    session.sync_table(&twitter_to_user).await?;
    let mut batch = ModelBatch::new(BatchType::Logged);
    batch.add(
        render_create(
            &user,
            &values(&[
                ("name", "ada".into()),
                ("twitter", "@ada".into()),
                ("email", "ada@example.org".into()),
            ]),
            &none,
        )?
        .0,
    );
    batch.add(
        render_create(
            &twitter_to_user,
            &values(&[("twitter", "@ada".into()), ("name", "ada".into())]),
            &none,
        )?
        .0,
    );
    batch.execute(session).await?;
    println!("11. user 'ada' and twitter '@ada' written in one logged batch");

    // 12. Fetching: get raises DoesNotExist; filters.
    let found = session
        .model_get(&twitter_to_user, &by("twitter", "@ada".into()))
        .await?;
    println!(
        "12. @ada is {}",
        found
            .get("name")
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    if let Err(e) = session
        .model_get(&twitter_to_user, &by("twitter", "@nobody".into()))
        .await
    {
        println!("    @nobody: {e}");
    }

    // 13. Table properties.
    let tuned = ModelSchema::new("Tuned")
        .column(col("id", CqlType::Int).partition_key())
        .option("gc_grace_seconds", OptionValue::Int(86_400))
        .option(
            "compaction",
            OptionValue::Map([("class".to_owned(), "LeveledCompactionStrategy".to_owned())].into()),
        )
        .option(
            "caching",
            OptionValue::Map(
                [
                    ("keys".to_owned(), "ALL".to_owned()),
                    ("rows_per_partition".to_owned(), "NONE".to_owned()),
                ]
                .into(),
            ),
        )
        .option("read_repair", OptionValue::Text("BLOCKING".into()));
    let report = session.sync_table(&tuned).await?;
    println!(
        "13. table tuned with compaction, gc_grace_seconds, caching, read_repair (created: {})",
        report.created
    );

    // 14. Inheritance (a table per concrete model) and polymorphism (one table, a discriminator).
    let base = ModelSchema::new("Pet")
        .column(col("owner", CqlType::Text).partition_key())
        .column(col("name", CqlType::Text).clustering(ClusteringOrder::Asc))
        .column(ColumnDef {
            discriminator: true,
            ..col("kind", CqlType::Text)
        });
    let subtypes = vec![
        (Value::from("cat"), "Cat".to_owned()),
        (Value::from("dog"), "Dog".to_owned()),
    ];
    let poly = |v: Option<&str>| {
        Some(Polymorphism {
            column: "kind".into(),
            value: v.map(Value::from),
            subtypes: subtypes.clone(),
        })
    };
    let pet = ModelSchema {
        polymorphism: poly(None),
        ..base.clone()
    };
    let cat = ModelSchema {
        name: "Cat".into(),
        polymorphism: poly(Some("cat")),
        ..base.clone().column(col("lives", CqlType::Int))
    };
    let dog = ModelSchema {
        name: "Dog".into(),
        polymorphism: poly(Some("dog")),
        ..base.clone().column(col("good", CqlType::Boolean))
    };
    for m in [&pet, &cat, &dog] {
        session.sync_table(m).await?;
    }
    session
        .model_create(
            &cat,
            &values(&[
                ("owner", "ann".into()),
                ("name", "tom".into()),
                ("lives", Value::Int(9)),
            ]),
            &none,
        )
        .await?;
    session
        .model_create(
            &dog,
            &values(&[
                ("owner", "ann".into()),
                ("name", "rex".into()),
                ("good", Value::Boolean(true)),
            ]),
            &none,
        )
        .await?;
    let pets = session
        .model_select(&pet, &by("owner", "ann".into()))
        .await?;
    let kinds: Vec<String> = pets
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.model,
                p.get("name").map(ToString::to_string).unwrap_or_default()
            )
        })
        .collect();
    println!(
        "14. querying Pet returns each subtype: {}",
        kinds.join(", ")
    );
    let car = ModelSchema::inherit(
        &ModelSchema::new("Vehicle").column(
            col("id", CqlType::Uuid)
                .partition_key()
                .default(ColumnDefault::Uuid4),
        ),
        "Car",
    )
    .column(col("doors", CqlType::TinyInt));
    session.sync_table(&car).await?;
    session
        .model_create(&car, &values(&[("doors", Value::Int(4))]), &none)
        .await?;
    println!("    Car inherits Vehicle's columns in its own table");
    Ok(())
}
