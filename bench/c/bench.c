/* One benchmark run through cqlbridge's C ABI, printed as one JSON line like the other
 * tiers (bench/run.py): a workload against the local node, or the per-call micro-benchmark.
 *
 *   bench-c <insert|select> <concurrency> <ops>   prepared statements, `concurrency` in
 *                                                  flight: each completion callback starts
 *                                                  the next request
 *   bench-c scan <page size> 0                     the whole table, page by page
 *   bench-c micro <calls> [handle|stale|version]   ns per call: a handle-resolving no-op
 *                                                  call, a stale handle, no handle at all
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cqlbridge.h"

#define KS "cqlbridge_bench"
#define LOCAL_ONE 0x000A

static void check(enum cqlb_status s, const char *what) {
  if (s != CQLB_OK) {
    const char *message = "";
    size_t len = 0;
    cqlb_last_error_message(&message, &len);
    fprintf(stderr, "%s failed: %s (%.*s)\n", what, cqlb_status_name(s), (int)len, message);
    exit(1);
  }
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* User + system CPU of the process so far, in µs. */
static double cpu_us(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

static long peak_rss_kb(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const char *workload, long concurrency, long ops, double secs, double cpu,
                   double *lat, long nlat) {
  qsort(lat, (size_t)nlat, sizeof *lat, cmp_double);
  printf("{\"driver\": \"c\", \"workload\": \"%s\", \"concurrency\": %ld, \"ops\": %ld, "
         "\"ops_per_s\": %f, \"cpu_us_per_op\": %f, \"p50_us\": %f, \"p99_us\": %f, "
         "\"peak_rss_kb\": %ld}\n",
         workload, concurrency, ops, ops / secs, cpu / ops, lat[(long)((nlat - 1) * 0.5)],
         lat[(long)((nlat - 1) * 0.99)], peak_rss_kb());
}

static struct cqlb_session connect_session(void) {
  const char *hosts = getenv("CQLB_CONTACT_POINTS");
  char host[256] = "127.0.0.1";
  if (hosts) {
    snprintf(host, sizeof host, "%s", hosts);
    host[strcspn(host, ",:")] = 0;
  }
  struct cqlb_cluster_config config;
  check(cqlb_cluster_config_new(&config), "config");
  check(cqlb_cluster_config_add_contact_point(config, host, strlen(host)), "contact point");
  check(cqlb_cluster_config_set_consistency(config, LOCAL_ONE), "consistency");
  struct cqlb_future f;
  check(cqlb_session_connect(config, &f), "connect");
  check(cqlb_future_wait(f), "connect wait");
  enum cqlb_status status;
  check(cqlb_future_status(f, &status), "connect status");
  check(status, "connect");
  struct cqlb_session session;
  check(cqlb_future_session(f, &session), "session");
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  return session;
}

static struct cqlb_prepared prepare(struct cqlb_session session, const char *cql) {
  struct cqlb_prepared p;
  check(cqlb_session_prepare(session, cql, strlen(cql), &p), cql);
  return p;
}

/* The request window: shared by the callbacks (library threads) and main. */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t all_done;
  struct cqlb_session session;
  struct cqlb_prepared stmt;
  int insert;
  long ops, next, finished;
  double *started, *lat;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .all_done = PTHREAD_COND_INITIALIZER};

/* Reads every (k, a, t) row of a result, as an application would; returns how many. */
static size_t read_rows(struct cqlb_result r) {
  size_t rows;
  check(cqlb_result_row_count(r, &rows), "rows");
  for (size_t row = 0; row < rows; row++) {
    int64_t k, a;
    const char *t;
    size_t len;
    check(cqlb_result_get_int64(r, row, 0, &k), "k");
    check(cqlb_result_get_int64(r, row, 1, &a), "a");
    check(cqlb_result_get_string(r, row, 2, &t, &len), "t");
  }
  return rows;
}

static void start_one(void);

static void on_complete(struct cqlb_future f, void *userdata) {
  long i = (long)(intptr_t)userdata;
  enum cqlb_status status;
  check(cqlb_future_status(f, &status), "status");
  check(status, "request");
  if (!w.insert) { /* read the row, as an application would */
    struct cqlb_result r;
    check(cqlb_future_result(f, &r), "result");
    read_rows(r);
    cqlb_result_free(r);
  }
  cqlb_future_free(f);
  w.lat[i] = now_us() - w.started[i];
  pthread_mutex_lock(&w.lock);
  int done = ++w.finished == w.ops;
  pthread_mutex_unlock(&w.lock);
  if (done)
    pthread_cond_signal(&w.all_done);
  else
    start_one();
}

static void start_one(void) {
  pthread_mutex_lock(&w.lock);
  long i = w.next < w.ops ? w.next++ : -1;
  pthread_mutex_unlock(&w.lock);
  if (i < 0) return;
  struct cqlb_statement st;
  check(cqlb_prepared_bind(w.stmt, &st), "bind");
  if (w.insert) {
    char text[32];
    int len = snprintf(text, sizeof text, "value %ld", i);
    check(cqlb_statement_bind_int64(st, 0, i), "bind k");
    check(cqlb_statement_bind_int64(st, 1, i * 7), "bind a");
    check(cqlb_statement_bind_string(st, 2, text, (size_t)len), "bind t");
  } else {
    check(cqlb_statement_bind_int64(st, 0, i % 100000), "bind k");
  }
  w.started[i] = now_us();
  struct cqlb_future f;
  check(cqlb_session_execute_async(w.session, st, &f), "execute");
  cqlb_statement_free(st);
  check(cqlb_future_set_callback(f, on_complete, (void *)(intptr_t)i), "callback");
}

static void run_window(const char *workload, long concurrency, long ops) {
  w.session = connect_session();
  w.insert = strcmp(workload, "insert") == 0;
  w.stmt = prepare(w.session, w.insert ? "INSERT INTO " KS ".kv (k, a, t) VALUES (?, ?, ?)"
                                       : "SELECT k, a, t FROM " KS ".kv WHERE k = ?");
  w.ops = ops;
  w.started = calloc((size_t)ops, sizeof(double));
  w.lat = calloc((size_t)ops, sizeof(double));
  double cpu0 = cpu_us(), t0 = now_us();
  for (long c = 0; c < concurrency && c < ops; c++) start_one();
  pthread_mutex_lock(&w.lock);
  while (w.finished < w.ops) pthread_cond_wait(&w.all_done, &w.lock);
  pthread_mutex_unlock(&w.lock);
  double secs = (now_us() - t0) / 1e6, cpu = cpu_us() - cpu0;
  report(workload, concurrency, ops, secs, cpu, w.lat, ops);
  cqlb_prepared_free(w.stmt);
  cqlb_session_free(w.session);
}

static void run_scan(long page_size) {
  struct cqlb_session session = connect_session();
  struct cqlb_prepared scan = prepare(session, "SELECT k, a, t FROM " KS ".kv");
  long cap = 1024, pages = 0, rows = 0;
  double *lat = malloc(cap * sizeof(double));
  uint8_t *state = NULL;
  size_t state_len = 0;
  double cpu0 = cpu_us(), t0 = now_us();
  for (;;) {
    double started = now_us();
    struct cqlb_statement st;
    check(cqlb_prepared_bind(scan, &st), "bind");
    check(cqlb_statement_set_page_size(st, (int32_t)page_size), "page size");
    check(cqlb_statement_set_paging_state(st, state, state_len), "paging state");
    struct cqlb_result r;
    check(cqlb_session_execute(session, st, &r), "scan");
    cqlb_statement_free(st);
    rows += (long)read_rows(r);
    if (pages == cap) lat = realloc(lat, (cap *= 2) * sizeof(double));
    lat[pages++] = now_us() - started;
    const uint8_t *next;
    check(cqlb_result_paging_state(r, &next, &state_len), "paging state");
    free(state);
    state = state_len ? memcpy(malloc(state_len), next, state_len) : NULL;
    cqlb_result_free(r);
    if (!state) break;
  }
  double secs = (now_us() - t0) / 1e6, cpu = cpu_us() - cpu0;
  report("scan", page_size, rows, secs, cpu, lat, pages);
  cqlb_prepared_free(scan);
  cqlb_session_free(session);
}

/* ns per call of: a handle-resolving call that sets one field (`handle`); the same call on
 * a freed handle, the error path (`stale`); cqlb_version, which resolves no handle
 * (`version`). `only` runs just one of them (for callgrind's instruction counts). */
static void run_micro(long calls, const char *only) {
  struct cqlb_cluster_config config, freed;
  check(cqlb_cluster_config_new(&config), "config");
  check(cqlb_cluster_config_new(&freed), "config");
  cqlb_cluster_config_free(freed);
  volatile const char *sink;
  double handle_ns = 0, stale_ns = 0, version_ns = 0, t0;
  if (!only || strcmp(only, "handle") == 0) {
    t0 = now_us();
    for (long i = 0; i < calls; i++) cqlb_cluster_config_set_port(config, (uint16_t)(9042 + (i & 1)));
    handle_ns = (now_us() - t0) * 1e3 / calls;
  }
  if (!only || strcmp(only, "stale") == 0) {
    t0 = now_us();
    for (long i = 0; i < calls; i++) cqlb_cluster_config_set_port(freed, 9042);
    stale_ns = (now_us() - t0) * 1e3 / calls;
  }
  if (!only || strcmp(only, "version") == 0) {
    t0 = now_us();
    for (long i = 0; i < calls; i++) sink = cqlb_version();
    version_ns = (now_us() - t0) * 1e3 / calls;
  }
  (void)sink;
  cqlb_cluster_config_free(config);
  printf("{\"driver\": \"c\", \"workload\": \"micro\", \"calls\": %ld, "
         "\"handle_call_ns\": %f, \"stale_handle_ns\": %f, \"no_handle_ns\": %f}\n",
         calls, handle_ns, stale_ns, version_ns);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s <insert|select|scan> <concurrency|page size> <ops> | micro <calls>\n", argv[0]);
    return 2;
  }
  const char *workload = argv[1];
  long n = atol(argv[2]);
  if (strcmp(workload, "micro") == 0)
    run_micro(n, argc > 3 ? argv[3] : NULL);
  else if (strcmp(workload, "scan") == 0)
    run_scan(n);
  else
    run_window(workload, n, argc > 3 ? atol(argv[3]) : 0);
  return 0;
}
