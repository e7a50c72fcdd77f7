/* The seed walkthrough (shared/notes/walkthrough.md), steps 1 to 15, in C over libcqlbridge,
 * against a real local node (CQLB_CONTACT_POINTS, default 127.0.0.1). Built with
 *   cc walkthrough.c $(pkg-config --cflags --libs cqlbridge)
 * Steps 1-6 run CQL; 7-14 describe models with builder calls (create / get, LWT, a batch,
 * table options, shared columns, a polymorphic table); 15 connects again after fork(). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* 1. Connect: contact points and options; the rest of the cluster is discovered. */
static cqlb_session connect_session(void) {
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
  return session;
}

/* The text value of `key` in the map<text, text> at (0, column) of `r`, as `%.*s` wants it:
 * a map is read by index paths, key i at 2i and its value at 2i + 1. */
static int map_get(cqlb_result r, size_t column, const char *key, const char **value) {
  size_t entries = 0, len = 0;
  const char *text;
  ok(cqlb_result_element_count(r, 0, column, NULL, 0, &entries), "map");
  for (size_t i = 0; i < entries; i += 2) {
    ok(cqlb_result_element_get_string(r, 0, column, &i, 1, &text, &len), "map key");
    if (len != strlen(key) || memcmp(text, key, len) != 0) continue;
    size_t at = i + 1;
    ok(cqlb_result_element_get_string(r, 0, column, &at, 1, value, &len), "map value");
    return (int)len;
  }
  *value = "";
  return 0;
}

static void run(cqlb_session session, const char *cql) {
  cqlb_statement st;
  cqlb_result r;
  ok(cqlb_statement_new(cql, strlen(cql), &st), "statement");
  ok(cqlb_session_execute(session, st, &r), cql);
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

/* A row of named values for the mapper: one text field. */
static cqlb_value text_row(const char *field, const char *text) {
  cqlb_value v;
  ok(cqlb_value_new_udt(&v), "row");
  ok(cqlb_value_field(v, field, strlen(field)), "row");
  ok(cqlb_value_append_string(v, text, strlen(text)), "row");
  return v;
}

static void models(cqlb_session session) {
  /* 7-8. A model: User, keyed by name; table managed by sync_table. */
  cqlb_model user, twitter;
  ok(cqlb_model_new(S("User"), &user), "model");
  ok(cqlb_model_set_keyspace(user, S("walkthrough")), "model");
  ok(cqlb_model_add_column(user, S("name"), S("text"), 1, 0), "column");
  ok(cqlb_model_add_column(user, S("twitter"), S("text"), 0, 0), "column");
  ok(cqlb_model_add_column(user, S("email"), S("text"), 0, CQLB_COLUMN_REQUIRED), "column");
  ok(cqlb_model_new(S("TwitterToUser"), &twitter), "model");
  ok(cqlb_model_set_keyspace(twitter, S("walkthrough")), "model");
  ok(cqlb_model_add_column(twitter, S("twitter"), S("text"), 1, 0), "column");
  ok(cqlb_model_add_column(twitter, S("name"), S("text"), 0, 0), "column");
  ok(cqlb_session_sync_table(session, user, NULL), "sync_table");
  ok(cqlb_session_sync_table(session, twitter, NULL), "sync_table");
  printf("7-8. models User and TwitterToUser described in C, tables synced\n");

  /* 9. Create validates first: a user without the required email is refused. */
  cqlb_value grace = text_row("name", "grace");
  cqlb_status refused = cqlb_model_create(session, user, grace, NULL, NULL, NULL);
  printf("9. a user without an email: %s (nothing sent)\n", cqlb_status_name(refused));

  /* 11. A batch keeps the lookup table consistent with the users table. */
  cqlb_value ada, ada_view;
  ok(cqlb_value_new_udt(&ada), "row");
  cqlb_value_field(ada, S("name"));
  cqlb_value_append_string(ada, S("ada"));
  cqlb_value_field(ada, S("twitter"));
  cqlb_value_append_string(ada, S("@ada"));
  cqlb_value_field(ada, S("email"));
  cqlb_value_append_string(ada, S("ada@example.org"));
  ok(cqlb_value_new_udt(&ada_view), "row");
  cqlb_value_field(ada_view, S("twitter"));
  cqlb_value_append_string(ada_view, S("@ada"));
  cqlb_value_field(ada_view, S("name"));
  cqlb_value_append_string(ada_view, S("ada"));
  cqlb_model_batch batch;
  ok(cqlb_model_batch_new(0, &batch), "batch");
  ok(cqlb_model_batch_add_create(batch, user, ada, NULL), "batch");
  ok(cqlb_model_batch_add_create(batch, twitter, ada_view, NULL), "batch");
  ok(cqlb_model_batch_execute(session, batch), "batch");
  cqlb_model_batch_free(batch);
  printf("11. user ada and its twitter lookup written in one logged batch\n");

  /* 10. IF NOT EXISTS: the second create fails and shows the existing row. */
  cqlb_write_options only_new = {0, 0, 0xFFFF, true, false, {0}};
  cqlb_result existing = {0};
  cqlb_status lwt = cqlb_model_create(session, user, ada, &only_new, NULL, &existing);
  if (lwt == CQLB_LWT_FAILED) {
    size_t col;
    const char *email;
    size_t len;
    cqlb_result_column_index(existing, S("email"), &col);
    cqlb_result_get_string(existing, 0, col, &email, &len);
    printf("10. IF NOT EXISTS: %s, the existing row has email %.*s\n", cqlb_status_name(lwt), (int)len, email);
    cqlb_result_free(existing);
  }

  /* 12. Fetch: get by key; a missing one is DOES_NOT_EXIST. */
  cqlb_value handle = text_row("twitter", "@ada"), nobody = text_row("twitter", "@nobody");
  cqlb_result found;
  ok(cqlb_model_get(session, twitter, handle, &found), "get");
  const char *name;
  size_t name_len;
  size_t col;
  cqlb_result_column_index(found, S("name"), &col);
  cqlb_result_get_string(found, 0, col, &name, &name_len);
  printf("12. @ada is %.*s; @nobody: %s\n", (int)name_len, name, cqlb_status_name(cqlb_model_get(session, twitter, nobody, &found)));
  cqlb_result_free(found);

  cqlb_value rows[] = {grace, ada, ada_view, handle, nobody};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) cqlb_value_free(rows[i]);
  cqlb_model_free(user);
  cqlb_model_free(twitter);
}

/* 13. Table properties: every option is part of the model, and sync_table applies it. */
static void table_properties(cqlb_session session) {
  cqlb_model reading;
  ok(cqlb_model_new(S("Reading"), &reading), "model");
  ok(cqlb_model_set_keyspace(reading, S("walkthrough")), "model");
  ok(cqlb_model_set_table(reading, S("reading_c")), "model");
  ok(cqlb_model_add_column(reading, S("sensor_id"), S("uuid"), 1, 0), "column");
  ok(cqlb_model_add_column(reading, S("taken_at"), S("timestamp"), 3, 0), "column");
  ok(cqlb_model_add_column(reading, S("value"), S("double"), 0, 0), "column");
  ok(cqlb_model_set_option_entry(reading, S("compaction"), S("class"), S("LeveledCompactionStrategy")), "option");
  ok(cqlb_model_set_option_int(reading, S("gc_grace_seconds"), 86400), "option");
  ok(cqlb_model_set_option_text(reading, S("read_repair"), S("BLOCKING")), "option");
  ok(cqlb_model_set_option_entry(reading, S("caching"), S("keys"), S("ALL")), "option");
  ok(cqlb_model_set_option_entry(reading, S("caching"), S("rows_per_partition"), S("NONE")), "option");
  ok(cqlb_model_set_option_text(reading, S("comment"), S("sensor readings")), "option");
  ok(cqlb_session_sync_table(session, reading, NULL), "sync_table");
  cqlb_model_free(reading);
  cqlb_statement st;
  cqlb_result r;
  ok(cqlb_statement_new(S("SELECT gc_grace_seconds, read_repair, caching, compaction FROM system_schema.tables "
                          "WHERE keyspace_name = 'walkthrough' AND table_name = 'reading_c'"), &st), "statement");
  ok(cqlb_session_execute(session, st, &r), "table options");
  int32_t grace = 0;
  const char *repair, *class, *keys, *rows;
  size_t repair_len;
  ok(cqlb_result_get_int32(r, 0, 0, &grace), "gc_grace_seconds");
  ok(cqlb_result_get_string(r, 0, 1, &repair, &repair_len), "read_repair");
  int keys_len = map_get(r, 2, "keys", &keys), rows_len = map_get(r, 2, "rows_per_partition", &rows);
  int class_len = map_get(r, 3, "class", &class);
  for (int i = class_len; i > 0; i--) { /* the class's name without its package */
    if (class[i - 1] != '.') continue;
    class += i;
    class_len -= i;
    break;
  }
  printf("13. the server has Reading's options: compaction %.*s, gc_grace_seconds %d, read_repair %.*s, "
         "caching keys %.*s rows_per_partition %.*s\n",
         class_len, class, grace, (int)repair_len, repair, keys_len, keys, rows_len, rows);
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

/* 14a. Inheritance: the columns several tables share, added by one function. */
static void add_timestamped(cqlb_model m) {
  ok(cqlb_model_add_column(m, S("created_at"), S("timestamp"), 0, 0), "column");
  ok(cqlb_model_set_column_default(m, S("created_at"), 3), "default");
}

/* 14b. Polymorphism: one table `pet_c`; `species` says which model each row is. The base
 * (value NULL) queries every kind; each kind adds its own columns. */
static cqlb_model pet_model(const char *name, const char *species) {
  cqlb_model m;
  ok(cqlb_model_new(name, strlen(name), &m), "model");
  ok(cqlb_model_set_keyspace(m, S("walkthrough")), "model");
  ok(cqlb_model_set_table(m, S("pet_c")), "model");
  ok(cqlb_model_add_column(m, S("owner"), S("text"), 1, 0), "column");
  ok(cqlb_model_add_column(m, S("name"), S("text"), 2, 0), "column");
  ok(cqlb_model_add_column(m, S("species"), S("text"), 0, CQLB_COLUMN_DISCRIMINATOR), "column");
  if (species && strcmp(species, "cat") == 0) ok(cqlb_model_add_column(m, S("lives"), S("int"), 0, 0), "column");
  if (species && strcmp(species, "dog") == 0) ok(cqlb_model_add_column(m, S("good"), S("boolean"), 0, 0), "column");
  ok(cqlb_model_set_polymorphism(m, S("species"), species, species ? strlen(species) : 0), "polymorphism");
  ok(cqlb_model_add_subtype(m, S("cat"), S("Cat")), "subtype");
  ok(cqlb_model_add_subtype(m, S("dog"), S("Dog")), "subtype");
  return m;
}

static void inheritance_and_polymorphism(cqlb_session session) {
  cqlb_model comment;
  ok(cqlb_model_new(S("Comment"), &comment), "model");
  ok(cqlb_model_set_keyspace(comment, S("walkthrough")), "model");
  ok(cqlb_model_set_table(comment, S("comment_c")), "model");
  ok(cqlb_model_add_column(comment, S("comment_id"), S("uuid"), 1, 0), "column");
  ok(cqlb_model_set_column_default(comment, S("comment_id"), 1), "default");
  ok(cqlb_model_add_column(comment, S("text"), S("text"), 0, 0), "column");
  add_timestamped(comment);
  ok(cqlb_session_sync_table(session, comment, NULL), "sync_table");
  cqlb_value first = text_row("text", "first");
  cqlb_result stored;
  ok(cqlb_model_create(session, comment, first, NULL, &stored, NULL), "create");
  size_t col;
  bool no_time = true;
  ok(cqlb_result_column_index(stored, S("created_at"), &col), "column");
  ok(cqlb_result_is_null(stored, 0, col, &no_time), "created_at");
  cqlb_result_free(stored);
  cqlb_value_free(first);
  cqlb_model_free(comment);

  cqlb_model pet = pet_model("Pet", NULL), cat = pet_model("Cat", "cat"), dog = pet_model("Dog", "dog");
  ok(cqlb_session_sync_table(session, cat, NULL), "sync_table");
  ok(cqlb_session_sync_table(session, dog, NULL), "sync_table");
  cqlb_value tom, rex, ann = text_row("owner", "ann");
  ok(cqlb_value_new_udt(&tom), "row");
  cqlb_value_field(tom, S("owner"));
  cqlb_value_append_string(tom, S("ann"));
  cqlb_value_field(tom, S("name"));
  cqlb_value_append_string(tom, S("tom"));
  cqlb_value_field(tom, S("lives"));
  cqlb_value_append_int32(tom, 9);
  ok(cqlb_value_new_udt(&rex), "row");
  cqlb_value_field(rex, S("owner"));
  cqlb_value_append_string(rex, S("ann"));
  cqlb_value_field(rex, S("name"));
  cqlb_value_append_string(rex, S("rex"));
  cqlb_value_field(rex, S("good"));
  cqlb_value_append_bool(rex, true);
  ok(cqlb_model_create(session, cat, tom, NULL, NULL, NULL), "create a cat");
  ok(cqlb_model_create(session, dog, rex, NULL, NULL, NULL), "create a dog");
  cqlb_result pets;
  size_t count = 0, name_col, species_col;
  ok(cqlb_model_select(session, pet, ann, NULL, &pets), "select");
  ok(cqlb_result_row_count(pets, &count), "rows");
  ok(cqlb_result_column_index(pets, S("name"), &name_col), "column");
  ok(cqlb_result_column_index(pets, S("species"), &species_col), "column");
  printf("14. Comment shares created_at (filled in: %s) through add_timestamped(); querying Pet returns",
         no_time ? "no" : "yes");
  for (size_t i = 0; i < count; i++) {
    const char *name, *species;
    size_t name_len, species_len;
    ok(cqlb_result_get_string(pets, i, name_col, &name, &name_len), "name");
    ok(cqlb_result_get_string(pets, i, species_col, &species, &species_len), "species");
    printf("%s %.*s the %.*s", i ? "," : "", (int)name_len, name, (int)species_len, species);
  }
  printf("\n");
  cqlb_result_free(pets);
  cqlb_value rows[] = {tom, rex, ann};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) cqlb_value_free(rows[i]);
  cqlb_model_free(pet);
  cqlb_model_free(cat);
  cqlb_model_free(dog);
}

/* 15. Application integration: a pre-forking server's worker cannot use its parent's
 * session (CQLB_FORKED_PROCESS, nothing sent); it connects on its own after fork(). */
static void after_fork(cqlb_session parents) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    cqlb_statement st;
    cqlb_result r;
    ok(cqlb_statement_new(S("SELECT count(*) FROM walkthrough.sensor"), &st), "statement");
    cqlb_status inherited = cqlb_session_execute(parents, st, &r);
    if (inherited == CQLB_OK) cqlb_result_free(r);
    cqlb_session worker = connect_session();
    int64_t sensors = 0;
    ok(cqlb_session_execute(worker, st, &r), "count in the worker");
    ok(cqlb_result_get_int64(r, 0, 0, &sensors), "count");
    printf("15. a forked worker: the parent's session answers %s; connected on its own, it counted %lld sensors\n",
           cqlb_status_name(inherited), (long long)sensors);
    fflush(stdout);
    cqlb_result_free(r);
    cqlb_statement_free(st);
    cqlb_session_free(worker);
    _exit(inherited == CQLB_FORKED_PROCESS ? 0 : 1);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "the forked worker failed\n");
    exit(1);
  }
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
  cqlb_session session = connect_session();
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

  models(session);
  table_properties(session);
  inheritance_and_polymorphism(session);
  after_fork(session);
  cqlb_prepared_free(insert_sensor);
  cqlb_prepared_free(insert_reading);
  cqlb_prepared_free(latest);
  cqlb_session_free(session);
  printf("done: steps 1-15 of the walkthrough ran in C against a real node\n");
  return 0;
}
