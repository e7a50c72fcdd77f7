//! One benchmark run: a workload through one driver against the local node, printed as one
//! JSON line (ops/s, client CPU µs per op from getrusage over the timed part, p50/p99
//! latency, peak RSS). `bench/run.py` interleaves drivers and repetitions and writes the
//! report. Usage: bench <raw|core> <insert|select> <concurrency> <ops>.

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

/// Runs `ops` operations, `concurrency` at a time; returns each one's latency in µs.
async fn timed<F, Fut>(ops: usize, concurrency: usize, op: F) -> Vec<u32>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    stream::iter(0..ops)
        .map(|i| {
            let started = Instant::now();
            let fut = op(i);
            async move {
                fut.await;
                started.elapsed().as_micros() as u32
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

async fn run_raw(workload: &str, concurrency: usize, ops: usize) -> (f64, Vec<u32>, f64) {
    use scylla::client::session_builder::SessionBuilder;
    let session = Arc::new(
        SessionBuilder::new()
            .known_node(format!("{}:9042", contact_point()))
            .build()
            .await
            .expect("connect"),
    );
    let insert = session
        .prepare(format!("INSERT INTO {KS}.kv (k, a, t) VALUES (?, ?, ?)"))
        .await
        .unwrap();
    let select = session
        .prepare(format!("SELECT k, a, t FROM {KS}.kv WHERE k = ?"))
        .await
        .unwrap();
    let (cpu0, t0) = (cpu_micros(), Instant::now());
    let lat = match workload {
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
        _ => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), select.clone());
                async move {
                    s.execute_unpaged(&p, ((i % 100_000) as i64,))
                        .await
                        .unwrap();
                }
            })
            .await
        }
    };
    (t0.elapsed().as_secs_f64(), lat, cpu_micros() - cpu0)
}

async fn run_core(workload: &str, concurrency: usize, ops: usize) -> (f64, Vec<u32>, f64) {
    use cqlbridge_core::{ClusterConfig, Session, Value, Values};
    let config = ClusterConfig::builder()
        .contact_point(contact_point())
        .build()
        .unwrap();
    let session = Arc::new(Session::connect(&config).await.expect("connect"));
    let insert = session
        .prepare(format!("INSERT INTO {KS}.kv (k, a, t) VALUES (?, ?, ?)"))
        .await
        .unwrap();
    let select = session
        .prepare(format!("SELECT k, a, t FROM {KS}.kv WHERE k = ?"))
        .await
        .unwrap();
    let (cpu0, t0) = (cpu_micros(), Instant::now());
    let lat = match workload {
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
        _ => {
            timed(ops, concurrency, |i| {
                let (s, p) = (session.clone(), select.clone());
                async move {
                    let v = Values::Positional(vec![Value::BigInt((i % 100_000) as i64)]);
                    s.execute_prepared(&p, v).await.unwrap();
                }
            })
            .await
        }
    };
    (t0.elapsed().as_secs_f64(), lat, cpu_micros() - cpu0)
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
    let (secs, mut lat, cpu) = rt.block_on(async {
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
