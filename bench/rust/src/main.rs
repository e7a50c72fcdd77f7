//! One benchmark run: a workload through one driver against the local node, printed as one
//! JSON line (ops/s, client CPU µs per op from getrusage over the timed part, p50/p99
//! latency, peak RSS). `bench/run.py` interleaves drivers and repetitions and writes the
//! report. Usage: bench <raw|core> <insert|select|scan> <concurrency or page size> <ops>.
//! A scan reads the whole table page by page (`ops` is ignored): its operations are rows,
//! its latencies pages.

use std::sync::Arc;
use std::time::Instant;

use futures::stream::{self, StreamExt};

const KS: &str = "cqlbridge_bench";

fn cpu_micros() -> f64 {
    // SAFETY: getrusage fills the struct we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 * 1e6 + v.tv_usec as f64;
    t(u.ru_utime) + t(u.ru_stime)
}

fn peak_rss_kb() -> i64 {
    // SAFETY: as above.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_maxrss
}

fn contact_point() -> String {
    std::env::var("CQLB_CONTACT_POINTS")
        .unwrap_or_else(|_| "127.0.0.1".into())
        .split(',')
        .next()
        .unwrap()
        .to_owned()
}

/// The table inserts go to: `kv`, or `$CQLB_BENCH_TABLE` (bench/run.py fills `kv1m` this way).
fn table() -> String {
    std::env::var("CQLB_BENCH_TABLE").unwrap_or_else(|_| "kv".into())
}

/// What one run measured.
struct Run {
    secs: f64,
    /// Per operation (per page for a scan), µs.
    lat: Vec<u32>,
    /// Client CPU over the timed part, µs.
    cpu: f64,
    /// Operations (rows for a scan).
    ops: usize,
}

impl Run {
    /// The run whose timed part began at `t0`, with `cpu0` µs of CPU used before it.
    fn since(t0: Instant, cpu0: f64, lat: Vec<u32>, ops: usize) -> Run {
        Run {
            secs: t0.elapsed().as_secs_f64(),
            lat,
            cpu: cpu_micros() - cpu0,
            ops,
        }
    }
}

/// Runs `ops` operations, `concurrency` at a time; returns each one's latency in µs, and
/// how many ran.
async fn timed<F, Fut>(ops: usize, concurrency: usize, op: F) -> (Vec<u32>, usize)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let lat = stream::iter(0..ops)
        .map(|i| {
            let started = Instant::now();
            let fut = op(i);
            async move {
                fut.await;
                started.elapsed().as_micros() as u32
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<u32>>()
        .await;
    (lat, ops)
}

async fn run_raw(workload: &str, concurrency: usize, ops: usize) -> Run {
    use scylla::client::session_builder::SessionBuilder;
    use scylla::response::{PagingState, PagingStateResponse};
    let session = Arc::new(
        SessionBuilder::new()
            .known_node(format!("{}:9042", contact_point()))
            .build()
            .await
            .expect("connect"),
    );
    let insert = session
        .prepare(format!(
            "INSERT INTO {KS}.{} (k, a, t) VALUES (?, ?, ?)",
            table()
        ))
        .await
        .unwrap();
    let select = session
        .prepare(format!("SELECT k, a, t FROM {KS}.kv WHERE k = ?"))
        .await
        .unwrap();
    let mut scan = session
        .prepare(format!("SELECT k, a, t FROM {KS}.kv"))
        .await
        .unwrap();
    scan.set_page_size(concurrency as i32);
    let (cpu0, t0) = (cpu_micros(), Instant::now());
    let (lat, ops) = match workload {
        "insert" => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), insert.clone());
                async move {
                    s.execute_unpaged(&p, (i as i64, i as i64 * 7, format!("value {i}")))
                        .await
                        .unwrap();
                }
            })
            .await
        }
        "select" => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), select.clone());
                async move {
                    let result = s
                        .execute_unpaged(&p, ((i % 100_000) as i64,))
                        .await
                        .unwrap();
                    let rows = result.into_rows_result().unwrap();
                    for row in rows.rows::<(i64, i64, &str)>().unwrap() {
                        std::hint::black_box(row.unwrap());
                    }
                }
            })
            .await
        }
        _ => {
            let (mut state, mut lat, mut rows) = (PagingState::start(), Vec::new(), 0);
            loop {
                let started = Instant::now();
                let (result, next) = session.execute_single_page(&scan, (), state).await.unwrap();
                for row in result
                    .into_rows_result()
                    .unwrap()
                    .rows::<(i64, i64, &str)>()
                    .unwrap()
                {
                    std::hint::black_box(row.unwrap());
                    rows += 1;
                }
                lat.push(started.elapsed().as_micros() as u32);
                match next {
                    PagingStateResponse::HasMorePages { state: s } => state = s,
                    PagingStateResponse::NoMorePages => break,
                }
            }
            (lat, rows)
        }
    };
    Run::since(t0, cpu0, lat, ops)
}

async fn run_core(workload: &str, concurrency: usize, ops: usize) -> Run {
    use cqlbridge_core::{ClusterConfig, Session, Statement, Value, Values};
    let config = ClusterConfig::builder()
        .contact_point(contact_point())
        .build()
        .unwrap();
    let session = Arc::new(Session::connect(&config).await.expect("connect"));
    let insert = session
        .prepare(format!(
            "INSERT INTO {KS}.{} (k, a, t) VALUES (?, ?, ?)",
            table()
        ))
        .await
        .unwrap();
    let select = session
        .prepare(format!("SELECT k, a, t FROM {KS}.kv WHERE k = ?"))
        .await
        .unwrap();
    let mut statement = Statement::new(format!("SELECT k, a, t FROM {KS}.kv"));
    statement.options.page_size = Some(concurrency as i32);
    let scan = session.prepare(statement).await.unwrap();
    let (cpu0, t0) = (cpu_micros(), Instant::now());
    let (lat, ops) = match workload {
        "insert" => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), insert.clone());
                async move {
                    let v = Values::Positional(vec![
                        Value::BigInt(i as i64),
                        Value::BigInt(i as i64 * 7),
                        Value::Text(format!("value {i}")),
                    ]);
                    s.execute_prepared(&p, v).await.unwrap();
                }
            })
            .await
        }
        "select" => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), select.clone());
                async move {
                    let v = Values::Positional(vec![Value::BigInt((i % 100_000) as i64)]);
                    std::hint::black_box(s.execute_prepared(&p, v).await.unwrap());
                }
            })
            .await
        }
        _ => {
            let (mut state, mut lat, mut rows) = (None::<Vec<u8>>, Vec::new(), 0);
            loop {
                let started = Instant::now();
                let page = session
                    .execute_prepared_page(&scan, Values::default(), state.as_deref())
                    .await
                    .unwrap();
                rows += std::hint::black_box(&page.rows).len();
                lat.push(started.elapsed().as_micros() as u32);
                match page.paging_state {
                    Some(next) => state = Some(next),
                    None => break,
                }
            }
            (lat, rows)
        }
    };
    Run::since(t0, cpu0, lat, ops)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (driver, workload) = (args[1].as_str(), args[2].as_str());
    let concurrency: usize = args[3].parse().unwrap();
    let ops: usize = args[4].parse().unwrap();
    // The same runtime shape for both: core owns a 2-worker runtime; raw scylla gets one too.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Run {
        secs,
        mut lat,
        cpu,
        ops,
    } = rt.block_on(async {
        match driver {
            "raw" => run_raw(workload, concurrency, ops).await,
            _ => run_core(workload, concurrency, ops).await,
        }
    });
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "{}",
        serde_json::json!({
            "driver": driver, "workload": workload, "concurrency": concurrency, "ops": ops,
            "ops_per_s": ops as f64 / secs, "cpu_us_per_op": cpu / ops as f64,
            "p50_us": pct(0.5), "p99_us": pct(0.99), "peak_rss_kb": peak_rss_kb(),
        })
    );
}
