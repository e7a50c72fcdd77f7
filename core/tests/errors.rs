//! Errors are typed and carry what the server said; bad binds fail before anything is sent.

mod common;

use cqlbridge_core::{Error, ErrorKind, ServerErrorKind, Value, Values};

const KS: &str = "cqlb_it_errors";
const DDL: &[&str] = &["CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text)"];

#[tokio::test]
async fn invalid_cql_is_a_syntax_error_with_the_servers_message() {
    let session = common::session_with(KS, DDL).await;
    let err = session.execute("SELEC * FROM kv", ()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyntaxError, "{err:?}");
    let server = err.server_error().expect("server details");
    assert!(
        server.message.contains("SELEC"),
        "server message kept: {}",
        server.message
    );
    // Preparing reports the same.
    let err = session.prepare("SELEC * FROM kv").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyntaxError, "{err:?}");
}

#[tokio::test]
async fn unknown_tables_and_keyspaces_are_invalid_requests() {
    let session = common::session_with(KS, DDL).await;
    let err = session
        .execute("SELECT * FROM no_such_table", ())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Server(s) if s.kind == ServerErrorKind::Invalid),
        "{err:?}"
    );
    assert!(err.to_string().contains("no_such_table"), "{err}");
    let err = session.use_keyspace("no_such_keyspace").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err:?}");
}

#[tokio::test]
async fn creating_an_existing_table_is_already_exists_with_its_name() {
    let session = common::session_with(KS, DDL).await;
    let err = session
        .execute("CREATE TABLE kv (k int PRIMARY KEY)", ())
        .await
        .unwrap_err();
    match &err {
        Error::Server(s) => match &s.kind {
            ServerErrorKind::AlreadyExists { keyspace, table } => {
                assert_eq!((keyspace.as_str(), table.as_str()), (KS, "kv"));
            }
            other => panic!("expected AlreadyExists, got {other:?}"),
        },
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_bind_count_fails_before_anything_is_sent() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
        .await
        .unwrap();
    let err = session
        .execute_prepared(&insert, vec![Value::Int(100)])
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::BindArity {
            expected: 2,
            got: 1
        }
    );
    let err = session
        .execute_prepared(
            &insert,
            vec![Value::Int(100), Value::Text("x".into()), Value::Int(1)],
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::BindArity {
            expected: 2,
            got: 3
        }
    );
    // The same through a simple statement with values.
    let err = session
        .execute("INSERT INTO kv (k, v) VALUES (?, ?)", vec![Value::Int(100)])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BindError);
    let rs = session
        .execute("SELECT * FROM kv WHERE k = 100", ())
        .await
        .unwrap();
    assert!(rs.rows.is_empty(), "nothing was written");
}

#[tokio::test]
async fn a_wrong_bind_type_names_the_marker_and_both_types() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
        .await
        .unwrap();
    let err = session
        .execute_prepared(
            &insert,
            vec![Value::Text("not an int".into()), Value::Text("x".into())],
        )
        .await
        .unwrap_err();
    match &err {
        Error::BindType {
            index,
            column,
            reason,
        } => {
            assert_eq!((*index, column.as_str()), (0, "k"));
            assert_eq!(reason, "a text value cannot be bound to int");
        }
        other => panic!("expected BindType, got {other:?}"),
    }
    let err = session
        .execute_prepared(
            &insert,
            vec![Value::BigInt(1 << 40), Value::Text("x".into())],
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("out of range for int"), "{err}");
    let err = session
        .execute(
            "INSERT INTO kv (k, v) VALUES (:k, :v)",
            Values::Named(vec![
                ("k".into(), Value::Int(1)),
                ("nope".into(), Value::Int(1)),
            ]),
        )
        .await
        .unwrap_err();
    assert_eq!(err, Error::UnknownBindName("nope".into()));
    let rs = session
        .execute("SELECT * FROM kv WHERE k = 1", ())
        .await
        .unwrap();
    assert!(rs.rows.is_empty(), "nothing was written");
}
