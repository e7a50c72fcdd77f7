//! The Rust conformance runner: every scenario of `tests/conformance/scenarios` over
//! cqlbridge-core, written canonically (tests/conformance/README.md).
//! Usage: conformance <scenarios dir> <output file>.

use std::net::IpAddr;
use std::path::Path;

use bigdecimal::BigDecimal;
use std::collections::HashMap;

use cqlbridge_core::mapper::{
    render_create, render_delete, render_update, Change, ClusteringOrder, ColumnDef, Filter,
    FilterOp, ModelBatch, ModelQuery, ModelRow, ModelSchema, Op, Polymorphism, WriteOptions,
};
use cqlbridge_core::{
    Batch, BatchType, ClusterConfig, ConcurrencyOptions, CqlType, Duration, Error, Query,
    ResultSet, Session, Statement, StatementOptions, Value, Values,
};
use serde_json::{json, Map, Value as Json};

const KEYSPACE: &str = "conformance_rust";

/// A typed input value (`["int", "5"]`, `["list", [...]]`, `null`, `["unset"]`).
fn value(v: &Json) -> Value {
    let Some(arr) = v.as_array() else {
        return Value::Null;
    };
    let tag = arr[0].as_str().expect("a type tag");
    if tag == "unset" {
        return Value::Unset;
    }
    let arg = &arr[1];
    let text = || arg.as_str().expect("a scalar as text");
    let all = |a: &Json| a.as_array().expect("a list").iter().map(value).collect();
    match tag {
        "tinyint" => Value::TinyInt(text().parse().unwrap()),
        "smallint" => Value::SmallInt(text().parse().unwrap()),
        "int" => Value::Int(text().parse().unwrap()),
        "bigint" | "counter" => Value::BigInt(text().parse().unwrap()),
        "varint" => Value::Varint(text().parse().unwrap()),
        "float" => Value::Float(float(text()) as f32),
        "double" => Value::Double(float(text())),
        "decimal" => Value::Decimal(text().parse::<BigDecimal>().unwrap()),
        "text" => Value::Text(text().to_owned()),
        // Bad-input forms (README): a text of n 'x', n copies of a value in a list, a UUID
        // given as a string, raw bytes for a text marker (Rust's String cannot hold invalid
        // UTF-8: the bytes go as they are, a blob, which a text marker refuses).
        "long_text" => Value::Text("x".repeat(text().parse().unwrap())),
        "repeat" => Value::List(vec![
            value(&arg[1]);
            arg[0].as_str().unwrap().parse().unwrap()
        ]),
        "uuid_text" => Value::Text(text().to_owned()),
        "text_bytes" => Value::Blob(unhex(text())),
        "ascii" => Value::Ascii(text().to_owned()),
        "boolean" => Value::Boolean(text() == "true"),
        "blob" => Value::Blob(unhex(text())),
        "uuid" => Value::Uuid(text().parse().unwrap()),
        "timeuuid" => Value::Timeuuid(text().parse().unwrap()),
        "inet" => Value::Inet(text().parse().unwrap()),
        "date" => Value::Date(text().parse().unwrap()),
        "time" => Value::Time(text().parse().unwrap()),
        "timestamp" => Value::Timestamp(text().parse().unwrap()),
        "duration" => {
            let p: Vec<i64> = text().split(',').map(|x| x.parse().unwrap()).collect();
            Value::Duration(Duration {
                months: p[0] as i32,
                days: p[1] as i32,
                nanoseconds: p[2],
            })
        }
        "list" => Value::List(all(arg)),
        "set" => Value::Set(all(arg)),
        "vector" => Value::Vector(all(arg)),
        "tuple" => Value::Tuple(all(arg)),
        "map" => Value::Map(
            arg.as_array()
                .unwrap()
                .iter()
                .map(|kv| (value(&kv[0]), value(&kv[1])))
                .collect(),
        ),
        "udt" => Value::Udt {
            keyspace: String::new(),
            name: String::new(),
            fields: arg
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), value(v)))
                .collect(),
        },
        other => panic!("unknown value type {other}"),
    }
}

fn float(s: &str) -> f64 {
    match s {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ => s.parse().unwrap(),
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn values(v: Option<&Json>) -> Values {
    match v.and_then(Json::as_array) {
        Some(vs) if !vs.is_empty() => Values::Positional(vs.iter().map(value).collect()),
        _ => Values::None,
    }
}

fn float_text(x: f64, bits: String) -> Json {
    if x.is_nan() {
        json!("NaN")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(bits)
    }
}

/// The canonical text of a value (its variant says its type).
fn canonical(v: &Value) -> Json {
    match v {
        Value::Null | Value::Empty | Value::Unset => Json::Null,
        Value::TinyInt(n) => json!(n.to_string()),
        Value::SmallInt(n) => json!(n.to_string()),
        Value::Int(n) => json!(n.to_string()),
        Value::BigInt(n) | Value::Counter(n) => json!(n.to_string()),
        Value::Varint(n) => json!(n.to_string()),
        Value::Float(f) => float_text(*f as f64, format!("0x{:08x}", f.to_bits())),
        Value::Double(f) => float_text(*f, format!("0x{:016x}", f.to_bits())),
        Value::Decimal(d) => {
            let (unscaled, scale) = d.as_bigint_and_exponent();
            json!(format!("{unscaled}e{}", -scale))
        }
        Value::Text(s) | Value::Ascii(s) => json!(s),
        Value::Boolean(b) => json!(if *b { "true" } else { "false" }),
        Value::Blob(b) => json!(hex(b)),
        Value::Uuid(u) | Value::Timeuuid(u) => json!(u.to_string()),
        Value::Inet(IpAddr::V4(a)) => json!(hex(&a.octets())),
        Value::Inet(IpAddr::V6(a)) => json!(hex(&a.octets())),
        Value::Date(d) => json!(d.to_string()),
        Value::Time(t) => json!(t.to_string()),
        Value::Timestamp(t) => json!(t.to_string()),
        Value::Duration(d) => json!(format!("{},{},{}", d.months, d.days, d.nanoseconds)),
        Value::List(vs) | Value::Set(vs) | Value::Vector(vs) | Value::Tuple(vs) => {
            Json::Array(vs.iter().map(canonical).collect())
        }
        Value::Map(kvs) => Json::Array(
            kvs.iter()
                .map(|(k, v)| json!([canonical(k), canonical(v)]))
                .collect(),
        ),
        Value::Udt { fields, .. } => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect::<Map<_, _>>(),
        ),
        other => panic!("no canonical form for {}", other.type_name()),
    }
}

fn rows(rs: &ResultSet) -> Json {
    Json::Array(
        rs.rows
            .iter()
            .map(|r| Json::Array(r.iter().map(canonical).collect()))
            .collect(),
    )
}

fn applied(rs: &ResultSet) -> Json {
    match rs.columns.first() {
        Some(c) if c.name == "[applied]" => json!(rs.rows[0][0] == Value::Boolean(true)),
        _ => Json::Null,
    }
}

fn kind(e: &Error) -> String {
    format!("{:?}", e.kind())
}

fn options(step: &Json) -> StatementOptions {
    StatementOptions {
        page_size: step["page_size"].as_i64().map(|n| n as i32),
        ..Default::default()
    }
}

/// A model described as data (the group's `models`); `extends` names a polymorphic base.
fn model_of(name: &str, def: &Json, all: &Json) -> ModelSchema {
    let base = def["extends"].as_str().map(|b| &all[b]);
    let root = base.unwrap_or(def);
    let mut m = ModelSchema::new(name)
        .keyspace(KEYSPACE)
        .table(root["table"].as_str().unwrap());
    let columns = root["columns"].as_array().unwrap().iter().chain(
        base.map(|_| def["columns"].as_array().unwrap().iter())
            .into_iter()
            .flatten(),
    );
    let discriminator = root["discriminator"].as_str();
    for c in columns {
        let typ: CqlType = c["type"].as_str().unwrap().parse().unwrap();
        let mut col = ColumnDef::new(c["name"].as_str().unwrap(), typ);
        col = match c["key"].as_str() {
            Some("partition") => col.partition_key(),
            Some("clustering") => col.clustering(ClusteringOrder::Asc),
            Some("clustering_desc") => col.clustering(ClusteringOrder::Desc),
            _ => col,
        };
        if let Some(f) = c["db_field"].as_str() {
            col = col.db_field(f);
        }
        if c["required"].as_bool() == Some(true) {
            col = col.required();
        }
        col.max_length = c["max_length"].as_u64().map(|n| n as usize);
        col.discriminator = discriminator == c["name"].as_str();
        m = m.column(col);
    }
    if let Some(column) = discriminator {
        m.polymorphism = Some(Polymorphism {
            column: column.to_owned(),
            value: def.get("discriminator_value").map(value),
            subtypes: root["subtypes"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(v, model)| (Value::Text(v.clone()), model.as_str().unwrap().to_owned()))
                .collect(),
        });
    }
    m
}

fn named(obj: &Json) -> Vec<(String, Value)> {
    obj.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), value(v))).collect())
        .unwrap_or_default()
}

/// A model row: its non-null (and non-empty-collection) attributes.
fn model_row(row: &ModelRow) -> Json {
    let mut o = Map::new();
    for (k, v) in &row.values {
        match canonical(v) {
            Json::Null => {}
            Json::Array(a) if a.is_empty() => {}
            c => {
                o.insert(k.clone(), c);
            }
        }
    }
    Json::Object(o)
}

fn filter_op(op: &str) -> FilterOp {
    match op {
        "eq" => FilterOp::Eq,
        "in" => FilterOp::In,
        "gt" => FilterOp::Gt,
        "gte" => FilterOp::Gte,
        "lt" => FilterOp::Lt,
        "lte" => FilterOp::Lte,
        "contains" => FilterOp::Contains,
        other => panic!("unknown filter {other}"),
    }
}

fn query_of(q: &Json) -> ModelQuery {
    ModelQuery {
        filters: q["filters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| Filter {
                column: f[0].as_str().unwrap().to_owned(),
                op: filter_op(f[1].as_str().unwrap()),
                value: value(&f[2]),
            })
            .collect(),
        order_by: q["order_by"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                let order = if o[1] == "desc" {
                    ClusteringOrder::Desc
                } else {
                    ClusteringOrder::Asc
                };
                (o[0].as_str().unwrap().to_owned(), order)
            })
            .collect(),
        limit: q["limit"].as_i64().map(|n| n as i32),
        ..Default::default()
    }
}

fn write_options(step: &Json) -> WriteOptions {
    WriteOptions {
        ttl: step["ttl"].as_i64().map(|n| n as i32),
        if_not_exists: step["if_not_exists"].as_bool() == Some(true),
        if_exists: step["if_exists"].as_bool() == Some(true),
        conditions: step["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let op = match c[1].as_str().unwrap() {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "gt" => Op::Gt,
                    "lt" => Op::Lt,
                    other => panic!("unknown condition {other}"),
                };
                (c[0].as_str().unwrap().to_owned(), op, value(&c[2]))
            })
            .collect(),
        ..Default::default()
    }
}

fn changes(list: &Json) -> Vec<(String, Change)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let v = value(&c[2]);
            let change = match c[1].as_str().unwrap() {
                "set" => Change::Set(v),
                "add" => Change::Add(v),
                "remove" => Change::Remove(v),
                "prepend" => Change::Prepend(v),
                "put" => Change::MapUpdate(v),
                "remove_keys" => Change::MapRemove(v),
                other => panic!("unknown change {other}"),
            };
            (c[0].as_str().unwrap().to_owned(), change)
        })
        .collect()
}

async fn run_model_step(
    s: &Session,
    step: &Json,
    models: &HashMap<String, ModelSchema>,
) -> Result<Json, Error> {
    if let Some(writes) = step["model_batch"].as_array() {
        let mut batch = ModelBatch::new(BatchType::Logged);
        for w in writes {
            let m = &models[w["model"].as_str().unwrap()];
            let opts = write_options(w);
            let rendered = if w.get("create").is_some() {
                render_create(m, &named(&w["create"]), &opts)?.0
            } else if w.get("update").is_some() {
                render_update(
                    m,
                    &named(&w["update"]["key"]),
                    &changes(&w["update"]["changes"]),
                    &opts,
                )?
            } else {
                render_delete(m, &named(&w["delete"]["key"]), &[], &opts)?
            };
            batch.add(rendered);
        }
        batch.execute(s).await?;
        return Ok(json!({"error": null}));
    }
    let m = &models[step["model"].as_str().unwrap()];
    if step.get("create").is_some() {
        let row = s
            .model_create(m, &named(&step["create"]), &write_options(step))
            .await?;
        return Ok(json!({"error": null, "row": model_row(&row)}));
    }
    if step.get("get").is_some() {
        let q = ModelQuery {
            filters: named(&step["get"])
                .into_iter()
                .map(|(column, value)| Filter {
                    column,
                    op: FilterOp::Eq,
                    value,
                })
                .collect(),
            ..Default::default()
        };
        let row = s.model_get(m, &q).await?;
        return Ok(json!({"error": null, "row": model_row(&row)}));
    }
    if step.get("select").is_some() {
        let rows = s.model_select(m, &query_of(&step["select"])).await?;
        let rows: Vec<Json> = rows.iter().map(model_row).collect();
        return Ok(json!({"error": null, "rows": rows}));
    }
    if step.get("count").is_some() {
        let n = s.model_count(m, &query_of(&step["count"])).await?;
        return Ok(json!({"error": null, "count": n.to_string()}));
    }
    if step.get("update").is_some() {
        s.model_update(
            m,
            &named(&step["update"]["key"]),
            &changes(&step["update"]["changes"]),
            &write_options(step),
        )
        .await?;
        return Ok(json!({"error": null}));
    }
    if step.get("delete").is_some() {
        s.model_delete(m, &named(&step["delete"]["key"]), &[], &write_options(step))
            .await?;
        return Ok(json!({"error": null}));
    }
    panic!("unknown model step {step}");
}

/// The cluster configuration from `CQLB_CONTACT_POINTS`, with a keyspace to use if given.
fn config(keyspace: Option<&str>) -> ClusterConfig {
    let points = std::env::var("CQLB_CONTACT_POINTS").unwrap_or_else(|_| "127.0.0.1".into());
    let mut builder = ClusterConfig::builder();
    for p in points.split(',').filter(|p| !p.is_empty()) {
        builder = builder.contact_point(p);
    }
    if let Some(ks) = keyspace {
        builder = builder.keyspace(ks);
    }
    builder.build().unwrap()
}

async fn run_step(
    s: &Session,
    step: &Json,
    ks: &str,
    models: &HashMap<String, ModelSchema>,
) -> Result<Json, Error> {
    if step.get("model").is_some() || step.get("model_batch").is_some() {
        return run_model_step(s, step, models).await;
    }
    if let Some(ms) = step["sleep_ms"].as_u64() {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        return Ok(json!({"error": null}));
    }
    if step.get("closed_session").is_some() || step.get("freed_handle").is_some() {
        // Ownership rules these out: a dropped Session (and what it made) cannot be used.
        return Ok(json!({"not_expressible": true}));
    }
    if let Some(name) = step["use_keyspace"].as_str() {
        s.use_keyspace(name).await?;
        return Ok(json!({"error": null}));
    }
    if let Some(name) = step["connect_keyspace"].as_str() {
        Session::connect(&config(Some(name))).await?;
        return Ok(json!({"error": null}));
    }
    let cql = |key: &str| step[key].as_str().unwrap().replace("{ks}", ks);
    if step.get("execute").is_some() {
        let text = cql("execute");
        let query = if step["prepared"].as_bool() == Some(true) {
            Query::Prepared(s.prepare(text).await?)
        } else {
            Query::Cql(Statement::new(text))
        };
        let rs = s
            .run_with(&query, &values(step.get("values")), None, &options(step))
            .await?;
        return Ok(json!({"error": null, "rows": rows(&rs), "applied": applied(&rs)}));
    }
    if step.get("pages").is_some() {
        let query = Query::Cql(Statement::new(cql("pages")));
        let vals = values(step.get("values"));
        let (mut pages, mut all) = (Vec::new(), Vec::new());
        let mut state: Option<Vec<u8>> = None;
        loop {
            let rs = s
                .run_with(&query, &vals, state.as_deref(), &options(step))
                .await?;
            pages.push(json!(rs.rows.len()));
            if let Json::Array(r) = rows(&rs) {
                all.extend(r);
            }
            state = rs.paging_state.clone();
            if state.is_none() {
                break;
            }
        }
        return Ok(json!({"error": null, "pages": pages, "rows": all}));
    }
    if let Some(kind_name) = step["batch"].as_str() {
        let kind = match kind_name {
            "LOGGED" => BatchType::Logged,
            "UNLOGGED" => BatchType::Unlogged,
            _ => BatchType::Counter,
        };
        let mut batch = Batch::new(kind);
        for st in step["statements"].as_array().unwrap() {
            let text = st["cql"].as_str().unwrap().replace("{ks}", ks);
            batch = batch.add(Statement::new(text), values(st.get("values")));
        }
        let rs = s.batch(&batch).await?;
        return Ok(json!({"error": null, "applied": applied(&rs)}));
    }
    if step.get("concurrent").is_some() {
        let query = Query::Prepared(s.prepare(cql("concurrent")).await?);
        let items = step["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (query.clone(), values(Some(r))))
            .collect();
        let limits = ConcurrencyOptions {
            concurrency: step["concurrency"].as_u64().unwrap_or(4) as usize,
            raise_on_first_error: false,
        };
        let outcomes = s.execute_concurrent(items, limits).await?;
        let outcomes: Vec<Json> = outcomes
            .iter()
            .map(|o| match o {
                Ok(_) => json!("ok"),
                Err(e) => json!(kind(e)),
            })
            .collect();
        return Ok(json!({"error": null, "outcomes": outcomes}));
    }
    panic!("unknown step {step}");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, output) = (&args[1], &args[2]);
    let session = Session::connect(&config(None)).await.unwrap();
    session
        .execute(format!("DROP KEYSPACE IF EXISTS {KEYSPACE}"), ())
        .await
        .unwrap();
    session
        .execute(format!("CREATE KEYSPACE {KEYSPACE} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"), ())
        .await
        .unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut results = Map::new();
    for path in files {
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for ddl in doc["schema"].as_array().into_iter().flatten() {
            let ddl = ddl.as_str().unwrap().replace("{ks}", KEYSPACE);
            session.execute(ddl, ()).await.unwrap();
        }
        let mut models = HashMap::new();
        for (name, def) in doc["models"].as_object().into_iter().flatten() {
            let m = model_of(name, def, &doc["models"]);
            session.sync_table(&m).await.unwrap();
            models.insert(name.clone(), m);
        }
        let group = doc["group"].as_str().unwrap();
        for sc in doc["scenarios"].as_array().unwrap() {
            let mut outcomes = Vec::new();
            for step in sc["steps"].as_array().unwrap() {
                outcomes.push(match run_step(&session, step, KEYSPACE, &models).await {
                    Ok(o) => o,
                    Err(e) => json!({"error": kind(&e)}),
                });
            }
            let key = format!("{group}/{}", sc["name"].as_str().unwrap());
            results.insert(key, Json::Array(outcomes));
        }
    }
    let out = json!({"language": "rust", "results": results});
    if let Some(parent) = Path::new(output).parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(output, serde_json::to_string_pretty(&out).unwrap()).unwrap();
}
