//! The object mapper against the real node: the walkthrough's models, management, DML,
//! queries, LWT, TTL, batches, polymorphism, and values that look like CQL.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cqlbridge_core::mapper::{
    Change, ClusteringOrder, ColumnDef, ColumnDefault, Filter, FilterOp, ModelBatch, ModelQuery,
    ModelSchema, Op, OptionValue, Polymorphism, WriteOptions,
};
use cqlbridge_core::{BatchType, CqlType, Error, ErrorKind, Session, Value};
use uuid::Uuid;

const KS: &str = "cqlb_it_mapper";

async fn session() -> Session {
    common::session_with(KS, &[]).await
}

fn set(t: CqlType) -> CqlType {
    CqlType::Set {
        element: Box::new(t),
        frozen: false,
    }
}

fn map(k: CqlType, v: CqlType) -> CqlType {
    CqlType::Map {
        key: Box::new(k),
        value: Box::new(v),
        frozen: false,
    }
}

fn vals(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn eq(column: &str, value: Value) -> Filter {
    Filter {
        column: column.into(),
        op: FilterOp::Eq,
        value,
    }
}

fn query(filters: Vec<Filter>) -> ModelQuery {
    ModelQuery {
        filters,
        ..Default::default()
    }
}

fn message() -> ModelSchema {
    ModelSchema::new("Message")
        .column(
            ColumnDef::new("message_id", CqlType::Timeuuid)
                .partition_key()
                .default(ColumnDefault::TimeUuid),
        )
        .column(ColumnDef::new("subject", CqlType::Text))
        .column(ColumnDef::new("body", CqlType::Text))
        .column(ColumnDef::new("addressed_to", set(CqlType::Uuid)))
}

fn photo() -> ModelSchema {
    ModelSchema::new("Photo")
        .column(
            ColumnDef::new("photo_id", CqlType::Uuid)
                .partition_key()
                .default(ColumnDefault::Uuid4),
        )
        .column(ColumnDef::new("title", CqlType::Text))
        .column(ColumnDef::new("likes", map(CqlType::Uuid, CqlType::Text)))
}

fn users_in_group() -> ModelSchema {
    ModelSchema::new("UsersInGroup")
        .column(ColumnDef::new("group_id", CqlType::Uuid))
        .column(ColumnDef::new("user_id", CqlType::Uuid))
        .column(ColumnDef::new("is_admin", CqlType::Boolean))
        .with_primary_keys(&["group_id", "user_id"], &[])
        .unwrap()
}

fn users_in_group_by_state() -> ModelSchema {
    ModelSchema::new("UsersInGroupByState")
        .column(ColumnDef::new("group_id", CqlType::Uuid))
        .column(ColumnDef::new("state", CqlType::Text))
        .column(ColumnDef::new("user_id", CqlType::Uuid))
        .column(
            ColumnDef::new("is_admin", CqlType::Boolean)
                .default(ColumnDefault::Value(Value::Boolean(false))),
        )
        .with_primary_keys(&["group_id", "state", "user_id"], &["group_id", "state"])
        .unwrap()
}

#[tokio::test]
async fn the_walkthrough_models_round_trip() {
    let s = session().await;
    for m in [
        message(),
        photo(),
        users_in_group(),
        users_in_group_by_state(),
    ] {
        s.sync_table(&m).await.unwrap();
    }
    // A message with a set of recipients; its id is a new time UUID.
    let recipients = Value::Set(vec![
        Value::Uuid(Uuid::new_v4()),
        Value::Uuid(Uuid::new_v4()),
    ]);
    let msg = s
        .model_create(
            &message(),
            &vals(&[
                ("subject", "hi".into()),
                ("addressed_to", recipients.clone()),
            ]),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let id = msg.get("message_id").unwrap().clone();
    assert!(matches!(id, Value::Timeuuid(u) if u.get_version_num() == 1));
    let got = s
        .model_get(&message(), &query(vec![eq("message_id", id.clone())]))
        .await
        .unwrap();
    let mut expected = match recipients {
        Value::Set(mut v) => {
            v.sort_by_key(|x| format!("{x:?}"));
            v
        }
        _ => unreachable!(),
    };
    let mut stored = match got.get("addressed_to").unwrap() {
        Value::Set(v) => v.clone(),
        other => panic!("{other:?}"),
    };
    stored.sort_by_key(|x| format!("{x:?}"));
    expected.sort_by_key(|x| format!("{x:?}"));
    assert_eq!(stored, expected);
    assert_eq!(got.get("body"), Some(&Value::Null));

    // A photo with a map of likes.
    let fan = Uuid::new_v4();
    let p = s
        .model_create(
            &photo(),
            &vals(&[
                ("title", "sunset".into()),
                ("likes", Value::Map(vec![(Value::Uuid(fan), "wow".into())])),
            ]),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let pid = p.get("photo_id").unwrap().clone();
    let got = s
        .model_get(&photo(), &query(vec![eq("photo_id", pid.clone())]))
        .await
        .unwrap();
    assert_eq!(
        got.get("likes"),
        Some(&Value::Map(vec![(Value::Uuid(fan), "wow".into())]))
    );

    // Users in a group: a clustering key orders users within the group.
    let group = Uuid::new_v4();
    let mut users: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for (i, u) in users.iter().enumerate() {
        s.model_create(
            &users_in_group(),
            &vals(&[
                ("group_id", Value::Uuid(group)),
                ("user_id", Value::Uuid(*u)),
                ("is_admin", Value::Boolean(i == 0)),
            ]),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    }
    let mut q = query(vec![eq("group_id", Value::Uuid(group))]);
    q.order_by = vec![("user_id".into(), ClusteringOrder::Desc)];
    let rows = s.model_select(&users_in_group(), &q).await.unwrap();
    users.sort();
    users.reverse();
    assert_eq!(
        rows.iter()
            .map(|r| r.get("user_id").unwrap().clone())
            .collect::<Vec<_>>(),
        users.iter().map(|u| Value::Uuid(*u)).collect::<Vec<_>>()
    );
    assert_eq!(
        s.model_count(
            &users_in_group(),
            &query(vec![eq("group_id", Value::Uuid(group))])
        )
        .await
        .unwrap(),
        3
    );

    // Users by group and state: a composite partition key; is_admin defaults to false.
    let key = vals(&[
        ("group_id", Value::Uuid(group)),
        ("state", "CA".into()),
        ("user_id", Value::Uuid(users[0])),
    ]);
    s.model_create(&users_in_group_by_state(), &key, &WriteOptions::default())
        .await
        .unwrap();
    let got = s
        .model_get(
            &users_in_group_by_state(),
            &query(vec![
                eq("group_id", Value::Uuid(group)),
                eq("state", "CA".into()),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(got.get("is_admin"), Some(&Value::Boolean(false)));
    // Without the whole partition key, the query is refused before it is sent.
    let err = s
        .model_select(
            &users_in_group_by_state(),
            &query(vec![eq("state", "CA".into())]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueryError, "{err}");
}

#[tokio::test]
async fn get_raises_does_not_exist_and_multiple_objects_returned() {
    let s = session().await;
    s.sync_table(&users_in_group()).await.unwrap();
    let err = s
        .model_get(
            &users_in_group(),
            &query(vec![eq("group_id", Value::Uuid(Uuid::new_v4()))]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::DoesNotExist { model } if model == "UsersInGroup"),
        "{err}"
    );
    let group = Uuid::new_v4();
    for _ in 0..2 {
        let v = vals(&[
            ("group_id", Value::Uuid(group)),
            ("user_id", Value::Uuid(Uuid::new_v4())),
        ]);
        s.model_create(&users_in_group(), &v, &WriteOptions::default())
            .await
            .unwrap();
    }
    let err = s
        .model_get(
            &users_in_group(),
            &query(vec![eq("group_id", Value::Uuid(group))]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MultipleObjectsReturned, "{err}");
}

#[tokio::test]
async fn ttl_expires_rows_and_lwt_failures_carry_the_existing_row() {
    let s = session().await;
    s.sync_table(&photo()).await.unwrap();
    // Long enough for the read below even on a loaded machine, short enough to wait out.
    let short = WriteOptions {
        ttl: Some(4),
        ..Default::default()
    };
    let p = s
        .model_create(&photo(), &vals(&[("title", "brief".into())]), &short)
        .await
        .unwrap();
    let id = p.get("photo_id").unwrap().clone();
    assert!(s
        .model_get(&photo(), &query(vec![eq("photo_id", id.clone())]))
        .await
        .is_ok());
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let err = s
        .model_get(&photo(), &query(vec![eq("photo_id", id)]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DoesNotExist, "expired: {err}");

    let id = Value::Uuid(Uuid::new_v4());
    let only_new = WriteOptions {
        if_not_exists: true,
        ..Default::default()
    };
    s.model_create(
        &photo(),
        &vals(&[("photo_id", id.clone()), ("title", "first".into())]),
        &only_new,
    )
    .await
    .unwrap();
    let err = s
        .model_create(
            &photo(),
            &vals(&[("photo_id", id.clone()), ("title", "second".into())]),
            &only_new,
        )
        .await
        .unwrap_err();
    match &err {
        Error::LwtFailed { existing } => assert!(
            existing.contains(&("title".to_owned(), "first".into())),
            "{existing:?}"
        ),
        other => panic!("expected LwtFailed, got {other:?}"),
    }
    let iff = WriteOptions {
        conditions: vec![("title".into(), Op::Eq, "nope".into())],
        ..Default::default()
    };
    let err = s
        .model_update(
            &photo(),
            &vals(&[("photo_id", id.clone())]),
            &[("title".into(), Change::Set("x".into()))],
            &iff,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::LwtFailed { existing } if existing == &vec![("title".to_owned(), "first".into())]),
        "{err:?}"
    );
    let iff = WriteOptions {
        conditions: vec![("title".into(), Op::Eq, "first".into())],
        ..Default::default()
    };
    s.model_update(
        &photo(),
        &vals(&[("photo_id", id.clone())]),
        &[("title".into(), Change::Set("third".into()))],
        &iff,
    )
    .await
    .unwrap();
    let got = s
        .model_get(&photo(), &query(vec![eq("photo_id", id)]))
        .await
        .unwrap();
    assert_eq!(got.get("title"), Some(&"third".into()));
}

#[tokio::test]
async fn save_update_and_delete_change_only_what_they_name() {
    let s = session().await;
    let tagged = ModelSchema::new("Tagged")
        .column(ColumnDef::new("id", CqlType::Int).partition_key())
        .column(ColumnDef::new("title", CqlType::Text))
        .column(ColumnDef::new("tags", set(CqlType::Text)))
        .column(ColumnDef::new(
            "edits",
            CqlType::List {
                element: Box::new(CqlType::Text),
                frozen: false,
            },
        ))
        .column(ColumnDef::new("attrs", map(CqlType::Text, CqlType::Int)));
    s.sync_table(&tagged).await.unwrap();
    let created = s
        .model_create(
            &tagged,
            &vals(&[
                ("id", Value::Int(1)),
                ("title", "t".into()),
                ("tags", Value::Set(vec!["a".into(), "b".into()])),
                ("edits", Value::List(vec!["e1".into()])),
                (
                    "attrs",
                    Value::Map(vec![
                        ("x".into(), Value::Int(1)),
                        ("y".into(), Value::Int(2)),
                    ]),
                ),
            ]),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    // A concurrent writer adds a tag; our save only sends our own changes (set add/remove),
    // so its tag survives.
    s.model_update(
        &tagged,
        &vals(&[("id", Value::Int(1))]),
        &[("tags".into(), Change::Add(Value::Set(vec!["other".into()])))],
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let mut current = created.values.clone();
    for (name, v) in current.iter_mut() {
        match name.as_str() {
            "tags" => *v = Value::Set(vec!["b".into(), "c".into()]),
            "edits" => *v = Value::List(vec!["e1".into(), "e2".into()]),
            "attrs" => *v = Value::Map(vec![("x".into(), Value::Int(10))]),
            _ => {}
        }
    }
    s.model_save(
        &tagged,
        Some(&created.values),
        &current,
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let got = s
        .model_get(&tagged, &query(vec![eq("id", Value::Int(1))]))
        .await
        .unwrap();
    assert_eq!(
        got.get("tags"),
        Some(&Value::Set(vec!["b".into(), "c".into(), "other".into()]))
    );
    assert_eq!(
        got.get("edits"),
        Some(&Value::List(vec!["e1".into(), "e2".into()]))
    );
    assert_eq!(
        got.get("attrs"),
        Some(&Value::Map(vec![("x".into(), Value::Int(10))]))
    );
    // Blind update: prepend, a map entry set to null deletes the key, null deletes a column.
    s.model_update(
        &tagged,
        &vals(&[("id", Value::Int(1))]),
        &[
            (
                "edits".into(),
                Change::Prepend(Value::List(vec!["e0".into()])),
            ),
            (
                "attrs".into(),
                Change::MapUpdate(Value::Map(vec![
                    ("x".into(), Value::Null),
                    ("z".into(), Value::Int(3)),
                ])),
            ),
            ("title".into(), Change::Set(Value::Null)),
        ],
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let got = s
        .model_get(&tagged, &query(vec![eq("id", Value::Int(1))]))
        .await
        .unwrap();
    assert_eq!(
        got.get("edits"),
        Some(&Value::List(vec!["e0".into(), "e1".into(), "e2".into()]))
    );
    assert_eq!(
        got.get("attrs"),
        Some(&Value::Map(vec![("z".into(), Value::Int(3))]))
    );
    assert_eq!(got.get("title"), Some(&Value::Null));
    // Delete a column, then the row (IF EXISTS), then again: not applied.
    s.model_delete(
        &tagged,
        &vals(&[("id", Value::Int(1))]),
        &["tags".into()],
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let got = s
        .model_get(&tagged, &query(vec![eq("id", Value::Int(1))]))
        .await
        .unwrap();
    assert_eq!(got.get("tags"), Some(&Value::Null));
    let if_exists = WriteOptions {
        if_exists: true,
        ..Default::default()
    };
    s.model_delete(&tagged, &vals(&[("id", Value::Int(1))]), &[], &if_exists)
        .await
        .unwrap();
    let err = s
        .model_delete(&tagged, &vals(&[("id", Value::Int(1))]), &[], &if_exists)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LwtFailed);
    // Validation happens before sending.
    let err = s
        .model_create(
            &tagged,
            &vals(&[("id", Value::Int(2)), ("title", Value::Int(5))]),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ValidationError, "{err}");
}

#[tokio::test]
async fn sync_table_creates_adds_alters_and_refuses_key_changes() {
    let s = session().await;
    s.execute("DROP TABLE IF EXISTS evolving", ())
        .await
        .unwrap();
    let v1 = ModelSchema::new("Evolving")
        .column(ColumnDef::new("id", CqlType::Int).partition_key())
        .column(ColumnDef::new("a", CqlType::Text))
        .option("gc_grace_seconds", OptionValue::Int(3600))
        .option(
            "compaction",
            OptionValue::Map([("class".to_owned(), "LeveledCompactionStrategy".to_owned())].into()),
        )
        .option("comment", OptionValue::Text("v1's table".into()));
    let first = s.sync_table(&v1).await.unwrap();
    assert!(first.created);
    let again = s.sync_table(&v1).await.unwrap();
    assert!(again.unchanged(), "sync_table twice is a no-op: {again:?}");
    let v2 = v1
        .clone()
        .column(ColumnDef::new("b", map(CqlType::Text, CqlType::Int)))
        .column(ColumnDef::new("c", CqlType::Text).indexed())
        .option("gc_grace_seconds", OptionValue::Int(60));
    let report = s.sync_table(&v2).await.unwrap();
    assert_eq!(report.added_columns, ["b", "c"]);
    assert_eq!(report.created_indexes, ["evolving_c_idx"]);
    assert_eq!(report.altered_options, ["gc_grace_seconds"]);
    let rs = s
        .execute("SELECT gc_grace_seconds, comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 'evolving'", vec![Value::from(KS)])
        .await
        .unwrap();
    assert_eq!(rs.rows[0], vec![Value::Int(60), Value::from("v1's table")]);
    assert!(s.sync_table(&v2).await.unwrap().unchanged());
    // A type change is reported and left alone; a key change is refused.
    let retyped = ModelSchema {
        columns: v2
            .columns
            .iter()
            .map(|c| {
                if c.name == "a" {
                    ColumnDef::new("a", CqlType::Int)
                } else {
                    c.clone()
                }
            })
            .collect(),
        ..v2.clone()
    };
    let report = s.sync_table(&retyped).await.unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("evolving.a is text")),
        "{report:?}"
    );
    let rekeyed = ModelSchema::new("Evolving")
        .column(ColumnDef::new("id", CqlType::Int).partition_key())
        .column(ColumnDef::new("a", CqlType::Text).clustering(ClusteringOrder::Asc));
    let err = s.sync_table(&rekeyed).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{err}");
    // The index works for queries.
    s.model_create(
        &v2,
        &vals(&[("id", Value::Int(1)), ("c", "findme".into())]),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let rows = s
        .model_select(&v2, &query(vec![eq("c", "findme".into())]))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn batches_write_views_together_and_run_callbacks_after_success() {
    let s = session().await;
    let user = ModelSchema::new("User")
        .column(ColumnDef::new("name", CqlType::Text).partition_key())
        .column(ColumnDef::new("twitter", CqlType::Text))
        .column(ColumnDef::new("email", CqlType::Text));
    let twitter_to_user = ModelSchema::new("TwitterToUser")
        .column(ColumnDef::new("twitter", CqlType::Text).partition_key())
        .column(ColumnDef::new("name", CqlType::Text));
    s.sync_table(&user).await.unwrap();
    s.sync_table(&twitter_to_user).await.unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let mut batch = ModelBatch::new(BatchType::Logged);
    let (insert_user, _) = cqlbridge_core::mapper::render_create(
        &user,
        &vals(&[
            ("name", "ada".into()),
            ("twitter", "@ada".into()),
            ("email", "ada@example.org".into()),
        ]),
        &WriteOptions::default(),
    )
    .unwrap();
    let (insert_view, _) = cqlbridge_core::mapper::render_create(
        &twitter_to_user,
        &vals(&[("twitter", "@ada".into()), ("name", "ada".into())]),
        &WriteOptions::default(),
    )
    .unwrap();
    batch.add(insert_user);
    batch.add(insert_view);
    let r = ran.clone();
    batch.add_callback(move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    batch.execute(&s).await.unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    let name = s
        .model_get(&twitter_to_user, &query(vec![eq("twitter", "@ada".into())]))
        .await
        .unwrap();
    assert_eq!(name.get("name"), Some(&"ada".into()));
    // A failing batch runs no callback.
    let mut bad = ModelBatch::new(BatchType::Logged);
    bad.add(cqlbridge_core::mapper::render::Rendered {
        cql: "INSERT INTO no_such_table (a) VALUES (?)".into(),
        values: vec![Value::Int(1)],
    });
    let r = ran.clone();
    bad.add_callback(move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(bad.execute(&s).await.is_err());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_polymorphic_base_query_returns_every_subtype_and_the_base_cannot_be_saved() {
    let s = session().await;
    let columns = |extra: Option<ColumnDef>| {
        let mut m = ModelSchema::new("Pet")
            .column(ColumnDef::new("owner", CqlType::Text).partition_key())
            .column(ColumnDef::new("name", CqlType::Text).clustering(ClusteringOrder::Asc))
            .column(ColumnDef {
                discriminator: true,
                ..ColumnDef::new("kind", CqlType::Text)
            });
        if let Some(c) = extra {
            m = m.column(c);
        }
        m
    };
    let subtypes = vec![
        (Value::from("cat"), "Cat".to_owned()),
        (Value::from("dog"), "Dog".to_owned()),
    ];
    let poly = |value: Option<&str>| Polymorphism {
        column: "kind".into(),
        value: value.map(Value::from),
        subtypes: subtypes.clone(),
    };
    let base = ModelSchema {
        polymorphism: Some(poly(None)),
        ..columns(None)
    };
    let cat = ModelSchema {
        name: "Cat".into(),
        polymorphism: Some(poly(Some("cat"))),
        ..columns(Some(ColumnDef::new("lives", CqlType::Int)))
    };
    let dog = ModelSchema {
        name: "Dog".into(),
        polymorphism: Some(poly(Some("dog"))),
        ..columns(Some(ColumnDef::new("good", CqlType::Boolean)))
    };
    for m in [&base, &cat, &dog] {
        s.sync_table(m).await.unwrap();
    }
    s.model_create(
        &cat,
        &vals(&[
            ("owner", "ann".into()),
            ("name", "tom".into()),
            ("lives", Value::Int(9)),
        ]),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    s.model_create(
        &dog,
        &vals(&[
            ("owner", "ann".into()),
            ("name", "rex".into()),
            ("good", Value::Boolean(true)),
        ]),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let pets = s
        .model_select(&base, &query(vec![eq("owner", "ann".into())]))
        .await
        .unwrap();
    let kinds: Vec<(&str, Option<&Value>)> = pets
        .iter()
        .map(|p| (p.model.as_str(), p.get("name")))
        .collect();
    assert_eq!(
        kinds,
        vec![("Dog", Some(&"rex".into())), ("Cat", Some(&"tom".into()))]
    );
    assert_eq!(pets[0].get("good"), Some(&Value::Boolean(true)));
    assert_eq!(pets[1].get("lives"), Some(&Value::Int(9)));
    let cats = s
        .model_select(&cat, &query(vec![eq("owner", "ann".into())]))
        .await
        .unwrap();
    assert_eq!(cats.len(), 1, "a subtype query returns that subtype only");
    let err = s
        .model_create(
            &base,
            &vals(&[("owner", "ann".into()), ("name", "x".into())]),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("polymorphic base"), "{err}");
}

#[tokio::test]
async fn queries_filter_order_limit_and_page() {
    let s = session().await;
    let reading = ModelSchema::new("Reading")
        .column(ColumnDef::new("sensor", CqlType::Int).partition_key())
        .column(ColumnDef::new("at", CqlType::Int).clustering(ClusteringOrder::Desc))
        .column(ColumnDef::new("value", CqlType::Double).db_field("v"))
        .column(ColumnDef::new("labels", map(CqlType::Text, CqlType::Text)).indexed());
    s.sync_table(&reading).await.unwrap();
    for sensor in 0..3 {
        for at in 0..20 {
            let labels = Value::Map(vec![("room".into(), format!("r{sensor}").into())]);
            let v = vals(&[
                ("sensor", Value::Int(sensor)),
                ("at", Value::Int(at)),
                ("value", Value::Double(at as f64)),
                ("labels", labels),
            ]);
            s.model_create(&reading, &v, &WriteOptions::default())
                .await
                .unwrap();
        }
    }
    let f = |c: &str, op, v| Filter {
        column: c.into(),
        op,
        value: v,
    };
    let mut q = query(vec![
        eq("sensor", Value::Int(1)),
        f("at", FilterOp::Gte, Value::Int(15)),
    ]);
    q.order_by = vec![("at".into(), ClusteringOrder::Asc)];
    q.limit = Some(3);
    let rows = s.model_select(&reading, &q).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.get("at").unwrap().clone())
            .collect::<Vec<_>>(),
        vec![Value::Int(15), Value::Int(16), Value::Int(17)]
    );
    assert_eq!(
        rows[0].get("value"),
        Some(&Value::Double(15.0)),
        "db_field maps back to the attribute"
    );
    let q = query(vec![f(
        "sensor",
        FilterOp::In,
        Value::List(vec![Value::Int(0), Value::Int(2)]),
    )]);
    assert_eq!(s.model_count(&reading, &q).await.unwrap(), 40);
    let q = query(vec![f("labels", FilterOp::Contains, "r2".into())]);
    assert_eq!(s.model_select(&reading, &q).await.unwrap().len(), 20);
    let mut q = query(vec![f("labels", FilterOp::ContainsKey, "room".into())]);
    q.allow_filtering = true;
    assert_eq!(s.model_count(&reading, &q).await.unwrap(), 60);
    q.limit = Some(7);
    assert_eq!(
        s.model_count(&reading, &q).await.unwrap(),
        7,
        "a count is bounded by the limit"
    );
    // Token ranges cover every partition exactly once.
    let mid = Filter {
        column: String::new(),
        op: FilterOp::TokenLte,
        value: Value::BigInt(0),
    };
    let above = Filter {
        column: String::new(),
        op: FilterOp::TokenGt,
        value: Value::BigInt(0),
    };
    let low = s.model_count(&reading, &query(vec![mid])).await.unwrap();
    let high = s.model_count(&reading, &query(vec![above])).await.unwrap();
    assert_eq!(low + high, 60);
    // only / defer / distinct, and paging at 7 rows per page.
    let mut q = query(vec![eq("sensor", Value::Int(0))]);
    q.only = vec!["at".into()];
    let rows = s.model_select(&reading, &q).await.unwrap();
    assert_eq!(rows[0].values.len(), 1);
    let mut q = query(vec![eq("sensor", Value::Int(0))]);
    q.defer = vec!["labels".into()];
    assert!(s.model_select(&reading, &q).await.unwrap()[0]
        .get("labels")
        .is_none());
    let q = ModelQuery {
        distinct: true,
        ..Default::default()
    };
    assert_eq!(s.model_select(&reading, &q).await.unwrap().len(), 3);
    let q = ModelQuery {
        filters: vec![eq("sensor", Value::Int(2))],
        page_size: Some(7),
        ..Default::default()
    };
    let (page, state) = s.model_select_page(&reading, &q, None).await.unwrap();
    assert_eq!(page.len(), 7);
    let (page2, _) = s
        .model_select_page(&reading, &q, state.as_deref())
        .await
        .unwrap();
    assert_eq!(
        page2[0].get("at"),
        Some(&Value::Int(12)),
        "descending clustering order, resumed"
    );
    assert_eq!(s.model_select(&reading, &q).await.unwrap().len(), 20);
    // Filtering a column that is neither key nor indexed is refused before sending.
    let err = s
        .model_select(
            &reading,
            &query(vec![f("value", FilterOp::Gt, Value::Double(1.0))]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueryError);
}

#[tokio::test]
async fn values_that_look_like_cql_round_trip_as_data_and_udts_sync() {
    let s = session().await;
    let evil = "'); DROP TABLE x; --";
    let m = ModelSchema::new("Injection")
        .column(ColumnDef::new("k", CqlType::Text).partition_key())
        .column(ColumnDef::new("v", CqlType::Text))
        .column(ColumnDef::new(
            "addr",
            CqlType::Udt {
                keyspace: KS.into(),
                name: "address".into(),
                fields: vec![],
                frozen: true,
            },
        ));
    let fields = vec![
        ("street".to_owned(), CqlType::Text),
        ("zip".to_owned(), CqlType::Int),
    ];
    s.execute("DROP TABLE IF EXISTS injection", ())
        .await
        .unwrap();
    s.execute("DROP TYPE IF EXISTS address", ()).await.unwrap();
    assert!(s.sync_type(KS, "address", &fields).await.unwrap().created);
    let more = vec![
        ("street".to_owned(), CqlType::Text),
        ("zip".to_owned(), CqlType::Int),
        ("city".to_owned(), CqlType::Text),
    ];
    let report = s.sync_type(KS, "address", &more).await.unwrap();
    assert_eq!(report.added_columns, ["city"]);
    assert!(s.sync_type(KS, "address", &more).await.unwrap().unchanged());
    s.sync_table(&m).await.unwrap();
    let addr = Value::Udt {
        keyspace: String::new(),
        name: String::new(),
        fields: vec![("street".into(), evil.into()), ("city".into(), "x".into())],
    };
    s.model_create(
        &m,
        &vals(&[("k", evil.into()), ("v", evil.into()), ("addr", addr)]),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let got = s
        .model_get(&m, &query(vec![eq("k", evil.into())]))
        .await
        .unwrap();
    assert_eq!(got.get("v"), Some(&Value::from(evil)));
    match got.get("addr") {
        Some(Value::Udt { fields, .. }) => assert!(
            fields.contains(&("street".to_owned(), Value::from(evil))),
            "{fields:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        s.keyspace_metadata(KS)
            .unwrap()
            .tables
            .contains_key("injection"),
        "no table was dropped"
    );
}

#[tokio::test]
async fn a_udt_column_type_read_from_the_server_parses_back_and_quoted_udt_names_are_refused() {
    let s = session().await;
    let typ: CqlType = "frozen<point2>".parse().unwrap();
    let m = ModelSchema::new("PointHolder")
        .column(ColumnDef::new("k", CqlType::Int).partition_key())
        .column(ColumnDef::new("p", typ));
    s.execute("DROP TABLE IF EXISTS point_holder", ())
        .await
        .unwrap();
    s.execute("DROP TYPE IF EXISTS point2", ()).await.unwrap();
    let fields = vec![("x".to_owned(), CqlType::Int)];
    assert!(s.sync_type(KS, "point2", &fields).await.unwrap().created);
    s.sync_table(&m).await.unwrap();
    let p = Value::Udt {
        keyspace: String::new(),
        name: String::new(),
        fields: vec![("x".into(), Value::Int(7))],
    };
    s.model_create(
        &m,
        &vals(&[("k", Value::Int(1)), ("p", p)]),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    // The server's column type (a result's metadata does not say frozen), shown as CQL with
    // its names quoted, parses back to the same type …
    let rs = s.execute("SELECT p FROM point_holder", ()).await.unwrap();
    let shown = rs.columns[0].typ.to_string();
    assert_eq!(shown, format!(r#""{KS}"."point2""#));
    match shown.parse::<CqlType>().unwrap() {
        CqlType::Udt {
            keyspace,
            name,
            frozen: false,
            ..
        } => assert_eq!((keyspace.as_str(), name.as_str()), (KS, "point2")),
        other => panic!("{other:?}"),
    }
    // … and a model declared with it is the same table.
    let parsed: CqlType = format!("frozen<{shown}>").parse().unwrap();
    let again = ModelSchema::new("PointHolder")
        .column(ColumnDef::new("k", CqlType::Int).partition_key())
        .column(ColumnDef::new("p", parsed));
    assert!(s.sync_table(&again).await.unwrap().unchanged());
    match s
        .model_get(&again, &query(vec![eq("k", Value::Int(1))]))
        .await
        .unwrap()
        .get("p")
    {
        Some(Value::Udt { fields, .. }) => assert_eq!(fields, &[("x".into(), Value::Int(7))]),
        other => panic!("{other:?}"),
    }
    // A type name Cassandra would keep quoted is refused before anything is sent: the
    // driver's schema metadata could not read a table using it.
    for name in ["Point", "odd name", "_x", "select", r#"q"uote"#] {
        let err = s.sync_type(KS, name, &fields).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}: {err}");
        let quoted = CqlType::List {
            element: Box::new(CqlType::Udt {
                keyspace: String::new(),
                name: name.into(),
                fields: vec![],
                frozen: true,
            }),
            frozen: false,
        };
        let model = ModelSchema::new("Quoted")
            .column(ColumnDef::new("k", CqlType::Int).partition_key())
            .column(ColumnDef::new("q", quoted));
        let err = s.sync_table(&model).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}: {err}");
        assert!(err.to_string().contains("quoted"), "{err}");
    }
    s.refresh_metadata().await.unwrap();
    let ks = s.keyspace_metadata(KS).unwrap();
    assert!(!ks.tables.contains_key("quoted") && ks.user_types.contains_key("point2"));
}

#[tokio::test]
async fn keyspaces_are_created_and_dropped() {
    let s = session().await;
    s.create_keyspace_network_topology("cqlb_it_mapper_nts", &[("datacenter1".into(), 1)], true)
        .await
        .unwrap();
    s.create_keyspace_simple("cqlb_it_mapper_simple", 1, false)
        .await
        .unwrap();
    for (ks, durable) in [
        ("cqlb_it_mapper_nts", true),
        ("cqlb_it_mapper_simple", false),
    ] {
        let rs = s
            .execute(
                "SELECT durable_writes FROM system_schema.keyspaces WHERE keyspace_name = ?",
                vec![Value::from(ks)],
            )
            .await
            .unwrap();
        assert_eq!(rs.rows, vec![vec![Value::Boolean(durable)]], "{ks}");
    }
    s.refresh_metadata().await.unwrap();
    let names = s.keyspace_names();
    assert!(
        names.contains(&"cqlb_it_mapper_nts".to_owned())
            && names.contains(&"cqlb_it_mapper_simple".to_owned())
    );
    s.drop_keyspace("cqlb_it_mapper_nts").await.unwrap();
    s.drop_keyspace("cqlb_it_mapper_simple").await.unwrap();
    s.refresh_metadata().await.unwrap();
    assert!(!s
        .keyspace_names()
        .contains(&"cqlb_it_mapper_nts".to_owned()));
    let err = s
        .create_keyspace_network_topology("x", &[], true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn abstract_bases_give_each_concrete_model_its_own_table() {
    let s = session().await;
    let base = ModelSchema::new("Vehicle")
        .column(
            ColumnDef::new("id", CqlType::Uuid)
                .partition_key()
                .default(ColumnDefault::Uuid4),
        )
        .column(ColumnDef::new("made", CqlType::Timestamp).default(ColumnDefault::Now))
        .option("comment", OptionValue::Text("vehicles".into()));
    let car = ModelSchema::inherit(&base, "Car").column(ColumnDef::new("doors", CqlType::TinyInt));
    let boat = ModelSchema::inherit(&base, "Boat").column(ColumnDef::new("sails", CqlType::Int));
    for m in [&car, &boat] {
        s.drop_table(m).await.unwrap();
        assert!(s.sync_table(m).await.unwrap().created);
    }
    let c = s
        .model_create(
            &car,
            &vals(&[("doors", Value::BigInt(4))]),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    assert!(
        matches!(c.get("made"), Some(Value::Timestamp(t)) if *t > 1_700_000_000_000),
        "now default: {c:?}"
    );
    let got = s
        .model_first(&car, &query(vec![eq("id", c.get("id").unwrap().clone())]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.get("doors"), Some(&Value::TinyInt(4)));
    assert_eq!(
        s.model_first(&boat, &ModelQuery::default()).await.unwrap(),
        None,
        "the boat table is its own, and empty"
    );
    // Client timestamps apply to model writes; an older write loses.
    let key = vals(&[("id", c.get("id").unwrap().clone())]);
    let at = |ts| WriteOptions {
        timestamp: Some(ts),
        ..Default::default()
    };
    s.model_update(
        &car,
        &key,
        &[("doors".into(), Change::Set(Value::Int(2)))],
        &at(i64::MAX / 2),
    )
    .await
    .unwrap();
    s.model_update(
        &car,
        &key,
        &[("doors".into(), Change::Set(Value::Int(5)))],
        &at(1),
    )
    .await
    .unwrap();
    let got = s
        .model_first(&car, &query(vec![eq("id", c.get("id").unwrap().clone())]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.get("doors"), Some(&Value::TinyInt(2)));
    // Counters through an unlogged-free counter batch.
    let hits = ModelSchema::new("Hits")
        .column(ColumnDef::new("page", CqlType::Text).partition_key())
        .column(ColumnDef::new("n", CqlType::Counter));
    s.drop_table(&hits).await.unwrap();
    s.sync_table(&hits).await.unwrap();
    let mut batch = ModelBatch::new(BatchType::Counter);
    for _ in 0..3 {
        let key = vals(&[("page", "/".into())]);
        batch.add(
            cqlbridge_core::mapper::render_update(
                &hits,
                &key,
                &[("n".into(), Change::Add(Value::BigInt(2)))],
                &WriteOptions::default(),
            )
            .unwrap(),
        );
    }
    batch.execute(&s).await.unwrap();
    let got = s
        .model_get(&hits, &query(vec![eq("page", "/".into())]))
        .await
        .unwrap();
    assert_eq!(got.get("n"), Some(&Value::Counter(6)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sync_table_of_a_new_table_agrees_on_its_key() {
    let (a, b) = (session().await, session().await);
    for round in 0..6 {
        let table = format!("raced_{round}_{}", std::process::id());
        let m = ModelSchema::new("Raced")
            .table(table.as_str())
            .column(ColumnDef::new("k", CqlType::Int).partition_key())
            .column(ColumnDef::new("c", CqlType::Int).clustering(ClusteringOrder::Asc))
            .column(ColumnDef::new("v", CqlType::Text));
        let (ra, rb) = tokio::join!(a.sync_table(&m), b.sync_table(&m));
        assert!(ra.is_ok() && rb.is_ok(), "round {round}: {ra:?} / {rb:?}");
        a.drop_table(&m).await.unwrap();
    }
}
