//! The driver's behaviours against the real node: async futures and callbacks, managed
//! concurrency, paging, batches, lightweight transactions, tracing and server warnings.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cqlbridge_core::{
    runtime, Batch, BatchType, ConcurrencyOptions, Consistency, Error, ErrorKind, Query,
    SerialConsistency, ServerErrorKind, Session, Statement, Value, Values,
};
use futures::StreamExt;

const KS: &str = "cqlb_it_driver";
const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v int)",
    "CREATE TABLE IF NOT EXISTS paged (p int, c int, PRIMARY KEY (p, c))",
    "CREATE TABLE IF NOT EXISTS wide (p int, c int, payload text, PRIMARY KEY (p, c))",
    "CREATE TABLE IF NOT EXISTS counts (k int PRIMARY KEY, n counter)",
];

/// A session connected on core's runtime, as front ends connect.
fn session_on_runtime() -> Arc<Session> {
    Arc::new(runtime::block_on(async { common::session_with(KS, DDL).await }).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_gives_every_row_once_at_every_page_size_and_when_resumed() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO paged (p, c) VALUES (1, ?)")
        .await
        .unwrap();
    let rows: Vec<Values> = (0..100)
        .map(|c| Values::Positional(vec![Value::Int(c)]))
        .collect();
    let done = session
        .execute_concurrent_with_args(&insert, rows, ConcurrencyOptions::default())
        .await
        .unwrap();
    assert!(done.iter().all(Result::is_ok));
    let expected: Vec<Value> = (0..100).map(Value::Int).collect();
    for size in [2, 3, 7, 10, 99, 100, 101, 10000] {
        let select = Statement::new("SELECT c FROM paged WHERE p = 1").with_page_size(size);
        // Page by page, resuming each time from the saved paging state.
        let (mut seen, mut state, mut pages) = (Vec::new(), None::<Vec<u8>>, 0);
        loop {
            let page = session
                .execute_page(select.clone(), (), state.as_deref())
                .await
                .unwrap();
            assert!(page.rows.len() <= size as usize, "page size {size}");
            pages += 1;
            seen.extend(page.rows.into_iter().map(|mut r| r.remove(0)));
            state = page.paging_state;
            if state.is_none() {
                break;
            }
        }
        assert_eq!(seen, expected, "page size {size}, {pages} pages");
        assert!(
            pages >= 100 / size as usize,
            "page size {size} gave {pages} pages"
        );
        // Streaming, one page fetched ahead.
        let mut stream = session
            .execute_stream(Query::Cql(select), ())
            .await
            .unwrap();
        assert_eq!(stream.columns()[0].name, "c");
        let mut streamed = Vec::new();
        while let Some(row) = stream.next().await {
            streamed.push(row.unwrap().remove(0));
        }
        assert_eq!(streamed, expected, "streamed at page size {size}");
    }
    // A paging state saved from one page resumes in another request.
    let select = Statement::new("SELECT c FROM paged WHERE p = 1").with_page_size(30);
    let first = session
        .execute_page(select.clone(), (), None)
        .await
        .unwrap();
    let saved = first.paging_state.clone().unwrap();
    let second = session
        .execute_page(select, (), Some(&saved))
        .await
        .unwrap();
    assert_eq!(second.rows[0][0], Value::Int(30));
}

#[test]
fn async_execution_completes_futures_and_fires_callbacks_exactly_once() {
    let session = session_on_runtime();
    let insert = runtime::block_on({
        let s = session.clone();
        async move { s.prepare("INSERT INTO kv (k, v) VALUES (?, ?)").await }
    })
    .unwrap()
    .unwrap();
    const N: usize = 10_000;
    let fired = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let futures: Vec<_> = (0..N)
        .map(|i| {
            session.execute_async(
                &insert,
                vec![Value::Int(10_000 + i as i32), Value::Int(i as i32)],
            )
        })
        .collect();
    // Register while the requests race to complete: some before, some after completion.
    for f in &futures {
        let (fired, failed) = (fired.clone(), failed.clone());
        f.on_complete(move |done| {
            if done.try_get().is_some_and(Result::is_err) {
                failed.fetch_add(1, Ordering::SeqCst);
            }
            fired.fetch_add(1, Ordering::SeqCst);
        });
    }
    for f in &futures {
        assert!(f.wait().unwrap().is_ok());
    }
    // Callbacks run on the completing thread; give the last ones a moment to return.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while fired.load(Ordering::SeqCst) < N && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        fired.load(Ordering::SeqCst),
        N,
        "every callback fired exactly once"
    );
    assert_eq!(failed.load(Ordering::SeqCst), 0);
    // Registered after completion: fires at once, on this thread.
    let late = Arc::new(AtomicUsize::new(0));
    let l = late.clone();
    futures[0].on_complete(move |_| {
        l.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(late.load(Ordering::SeqCst), 1);
}

#[test]
fn waiting_inside_a_callback_would_deadlock() {
    let session = session_on_runtime();
    let slow = session.execute_async("SELECT * FROM system.local", ());
    let other = session.execute_async("SELECT * FROM system.peers", ());
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let other2 = other.clone();
    slow.on_complete(move |_| {
        // On a runtime thread: blocking is refused unless the other future is already done.
        let outcome = other2.wait_timeout(Duration::from_secs(5)).err();
        *s.lock().unwrap() = Some(outcome);
    });
    slow.wait().unwrap().as_ref().unwrap();
    other.wait().unwrap().as_ref().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    match seen.lock().unwrap().clone() {
        // Either the other future was already complete (a non-blocking read) or blocking was
        // refused; it never blocked a runtime thread.
        Some(Some(e)) => assert_eq!(e, Error::WouldDeadlock),
        Some(None) => assert!(other.is_ready()),
        None => panic!("the callback did not run"),
    }
    // A pending future waited on from a runtime thread is always refused.
    let pending = cqlbridge_core::Completion::<u8>::new();
    let p = pending.clone();
    let refused = runtime::block_on(async move { p.wait().map(|_| ()) }).unwrap();
    assert_eq!(refused, Err(Error::WouldDeadlock));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_execution_reports_each_error_at_its_position_or_raises_the_first() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
        .await
        .unwrap();
    // Row 42 has a null partition key: the server refuses it.
    let rows = |base: i32| -> Vec<Values> {
        (0..100)
            .map(|i| {
                let k = if i == 42 {
                    Value::Null
                } else {
                    Value::Int(base + i)
                };
                Values::Positional(vec![k, Value::Int(i)])
            })
            .collect()
    };
    let options = ConcurrencyOptions {
        concurrency: 8,
        raise_on_first_error: false,
    };
    let results = session
        .execute_concurrent_with_args(&insert, rows(1000), options)
        .await
        .unwrap();
    assert_eq!(results.len(), 100);
    for (i, r) in results.iter().enumerate() {
        if i == 42 {
            let err = r.as_ref().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err:?}");
        } else {
            assert!(r.is_ok(), "row {i}: {r:?}");
        }
    }
    let keys = Value::List((1000..1100).map(Value::Int).collect());
    let written = session
        .execute("SELECT k FROM kv WHERE k IN ?", vec![keys])
        .await
        .unwrap();
    assert_eq!(
        written.rows.len(),
        99,
        "every row but the bad one was written"
    );
    let options = ConcurrencyOptions {
        concurrency: 8,
        raise_on_first_error: true,
    };
    let err = session
        .execute_concurrent_with_args(&insert, rows(2000), options)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Server(s) if s.kind == ServerErrorKind::Invalid),
        "{err:?}"
    );
    // Streamed in input order.
    let items: Vec<(Query, Values)> = (0..20)
        .map(|i| {
            (
                Query::from("SELECT v FROM kv WHERE k = ?"),
                Values::Positional(vec![Value::Int(1000 + i)]),
            )
        })
        .collect();
    let streamed: Vec<_> = session.execute_concurrent_stream(items, 4).collect().await;
    let values: Vec<_> = streamed
        .into_iter()
        .map(|r| r.unwrap().rows[0][0].clone())
        .collect();
    assert_eq!(values, (0..20).map(Value::Int).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lwt_reports_applied_and_the_existing_row_at_serial_and_local_serial() {
    let session = common::session_with(KS, DDL).await;
    for (k, serial) in [
        (1, SerialConsistency::Serial),
        (2, SerialConsistency::LocalSerial),
    ] {
        session
            .execute("INSERT INTO kv (k, v) VALUES (?, 0)", vec![Value::Int(k)])
            .await
            .unwrap();
        let update = Statement::new("UPDATE kv SET v = 2 WHERE k = ? IF v = 1")
            .with_serial_consistency(serial);
        let rs = session.execute(update, vec![Value::Int(k)]).await.unwrap();
        assert_eq!(rs.was_applied(), Some(false), "{serial:?}");
        assert_eq!(rs.lwt_existing_row(), vec![("v".to_owned(), Value::Int(0))]);
        let update = Statement::new("UPDATE kv SET v = 2 WHERE k = ? IF v = 0")
            .with_serial_consistency(serial);
        let rs = session.execute(update, vec![Value::Int(k)]).await.unwrap();
        assert_eq!(rs.was_applied(), Some(true));
        assert!(rs.lwt_existing_row().is_empty());
        let read = Statement::new("SELECT v FROM kv WHERE k = ?").with_consistency(match serial {
            SerialConsistency::Serial => Consistency::Serial,
            SerialConsistency::LocalSerial => Consistency::LocalSerial,
        });
        assert_eq!(
            session
                .execute(read, vec![Value::Int(k)])
                .await
                .unwrap()
                .rows,
            vec![vec![Value::Int(2)]]
        );
    }
    let rs = session
        .execute("SELECT v FROM kv WHERE k = 1", ())
        .await
        .unwrap();
    assert_eq!(rs.was_applied(), None, "not a conditional statement");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conditional_batch_that_is_not_applied_writes_nothing() {
    let session = common::session_with(KS, DDL).await;
    session
        .execute(
            "INSERT INTO wide (p, c, payload) VALUES (7, 1, 'existing')",
            (),
        )
        .await
        .unwrap();
    session
        .execute("DELETE FROM wide WHERE p = 7 AND c = 2", ())
        .await
        .unwrap();
    let batch = Batch::new(BatchType::Logged)
        .add(
            "INSERT INTO wide (p, c, payload) VALUES (7, 1, 'new') IF NOT EXISTS",
            (),
        )
        .add(
            "INSERT INTO wide (p, c, payload) VALUES (?, ?, ?)",
            vec![Value::Int(7), Value::Int(2), Value::from("plain")],
        );
    let rs = session.batch(&batch).await.unwrap();
    assert_eq!(rs.was_applied(), Some(false));
    let existing: Vec<_> = rs.lwt_existing_row();
    assert!(
        existing.contains(&("payload".to_owned(), Value::from("existing"))),
        "{existing:?}"
    );
    let rs = session
        .execute("SELECT c, payload FROM wide WHERE p = 7", ())
        .await
        .unwrap();
    assert_eq!(
        rs.rows,
        vec![vec![Value::Int(1), Value::from("existing")]],
        "the plain statement was not written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_of_every_kind_mix_simple_and_prepared_statements() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO wide (p, c, payload) VALUES (?, ?, ?)")
        .await
        .unwrap();
    for (p, kind) in [(20, BatchType::Logged), (21, BatchType::Unlogged)] {
        let batch = Batch::new(kind)
            .add(
                &insert,
                vec![Value::Int(p), Value::Int(1), Value::from("prepared")],
            )
            .add(
                "INSERT INTO wide (p, c, payload) VALUES (?, 2, ?)",
                vec![Value::Int(p), Value::from("simple with values")],
            )
            .add(
                format!("INSERT INTO wide (p, c, payload) VALUES ({p}, 3, 'simple')"),
                (),
            )
            .with_options(cqlbridge_core::StatementOptions {
                timestamp: Some(1_000_000),
                consistency: Some(Consistency::One),
                ..Default::default()
            });
        session.batch(&batch).await.unwrap();
        let rs = session
            .execute(
                "SELECT c, payload, writetime(payload) FROM wide WHERE p = ?",
                vec![Value::Int(p)],
            )
            .await
            .unwrap();
        assert_eq!(rs.rows.len(), 3, "{kind:?}");
        assert!(
            rs.rows.iter().all(|r| r[2] == Value::BigInt(1_000_000)),
            "the batch timestamp applies: {:?}",
            rs.rows
        );
    }
    session.execute("TRUNCATE counts", ()).await.unwrap();
    let counter = Batch::new(BatchType::Counter)
        .add(
            "UPDATE counts SET n = n + ? WHERE k = 1",
            vec![Value::BigInt(5)],
        )
        .add("UPDATE counts SET n = n + 2 WHERE k = 1", ());
    session.batch(&counter).await.unwrap();
    let rs = session
        .execute("SELECT n FROM counts WHERE k = 1", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![Value::Counter(7)]]);
    let bad = Batch::new(BatchType::Logged).add(&insert, vec![Value::Int(1)]);
    let err = session.batch(&bad).await.unwrap_err();
    assert!(err.to_string().contains("batch statement 0"), "{err}");
    // A statement that does not bind fails the batch with its bind error's kind.
    assert_eq!(err.kind(), ErrorKind::BindError, "{err}");
    assert!(
        matches!(&err, Error::BatchBind { statement: 0, error } if matches!(**error, Error::BindArity { .. })),
        "{err:?}"
    );
    assert!(matches!(
        session.batch(&Batch::new(BatchType::Logged)).await,
        Err(Error::InvalidArgument(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracing_returns_events_and_large_batches_return_the_servers_warning() {
    let session = common::session_with(KS, DDL).await;
    let traced = Statement::new("SELECT * FROM kv WHERE k = 1").with_tracing(true);
    let rs = session.execute(traced, ()).await.unwrap();
    let id = rs.tracing_id.expect("a tracing id");
    let trace = session.trace(id).await.unwrap();
    assert!(!trace.events.is_empty(), "trace has events");
    assert!(trace.coordinator.is_some());
    let activities: HashSet<_> = trace.events.iter().map(|e| e.activity.as_str()).collect();
    assert!(
        activities
            .iter()
            .any(|a| a.contains("Parsing") || a.contains("Preparing") || a.contains("Executing")),
        "{activities:?}"
    );
    // Over batch_size_warn_threshold (5 KiB) across several partitions (the server checks the
    // size of multi-partition batches only): the server warns.
    let big = "x".repeat(2048);
    let mut batch = Batch::new(BatchType::Logged);
    for p in 0..8 {
        batch = batch.add(
            "INSERT INTO wide (p, c, payload) VALUES (?, 0, ?)",
            vec![Value::Int(300 + p), Value::from(big.as_str())],
        );
    }
    let rs = session.batch(&batch).await.unwrap();
    assert!(
        rs.warnings
            .iter()
            .any(|w| w.to_lowercase().contains("batch")),
        "warnings: {:?}",
        rs.warnings
    );
}
