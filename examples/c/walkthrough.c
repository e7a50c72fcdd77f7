/* The seed walkthrough (shared/notes/walkthrough.md), steps 1 to 6, in C over libcqlbridge,
 * against a real local node (CQLB_CONTACT_POINTS, default 127.0.0.1). Built with
 *   cc walkthrough.c $(pkg-config --cflags --libs cqlbridge)
 * (The mapper steps join when the C ABI exposes the mapper.) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cqlbridge.h>

#define S(literal) literal, strlen(literal)
#define SENSORS 10

/* Stops with the library's message when a call fails. */
static void ok(cqlb_status status, const char *what) {
  if (status == CQLB_OK) return;
  const char *msg = "";
  size_t len = 0;
  cqlb_last_error_message(&msg, &len);
  fprintf(stderr, "%s failed: %s: %.*s\n", what, cqlb_status_name(status), (int)len, msg);
  exit(1);
}

static void run(cqlb_session session, const char *cql) {
  cqlb_statement st;
  cqlb_result r;
  ok(cqlb_statement_new(cql, strlen(cql), &st), "statement");
  ok(cqlb_session_execute(session, st, &r), cql);
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

static int64_t now_millis(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void random_uuid(uint8_t out[16]) {
  for (int i = 0; i < 16; i++) out[i] = (uint8_t)(rand() & 0xff);
  out[6] = (uint8_t)((out[6] & 0x0f) | 0x40); /* version 4 */
  out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

/* Step 4's callback: the response arrives with the sensor it was for. */
struct sensor {
  int number;
  uint8_t id[16];
};
static atomic_int acknowledged;

static void on_inserted(cqlb_future future, void *userdata) {
  struct sensor *sensor = userdata;
  cqlb_status status = CQLB_PENDING;
  cqlb_future_status(future, &status);
  if (status == CQLB_OK) {
    atomic_fetch_add(&acknowledged, 1);
  } else {
    fprintf(stderr, "   sensor %d failed: %s\n", sensor->number, cqlb_status_name(status));
  }
}

int main(void) {
  srand((unsigned)time(NULL));
  /* 1. Connect: contact points and options; the rest of the cluster is discovered. */
  const char *points = getenv("CQLB_CONTACT_POINTS");
  char buf[256];
  snprintf(buf, sizeof buf, "%s", points ? points : "127.0.0.1");
  cqlb_cluster_config config;
  ok(cqlb_cluster_config_new(&config), "config");
  for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) ok(cqlb_cluster_config_add_contact_point(config, p, strlen(p)), "contact point");
  ok(cqlb_cluster_config_set_consistency(config, CQLB_CONSISTENCY_LOCAL_ONE), "consistency");
  ok(cqlb_cluster_config_set_load_balancing(config, false, NULL, 0, false, true), "load balancing");
  cqlb_future connecting;
  cqlb_session session;
  ok(cqlb_session_connect(config, &connecting), "connect");
  ok(cqlb_future_wait(connecting), "connect");
  ok(cqlb_future_session(connecting, &session), "session");
  cqlb_future_free(connecting);
  cqlb_cluster_config_free(config);
  cqlb_statement st;
  cqlb_result r;
  ok(cqlb_statement_new(S("SELECT release_version FROM system.local"), &st), "statement");
  ok(cqlb_session_execute(session, st, &r), "release_version");
  const char *version;
  size_t version_len;
  ok(cqlb_result_get_string(r, 0, 0, &version, &version_len), "read");
  printf("1. connected, Cassandra %.*s (libcqlbridge %s)\n", (int)version_len, version, cqlb_version());
  cqlb_result_free(r);
  cqlb_statement_free(st);

  /* 2. Execute CQL strings. */
  run(session, "CREATE KEYSPACE IF NOT EXISTS walkthrough WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  run(session, "CREATE TABLE IF NOT EXISTS walkthrough.sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)");
  run(session, "CREATE TABLE IF NOT EXISTS walkthrough.sensor_data (sensor_id uuid, created_at timestamp, reading double, "
               "PRIMARY KEY (sensor_id, created_at)) WITH CLUSTERING ORDER BY (created_at DESC)");
  printf("2. keyspace walkthrough with tables sensor and sensor_data is ready\n");

  /* 3. Prepare what runs more than once. */
  cqlb_prepared insert_sensor, insert_reading, latest;
  ok(cqlb_session_prepare(session, S("INSERT INTO walkthrough.sensor (sensor_id, name, created_at) VALUES (?, ?, ?)"), &insert_sensor), "prepare");
  ok(cqlb_session_prepare(session, S("INSERT INTO walkthrough.sensor_data (sensor_id, created_at, reading) VALUES (?, ?, ?)"), &insert_reading), "prepare");
  ok(cqlb_session_prepare(session, S("SELECT * FROM walkthrough.sensor_data WHERE sensor_id = ? ORDER BY created_at DESC LIMIT 1"), &latest), "prepare");
  printf("3. prepared the inserts and the latest-reading query\n");

  /* 4. Async with callbacks: each callback receives the response and its sensor. */
  struct sensor sensors[SENSORS];
  cqlb_future inserts[SENSORS];
  for (int i = 0; i < SENSORS; i++) {
    sensors[i].number = i;
    random_uuid(sensors[i].id);
    char name[32];
    snprintf(name, sizeof name, "sensor %d", i);
    ok(cqlb_prepared_bind(insert_sensor, &st), "bind");
    ok(cqlb_statement_bind_uuid(st, 0, sensors[i].id), "bind");
    ok(cqlb_statement_bind_string(st, 1, name, strlen(name)), "bind");
    ok(cqlb_statement_bind_timestamp(st, 2, now_millis()), "bind");
    ok(cqlb_session_execute_async(session, st, &inserts[i]), "execute_async");
    ok(cqlb_future_set_callback(inserts[i], on_inserted, &sensors[i]), "callback");
    cqlb_statement_free(st);
  }
  for (int i = 0; i < SENSORS; i++) {
    cqlb_future_wait(inserts[i]);
    cqlb_future_free(inserts[i]);
  }
  printf("4. %d of %d sensors inserted asynchronously, each callback given its sensor\n", atomic_load(&acknowledged), SENSORS);
  for (int i = 0; i < SENSORS; i++) {
    for (int k = 0; k < 5; k++) {
      ok(cqlb_prepared_bind(insert_reading, &st), "bind");
      cqlb_statement_bind_uuid(st, 0, sensors[i].id);
      cqlb_statement_bind_timestamp(st, 1, 1700000000000LL + k * 1000);
      cqlb_statement_bind_double(st, 2, 20.0 + i + k / 10.0);
      ok(cqlb_session_execute(session, st, &r), "insert reading");
      cqlb_result_free(r);
      cqlb_statement_free(st);
    }
  }

  /* 5. Managed concurrency: one call, at most 4 in flight, outcomes in input order. */
  cqlb_statement queries[SENSORS];
  for (int i = 0; i < SENSORS; i++) {
    ok(cqlb_prepared_bind(latest, &queries[i]), "bind");
    ok(cqlb_statement_bind_uuid(queries[i], 0, sensors[i].id), "bind");
  }
  cqlb_future all;
  cqlb_outcomes outcomes;
  ok(cqlb_session_execute_concurrent(session, queries, SENSORS, 4, false, &all), "execute_concurrent");
  ok(cqlb_future_wait(all), "execute_concurrent");
  ok(cqlb_future_outcomes(all, &outcomes), "outcomes");
  printf("5. latest reading of each sensor:");
  for (int i = 0; i < SENSORS; i++) {
    size_t column;
    double reading = 0;
    ok(cqlb_outcomes_result(outcomes, (size_t)i, &r), "outcome");
    ok(cqlb_result_column_index(r, S("reading"), &column), "column");
    ok(cqlb_result_get_double(r, 0, column, &reading), "reading");
    printf(" %.1f", reading);
    cqlb_result_free(r);
    cqlb_statement_free(queries[i]);
  }
  printf("\n");
  cqlb_outcomes_free(outcomes);
  cqlb_future_free(all);

  /* 6. Shown, not told: one multi-partition IN query goes through one coordinator, which
   * gathers every partition; a failure anywhere fails (and retries) all of it. */
  printf("6. the concurrent single-partition queries of step 5 are routed by key and fail or retry one by one;\n"
         "   an IN over %d partitions would make one coordinator gather them all\n", SENSORS);

  cqlb_prepared_free(insert_sensor);
  cqlb_prepared_free(insert_reading);
  cqlb_prepared_free(latest);
  cqlb_session_free(session);
  printf("done: steps 1-6 of the walkthrough ran in C against a real node\n");
  return 0;
}
