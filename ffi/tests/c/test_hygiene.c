/* Resource hygiene of the C ABI (issue 10): a connect / execute / prepare / free loop leaves
 * no threads, file descriptors or memory behind. Built without sanitizers (ASan's quarantine
 * would hide what RSS shows) and run by `make hygiene`. CQLB_HYGIENE_ITERATIONS sessions
 * (default 30; `make reliability`: 300); the figures are printed for tests/RELIABILITY.md. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

typedef struct {
  long threads, fds, rss_kib;
} resources;

static long status_field(const char *name) {
  char line[256];
  long value = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, name, strlen(name)) == 0) {
      value = strtol(line + strlen(name), NULL, 10);
      break;
    }
  }
  fclose(f);
  return value;
}

static resources measure(void) {
  resources r = {status_field("Threads:"), 0, status_field("VmRSS:")};
  DIR *d = opendir("/proc/self/fd");
  if (d) {
    while (readdir(d)) r.fds++;
    closedir(d);
  }
  return r;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* The first contact point of CQLB_CONTACT_POINTS, without its port. */
static char host[64] = "127.0.0.1";

static void one_session(void) {
  cqlb_cluster_config config;
  cqlb_future f;
  cqlb_session session;
  cqlb_statement st;
  cqlb_prepared prepared;
  cqlb_result r;
  size_t rows = 0;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, host, strlen(host)));
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_session(f, &session));
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  CHECK_OK(cqlb_statement_new(S("SELECT release_version FROM system.local"), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  CHECK_OK(cqlb_result_row_count(r, &rows));
  CHECK(rows == 1);
  cqlb_result_free(r);
  cqlb_statement_free(st);
  CHECK_OK(cqlb_session_prepare(session, S("SELECT key FROM system.local WHERE key = ?"), &prepared));
  CHECK_OK(cqlb_prepared_bind(prepared, &st));
  CHECK_OK(cqlb_statement_bind_string(st, 0, S("local")));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  CHECK_OK(cqlb_result_row_count(r, &rows));
  CHECK(rows == 1);
  cqlb_result_free(r);
  cqlb_statement_free(st);
  cqlb_prepared_free(prepared);
  CHECK_OK(cqlb_session_free(session));
}

int main(void) {
  const char *cps = getenv("CQLB_CONTACT_POINTS");
  const char *n = getenv("CQLB_HYGIENE_ITERATIONS");
  long iterations = n ? strtol(n, NULL, 10) : 30;
  if (cps && *cps) {
    size_t len = strcspn(cps, ",:");
    if (len >= sizeof host) len = sizeof host - 1;
    memcpy(host, cps, len);
    host[len] = '\0';
  }
  for (int i = 0; i < 5; i++) one_session(); /* the runtime, the allocator's arenas */
  sleep_ms(1000);
  resources base = measure(), peak = base, end;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iterations; i++) {
    one_session();
    if (i % 10 == 0) {
      resources now = measure();
      if (now.threads > peak.threads) peak.threads = now.threads;
      if (now.fds > peak.fds) peak.fds = now.fds;
      if (now.rss_kib > peak.rss_kib) peak.rss_kib = now.rss_kib;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  /* Connections of freed sessions close, idle blocking threads exit, in the background. */
  for (int i = 0; i < 150; i++) {
    end = measure();
    if (end.threads <= base.threads && end.fds <= base.fds) break;
    sleep_ms(100);
  }
  printf("hygiene (C ABI): %ld sessions in %.1fs; threads %ld -> %ld (peak %ld), fds %ld -> %ld (peak %ld), "
         "RSS %ld KiB -> %ld KiB (peak %ld KiB)\n",
         iterations, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, base.threads,
         end.threads, peak.threads, base.fds, end.fds, peak.fds, base.rss_kib, end.rss_kib, peak.rss_kib);
  CHECK(end.threads <= base.threads);
  CHECK(end.fds <= base.fds);
  CHECK(end.rss_kib - base.rss_kib < 32 * 1024);
  return finish("test_hygiene");
}
