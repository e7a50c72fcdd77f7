//! Connecting: to the real node, with a keyspace, and to addresses where no node answers.

mod common;

use std::time::{Duration, Instant};

use cqlbridge_core::{ClusterConfig, CqlType, ErrorKind, Session, Statement, Value};

#[tokio::test]
async fn connects_and_reads_the_server_version() {
    let session = common::connect().await;
    let rs = session
        .execute("SELECT release_version, cluster_name FROM system.local", ())
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1);
    assert_eq!(rs.columns[0].name, "release_version");
    assert_eq!(rs.columns[0].typ, CqlType::Text);
    assert_eq!(
        (
            rs.columns[0].keyspace.as_str(),
            rs.columns[0].table.as_str()
        ),
        ("system", "local")
    );
    match &rs.rows[0][0] {
        Value::Text(v) => assert!(v.starts_with("5.0."), "Cassandra 5.0, got {v}"),
        other => panic!("release_version is text, got {other:?}"),
    }
}

#[tokio::test]
async fn connects_straight_into_a_keyspace() {
    let config = ClusterConfig::builder()
        .contact_points(common::contact_points())
        .keyspace("system_schema")
        .build()
        .unwrap();
    let session = Session::connect(&config).await.unwrap();
    assert_eq!(session.keyspace().as_deref(), Some("system_schema"));
    let rs = session
        .execute("SELECT keyspace_name FROM keyspaces", ())
        .await
        .unwrap();
    assert!(rs.rows.iter().any(|r| r[0] == Value::Text("system".into())));
}

#[tokio::test]
async fn a_contact_point_with_nothing_listening_fails_fast_and_clearly() {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    let config = ClusterConfig::builder()
        .contact_point("127.0.0.1:1")
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = Session::connect(&config).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(err.kind(), ErrorKind::NoHostAvailable, "{err:?}");
    assert!(
        err.to_string().contains("127.0.0.1:1"),
        "names the address: {err}"
    );
}

#[tokio::test]
async fn a_contact_point_that_never_answers_fails_within_the_connect_timeout() {
    // A listener that accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let timeout = Duration::from_secs(1);
    let config = ClusterConfig::builder()
        .contact_point(addr.to_string())
        .connect_timeout(timeout)
        .request_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = Session::connect(&config).await.unwrap_err();
    let took = started.elapsed();
    silent.abort();
    assert!(took >= timeout, "waited for the timeout, took {took:?}");
    assert!(took < timeout * 3, "gave up in time, took {took:?}");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::NoHostAvailable | ErrorKind::OperationTimedOut
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn pages_follow_the_page_size_and_resume_from_a_paging_state() {
    let session = common::session_with(
        "cqlb_it_connect",
        &["CREATE TABLE IF NOT EXISTS paged (p int, c int, PRIMARY KEY (p, c))"],
    )
    .await;
    let insert = session
        .prepare("INSERT INTO paged (p, c) VALUES (0, ?)")
        .await
        .unwrap();
    for c in 0..25 {
        session
            .execute_prepared(&insert, vec![Value::Int(c)])
            .await
            .unwrap();
    }
    let select = Statement::new("SELECT c FROM paged WHERE p = 0").with_page_size(10);
    let mut seen = Vec::new();
    let mut state: Option<Vec<u8>> = None;
    let mut pages = 0;
    loop {
        let page = session
            .execute_page(select.clone(), (), state.as_deref())
            .await
            .unwrap();
        pages += 1;
        assert!(page.rows.len() <= 10);
        seen.extend(page.rows.iter().map(|r| r[0].clone()));
        state = page.paging_state;
        if state.is_none() {
            break;
        }
    }
    assert_eq!(seen, (0..25).map(Value::Int).collect::<Vec<_>>());
    assert!(pages >= 3, "{pages} pages");
}

/// Pre-forking servers connect in each worker after fork: the child builds a runtime of its
/// own and connects; a session the parent made answers ForkedProcess there, never hangs.
#[test]
fn after_fork_the_parents_session_refuses_and_the_child_connects_anew() {
    use cqlbridge_core::{runtime, Error};
    let session = runtime::block_on(common::connect()).unwrap();
    let session = std::sync::Arc::new(session);
    let parent = std::process::id();
    // SAFETY: the child uses only core's API (which builds a runtime for it) and exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let old = session.clone();
        let code = match runtime::block_on(async move {
            old.execute("SELECT now() FROM system.local", ()).await
        }) {
            Ok(Err(Error::ForkedProcess { parent: p })) if p == parent => {
                let fresh = runtime::block_on(async {
                    let s = common::connect().await;
                    s.execute("SELECT now() FROM system.local", ())
                        .await
                        .map(|rs| rs.rows.len())
                });
                if matches!(fresh, Ok(Ok(1))) {
                    0
                } else {
                    2
                }
            }
            _ => 1,
        };
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child exit status {} (1: the old session did not refuse, 2: no new connection)",
        libc::WEXITSTATUS(status)
    );
    let s = session.clone();
    assert!(
        runtime::block_on(async move { s.execute("SELECT now() FROM system.local", ()).await })
            .unwrap()
            .is_ok(),
        "the parent's session still works"
    );
}
