/* Happy paths of the functions the other suites use least: every binder by name, every value
 * appender and element getter, the async variants, warnings, and the rest of the model
 * builder (table, db_field, default TTL, text options, polymorphism, batch updates and
 * deletes). Against the real node. */
#include <stdlib.h>

#include "check.h"

static cqlb_session session;

static void run(const char *cql) {
  cqlb_statement st;
  cqlb_result r;
  CHECK_OK(cqlb_statement_new(cql, strlen(cql), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

static void connect_and_prepare_async(void) {
  cqlb_cluster_config config;
  cqlb_future f;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1")));
  CHECK_OK(cqlb_session_connect(config, &f));
  bool ready = false;
  for (int i = 0; i < 600 && !ready; i++) CHECK_OK(cqlb_future_wait_timed(f, 50000, &ready));
  CHECK(ready);
  CHECK_OK(cqlb_future_session(f, &session));
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  CHECK_OK(cqlb_session_create_keyspace_simple(session, S("cqlb_c_happy"), 1));
  run("CREATE TABLE IF NOT EXISTS cqlb_c_happy.all_named (k int PRIMARY KEY, b boolean, ti tinyint, si smallint, bi bigint, "
      "f float, d double, bl blob, u uuid, tu timeuuid, ip inet, dt date, tm time, ts timestamp, du duration, dec decimal, "
      "vi varint, n int, keep text)");
  run("CREATE TABLE IF NOT EXISTS cqlb_c_happy.hits (k int PRIMARY KEY, n counter)");
  run("CREATE TABLE IF NOT EXISTS cqlb_c_happy.tuples (k int PRIMARY KEY, t tuple<boolean, tinyint, smallint, bigint, double, "
      "date, timestamp, uuid, inet, blob, time>, more tuple<timeuuid, duration, decimal, varint, float>)");
}

static void every_binder_by_name_and_unset(void) {
  const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16};
  const uint8_t timeuuid[16] = {0xe3, 0xd0, 0xc2, 0xa0, 0x8b, 0x1e, 0x11, 0xef, 0x9a, 0x2b, 0x02, 0x42, 0xac, 0x12, 0x00, 0x02};
  cqlb_future f;
  cqlb_prepared insert;
  const char *cql = "INSERT INTO cqlb_c_happy.all_named (k, b, ti, si, bi, f, d, bl, u, tu, ip, dt, tm, ts, du, dec, vi, n, keep) "
                    "VALUES (:k, :b, :ti, :si, :bi, :f, :d, :bl, :u, :tu, :ip, :dt, :tm, :ts, :du, :dec, :vi, :n, :keep)";
  CHECK_OK(cqlb_session_prepare_async(session, cql, strlen(cql), &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_prepared(f, &insert));
  cqlb_future_free(f);
  cqlb_statement st;
  cqlb_result r;
  CHECK_OK(cqlb_prepared_bind(insert, &st));
  CHECK_OK(cqlb_statement_bind_int32_by_name(st, S("k"), 1));
  CHECK_OK(cqlb_statement_bind_bool_by_name(st, S("b"), true));
  CHECK_OK(cqlb_statement_bind_int8_by_name(st, S("ti"), -3));
  CHECK_OK(cqlb_statement_bind_int16_by_name(st, S("si"), 300));
  CHECK_OK(cqlb_statement_bind_int64_by_name(st, S("bi"), -5000000000LL));
  CHECK_OK(cqlb_statement_bind_float_by_name(st, S("f"), 2.5f));
  CHECK_OK(cqlb_statement_bind_double_by_name(st, S("d"), 0.125));
  CHECK_OK(cqlb_statement_bind_blob_by_name(st, S("bl"), uuid, 4));
  CHECK_OK(cqlb_statement_bind_uuid_by_name(st, S("u"), uuid));
  CHECK_OK(cqlb_statement_bind_timeuuid_by_name(st, S("tu"), timeuuid));
  CHECK_OK(cqlb_statement_bind_inet_by_name(st, S("ip"), S("10.1.2.3")));
  CHECK_OK(cqlb_statement_bind_date_by_name(st, S("dt"), 20000));
  CHECK_OK(cqlb_statement_bind_time_by_name(st, S("tm"), 5));
  CHECK_OK(cqlb_statement_bind_timestamp_by_name(st, S("ts"), 1234));
  CHECK_OK(cqlb_statement_bind_duration_by_name(st, S("du"), 0, 1, 0));
  CHECK_OK(cqlb_statement_bind_decimal_by_name(st, S("dec"), S("0.5")));
  CHECK_OK(cqlb_statement_bind_varint_by_name(st, S("vi"), S("-7")));
  CHECK_OK(cqlb_statement_bind_null_by_name(st, S("n")));
  CHECK_OK(cqlb_statement_bind_string_by_name(st, S("keep"), S("kept")));
  CHECK_OK(cqlb_statement_set_timestamp(st, 1000000));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  /* Unset by index and by name leaves columns as they were. */
  CHECK_OK(cqlb_statement_bind_unset_by_name(st, S("keep")));
  CHECK_OK(cqlb_statement_bind_unset(st, 1));
  CHECK_OK(cqlb_statement_set_timestamp(st, 2000000));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  cqlb_statement_free(st);
  cqlb_prepared_free(insert);

  CHECK_OK(cqlb_statement_new(S("SELECT b, ti, si, bi, f, d, bl, ip, dt, tm, ts, dec, vi, n, keep, writetime(keep) "
                                "FROM cqlb_c_happy.all_named WHERE k = 1"), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  const char *name;
  size_t len;
  CHECK_OK(cqlb_result_column_name(r, 14, &name, &len));
  CHECK(len == 4 && memcmp(name, "keep", 4) == 0);
  bool b = false;
  int8_t ti = 0;
  int16_t si = 0;
  int64_t bi = 0, wt = 0;
  CHECK_OK(cqlb_result_get_bool(r, 0, 0, &b));
  CHECK_OK(cqlb_result_get_int8(r, 0, 1, &ti));
  CHECK_OK(cqlb_result_get_int16(r, 0, 2, &si));
  CHECK_OK(cqlb_result_get_int64(r, 0, 3, &bi));
  CHECK(b && ti == -3 && si == 300 && bi == -5000000000LL);
  const char *text;
  CHECK_OK(cqlb_result_get_number_text(r, 0, 12, &text, &len));
  CHECK(len == 2 && memcmp(text, "-7", 2) == 0);
  bool null = false;
  CHECK_OK(cqlb_result_is_null(r, 0, 13, &null));
  CHECK(null);
  CHECK_OK(cqlb_result_get_string(r, 0, 14, &text, &len));
  CHECK(len == 4 && memcmp(text, "kept", 4) == 0);
  CHECK_OK(cqlb_result_get_int64(r, 0, 15, &wt));
  CHECK(wt == 1000000); /* the unset column kept its first write */
  cqlb_result_free(r);
  cqlb_statement_free(st);

  /* A counter. */
  CHECK_OK(cqlb_statement_new(S("UPDATE cqlb_c_happy.hits SET n = n + :n WHERE k = 1"), &st));
  CHECK_OK(cqlb_statement_bind_counter_by_name(st, S("n"), 3));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  CHECK_OK(cqlb_statement_bind_counter(st, 0, 4)); /* a simple statement: now positional */
  CHECK_STATUS(cqlb_session_execute(session, st, &r), CQLB_BIND_ERROR); /* mixing names and indexes */
  cqlb_statement_free(st);
}

static void every_appender_and_element_getter(void) {
  const uint8_t uuid[16] = {9, 9, 9, 9, 9, 9, 0x49, 9, 0x89, 9, 9, 9, 9, 9, 9, 9};
  cqlb_value t;
  CHECK_OK(cqlb_value_new_tuple(&t));
  CHECK_OK(cqlb_value_append_bool(t, true));
  CHECK_OK(cqlb_value_append_int8(t, 8));
  CHECK_OK(cqlb_value_append_int16(t, 16));
  CHECK_OK(cqlb_value_append_int64(t, 64));
  CHECK_OK(cqlb_value_append_double(t, 6.5));
  CHECK_OK(cqlb_value_append_date(t, 3));
  CHECK_OK(cqlb_value_append_timestamp(t, 99));
  CHECK_OK(cqlb_value_append_uuid(t, uuid));
  CHECK_OK(cqlb_value_append_inet(t, S("1.2.3.4")));
  CHECK_OK(cqlb_value_append_blob(t, uuid, 2));
  CHECK_OK(cqlb_value_append_time(t, 77));
  const uint8_t timeuuid[16] = {0xe3, 0xd0, 0xc2, 0xa0, 0x8b, 0x1e, 0x11, 0xef, 0x9a, 0x2b, 0x02, 0x42, 0xac, 0x12, 0x00, 0x02};
  cqlb_value more;
  CHECK_OK(cqlb_value_new_tuple(&more));
  CHECK_OK(cqlb_value_append_timeuuid(more, timeuuid));
  CHECK_OK(cqlb_value_append_duration(more, 1, 2, 3));
  CHECK_OK(cqlb_value_append_decimal(more, S("1.25")));
  CHECK_OK(cqlb_value_append_varint(more, S("12345678901234567890")));
  CHECK_OK(cqlb_value_append_float(more, 0.5f));
  cqlb_statement st;
  cqlb_result r;
  CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c_happy.tuples (k, t, more) VALUES (1, ?, ?)"), &st));
  CHECK_OK(cqlb_statement_bind_value(st, 0, t));
  CHECK_OK(cqlb_statement_bind_value(st, 1, more));
  cqlb_value_free(more);
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  cqlb_statement_free(st);
  cqlb_value_free(t);
  CHECK_OK(cqlb_statement_new(S("SELECT t, more FROM cqlb_c_happy.tuples WHERE k = 1"), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  size_t p[1];
  bool b = false;
  int8_t i8 = 0;
  int16_t i16 = 0;
  int64_t i64 = 0, ts = 0, tm = 0;
  double d = 0;
  int32_t date = 0;
  uint8_t got[16];
  p[0] = 0;
  CHECK_OK(cqlb_result_element_get_bool(r, 0, 0, p, 1, &b));
  p[0] = 1;
  CHECK_OK(cqlb_result_element_get_int8(r, 0, 0, p, 1, &i8));
  p[0] = 2;
  CHECK_OK(cqlb_result_element_get_int16(r, 0, 0, p, 1, &i16));
  p[0] = 3;
  CHECK_OK(cqlb_result_element_get_int64(r, 0, 0, p, 1, &i64));
  p[0] = 4;
  CHECK_OK(cqlb_result_element_get_double(r, 0, 0, p, 1, &d));
  p[0] = 5;
  CHECK_OK(cqlb_result_element_get_date(r, 0, 0, p, 1, &date));
  p[0] = 6;
  CHECK_OK(cqlb_result_element_get_timestamp(r, 0, 0, p, 1, &ts));
  p[0] = 7;
  CHECK_OK(cqlb_result_element_get_uuid(r, 0, 0, p, 1, got));
  p[0] = 10;
  CHECK_OK(cqlb_result_element_get_time(r, 0, 0, p, 1, &tm));
  CHECK(b && i8 == 8 && i16 == 16 && i64 == 64 && d == 6.5 && date == 3 && ts == 99 && tm == 77 && memcmp(got, uuid, 16) == 0);
  const char *text;
  size_t len;
  CHECK_OK(cqlb_result_get_text_of(r, 0, 1, &text, &len));
  CHECK(contains(text, len, "1mo2d3ns") && contains(text, len, "1.25") && contains(text, len, "12345678901234567890"));
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

static void async_batches_outcome_messages_and_warnings(void) {
  /* A multi-partition batch over 5 KiB: the server warns. */
  cqlb_batch batch;
  CHECK_OK(cqlb_batch_new(1, &batch));
  char big[2048];
  memset(big, 'x', sizeof big);
  for (int k = 0; k < 8; k++) {
    cqlb_statement st;
    CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c_happy.all_named (k, keep) VALUES (?, ?)"), &st));
    CHECK_OK(cqlb_statement_bind_int32(st, 0, 100 + k));
    CHECK_OK(cqlb_statement_bind_string(st, 1, big, sizeof big));
    CHECK_OK(cqlb_batch_add_statement(batch, st));
    cqlb_statement_free(st);
  }
  cqlb_future f;
  cqlb_result r;
  CHECK_OK(cqlb_session_execute_batch_async(session, batch, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_result(f, &r));
  size_t warnings = 0;
  CHECK_OK(cqlb_result_warning_count(r, &warnings));
  CHECK(warnings >= 1);
  const char *text;
  size_t len;
  CHECK_OK(cqlb_result_warning(r, 0, &text, &len));
  CHECK(contains(text, len, "atch"));
  cqlb_result_free(r);
  cqlb_future_free(f);
  cqlb_batch_free(batch);

  cqlb_statement sts[2];
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM cqlb_c_happy.all_named WHERE k = 1"), &sts[0]));
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM cqlb_c_happy.missing_table"), &sts[1]));
  cqlb_outcomes o;
  CHECK_OK(cqlb_session_execute_concurrent(session, sts, 2, 2, false, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_outcomes(f, &o));
  CHECK_OK(cqlb_outcomes_error_message(o, 0, &text, &len));
  CHECK(len == 0);
  CHECK_OK(cqlb_outcomes_error_message(o, 1, &text, &len));
  CHECK(contains(text, len, "missing_table"));
  cqlb_outcomes_free(o);
  cqlb_future_free(f);
  cqlb_statement_free(sts[0]);
  cqlb_statement_free(sts[1]);
}

static void the_rest_of_the_model_builder(void) {
  cqlb_model pet, cat;
  /* A polymorphic base and one subtype; a custom table name, a db_field, a text option, a TTL. */
  for (int i = 0; i < 2; i++) {
    cqlb_model *m = i == 0 ? &pet : &cat;
    CHECK_OK(cqlb_model_new(i == 0 ? "Pet" : "Cat", 3, m));
    CHECK_OK(cqlb_model_set_keyspace(*m, S("cqlb_c_happy")));
    CHECK_OK(cqlb_model_set_table(*m, S("pets")));
    CHECK_OK(cqlb_model_add_column(*m, S("owner"), S("text"), 1, 0));
    CHECK_OK(cqlb_model_add_column(*m, S("name"), S("text"), 2, 0));
    CHECK_OK(cqlb_model_add_column(*m, S("kind"), S("text"), 0, CQLB_COLUMN_DISCRIMINATOR));
    CHECK_OK(cqlb_model_add_column(*m, S("lives"), S("int"), 0, 0));
    CHECK_OK(cqlb_model_set_column_db_field(*m, S("lives"), S("lives_left")));
    CHECK_OK(cqlb_model_set_option_text(*m, S("comment"), S("pets of every kind")));
    CHECK_OK(cqlb_model_set_default_ttl(*m, 86400));
    CHECK_OK(cqlb_model_set_polymorphism(*m, S("kind"), i == 0 ? NULL : "cat", i == 0 ? 0 : 3));
    CHECK_OK(cqlb_model_add_subtype(*m, S("cat"), S("Cat")));
  }
  CHECK_OK(cqlb_session_sync_table(session, pet, NULL));
  cqlb_value tom, key, changes;
  CHECK_OK(cqlb_value_new_udt(&tom));
  cqlb_value_field(tom, S("owner"));
  cqlb_value_append_string(tom, S("ann"));
  cqlb_value_field(tom, S("name"));
  cqlb_value_append_string(tom, S("tom"));
  CHECK_STATUS(cqlb_model_create(session, pet, tom, NULL, NULL, NULL), CQLB_INVALID_ARGUMENT); /* the base cannot be saved */
  cqlb_model_batch batch;
  CHECK_OK(cqlb_model_batch_new(0, &batch));
  CHECK_OK(cqlb_model_batch_add_create(batch, cat, tom, NULL));
  CHECK_OK(cqlb_model_batch_execute(session, batch));
  cqlb_model_batch_free(batch);
  CHECK_OK(cqlb_value_new_udt(&changes));
  cqlb_value_field(changes, S("lives"));
  cqlb_value_append_int32(changes, 9);
  CHECK_OK(cqlb_model_batch_new(1, &batch));
  CHECK_OK(cqlb_model_batch_add_update(batch, cat, tom, changes, NULL));
  CHECK_OK(cqlb_model_batch_execute(session, batch));
  cqlb_model_batch_free(batch);
  CHECK_OK(cqlb_value_new_udt(&key));
  cqlb_value_field(key, S("owner"));
  cqlb_value_append_string(key, S("ann"));
  cqlb_result r;
  CHECK_OK(cqlb_model_select(session, pet, key, NULL, &r));
  size_t rows = 0, col = 0;
  int32_t lives = 0;
  CHECK_OK(cqlb_result_row_count(r, &rows));
  CHECK_OK(cqlb_result_column_index(r, S("lives"), &col));
  CHECK_OK(cqlb_result_get_int32(r, 0, col, &lives));
  CHECK(rows == 1 && lives == 9);
  cqlb_result_free(r);
  CHECK_OK(cqlb_model_batch_new(0, &batch));
  CHECK_OK(cqlb_model_batch_add_delete(batch, cat, key, NULL));
  CHECK_OK(cqlb_model_batch_execute(session, batch));
  cqlb_model_batch_free(batch);
  int64_t count = -1;
  CHECK_OK(cqlb_model_count(session, pet, key, NULL, &count));
  CHECK(count == 0);
  cqlb_value_free(tom);
  cqlb_value_free(key);
  cqlb_value_free(changes);
  cqlb_model_free(pet);
  cqlb_model_free(cat);
}

int main(void) {
  size_t baseline = 0;
  cqlb_live_handle_count(&baseline);
  connect_and_prepare_async();
  every_binder_by_name_and_unset();
  every_appender_and_element_getter();
  async_batches_outcome_messages_and_warnings();
  the_rest_of_the_model_builder();
  CHECK_OK(cqlb_session_drop_keyspace(session, S("cqlb_c_happy")));
  CHECK_OK(cqlb_session_free(session));
  size_t live = 0;
  cqlb_live_handle_count(&live);
  CHECK(live == baseline);
  return finish("test_happy");
}
