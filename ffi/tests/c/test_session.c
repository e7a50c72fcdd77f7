/* The C ABI against the real node (CQLB_CONTACT_POINTS, default 127.0.0.1): execute, prepare,
 * every scalar type both ways, errors, paging, batches and LWT, futures and callbacks under
 * races, threads sharing a session, freeing a session with requests in flight. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

static cqlb_session session;

static int under_valgrind(void) { return getenv("CQLB_VALGRIND") != NULL; }

static cqlb_status run(const char *cql) {
  cqlb_statement st;
  cqlb_result r;
  cqlb_status s = cqlb_statement_new(cql, strlen(cql), &st);
  if (s != CQLB_OK) return s;
  s = cqlb_session_execute(session, st, &r);
  cqlb_statement_free(st);
  if (s == CQLB_OK) cqlb_result_free(r);
  return s;
}

static void connect_to_the_node(void) {
  const char *points = getenv("CQLB_CONTACT_POINTS");
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  char buf[256];
  snprintf(buf, sizeof buf, "%s", points ? points : "127.0.0.1");
  for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
    CHECK_OK(cqlb_cluster_config_add_contact_point(config, p, strlen(p)));
  }
  cqlb_future f;
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_OK(cqlb_cluster_config_free(config));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_session(f, &session));
  CHECK_OK(cqlb_future_free(f));
  CHECK_OK(run("CREATE KEYSPACE IF NOT EXISTS cqlb_c WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"));
  CHECK_OK(run("CREATE TABLE IF NOT EXISTS cqlb_c.scalars (k int PRIMARY KEY, b boolean, ti tinyint, si smallint, i int, "
               "bi bigint, f float, d double, t text, a ascii, bl blob, u uuid, tu timeuuid, ip inet, dt date, tm time, "
               "ts timestamp, du duration, dec decimal, vi varint, l list<int>)"));
  CHECK_OK(run("CREATE TABLE IF NOT EXISTS cqlb_c.kv (k int PRIMARY KEY, v int)"));
  CHECK_OK(run("CREATE TABLE IF NOT EXISTS cqlb_c.paged (p int, c int, PRIMARY KEY (p, c))"));
}

static void every_scalar_type_round_trips(void) {
  cqlb_prepared insert;
  const char *cql =
      "INSERT INTO cqlb_c.scalars (k, b, ti, si, i, bi, f, d, t, a, bl, u, tu, ip, dt, tm, ts, du, dec, vi) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  CHECK_OK(cqlb_session_prepare(session, cql, strlen(cql), &insert));
  size_t params = 0;
  CHECK_OK(cqlb_prepared_param_count(insert, &params));
  CHECK(params == 20);
  const char *name = NULL;
  size_t name_len = 0;
  CHECK_OK(cqlb_prepared_param_name(insert, 8, &name, &name_len));
  CHECK(name_len == 1 && name[0] == 't');
  cqlb_statement st;
  CHECK_OK(cqlb_prepared_bind(insert, &st));
  const uint8_t uuid[16] = {0x3f, 0x1e, 0x2d, 0x4c, 0x5b, 0x6a, 0x47, 0x98, 0x8a, 0x7b, 0x6c, 0x5d, 0x4e, 0x3f, 0x2a, 0x1b};
  const uint8_t timeuuid[16] = {0xe3, 0xd0, 0xc2, 0xa0, 0x8b, 0x1e, 0x11, 0xef, 0x9a, 0x2b, 0x02, 0x42, 0xac, 0x12, 0x00, 0x02};
  const uint8_t blob[3] = {0, 0xfe, 0xff};
  CHECK_OK(cqlb_statement_bind_int32(st, 0, 1));
  CHECK_OK(cqlb_statement_bind_bool(st, 1, true));
  CHECK_OK(cqlb_statement_bind_int8(st, 2, INT8_MIN));
  CHECK_OK(cqlb_statement_bind_int16(st, 3, INT16_MAX));
  CHECK_OK(cqlb_statement_bind_int32_by_name(st, S("i"), INT32_MIN));
  CHECK_OK(cqlb_statement_bind_int64(st, 5, INT64_MAX));
  CHECK_OK(cqlb_statement_bind_float(st, 6, 1.5f));
  CHECK_OK(cqlb_statement_bind_double(st, 7, -2.25e-300));
  CHECK_OK(cqlb_statement_bind_string(st, 8, S("ünïcödé ✓")));
  CHECK_OK(cqlb_statement_bind_string(st, 9, S("plain")));
  CHECK_OK(cqlb_statement_bind_blob(st, 10, blob, sizeof blob));
  CHECK_OK(cqlb_statement_bind_uuid(st, 11, uuid));
  CHECK_OK(cqlb_statement_bind_timeuuid(st, 12, timeuuid));
  CHECK_OK(cqlb_statement_bind_inet(st, 13, S("::1")));
  CHECK_OK(cqlb_statement_bind_date(st, 14, -1));
  CHECK_OK(cqlb_statement_bind_time(st, 15, 86399999999999LL));
  CHECK_OK(cqlb_statement_bind_timestamp(st, 16, 1700000000123LL));
  CHECK_OK(cqlb_statement_bind_duration(st, 17, 1, 2, 3000000004LL));
  CHECK_OK(cqlb_statement_bind_decimal(st, 18, S("-123456789012345678901234567890.000000001")));
  CHECK_OK(cqlb_statement_bind_varint(st, 19, S("98765432109876543210987654321")));
  /* Misuse of a prepared statement's markers fails at once. */
  CHECK_STATUS(cqlb_statement_bind_int32(st, 20, 1), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_statement_bind_string(st, 4, S("not an int")), CQLB_BIND_ERROR);
  CHECK_STATUS(cqlb_statement_bind_int32_by_name(st, S("nope"), 1), CQLB_BIND_ERROR);
  CHECK_STATUS(cqlb_statement_bind_int64(st, 2, 1000), CQLB_BIND_ERROR); /* out of range for tinyint */
  cqlb_result r;
  CHECK_OK(cqlb_session_execute(session, st, &r));
  CHECK_OK(cqlb_result_free(r));
  CHECK_OK(cqlb_statement_free(st));
  CHECK_OK(cqlb_prepared_free(insert));

  cqlb_statement select;
  const char *q = "SELECT b, ti, si, i, bi, f, d, t, a, bl, u, tu, ip, dt, tm, ts, du, dec, vi, l FROM cqlb_c.scalars WHERE k = ?";
  CHECK_OK(cqlb_statement_new(q, strlen(q), &select));
  CHECK_OK(cqlb_statement_bind_int64(select, 0, 1));
  CHECK_OK(cqlb_session_execute(session, select, &r));
  CHECK_OK(cqlb_statement_free(select));
  size_t rows = 0, columns = 0;
  CHECK_OK(cqlb_result_row_count(r, &rows));
  CHECK_OK(cqlb_result_column_count(r, &columns));
  CHECK(rows == 1 && columns == 20);
  const char *type = NULL;
  size_t type_len = 0;
  CHECK_OK(cqlb_result_column_type(r, 19, &type, &type_len));
  CHECK(type_len == 9 && memcmp(type, "list<int>", 9) == 0);
  const char *again = NULL;
  CHECK_OK(cqlb_result_column_type(r, 19, &again, &type_len));
  CHECK(again == type); /* rendered once, then reused: repeated reads do not grow the result */
  bool b = false;
  CHECK_OK(cqlb_result_get_bool(r, 0, 0, &b));
  CHECK(b);
  int8_t ti = 0;
  CHECK_OK(cqlb_result_get_int8(r, 0, 1, &ti));
  CHECK(ti == INT8_MIN);
  int16_t si = 0;
  CHECK_OK(cqlb_result_get_int16(r, 0, 2, &si));
  CHECK(si == INT16_MAX);
  int32_t i = 0;
  CHECK_OK(cqlb_result_get_int32(r, 0, 3, &i));
  CHECK(i == INT32_MIN);
  int64_t bi = 0;
  CHECK_OK(cqlb_result_get_int64(r, 0, 4, &bi));
  CHECK(bi == INT64_MAX);
  CHECK_OK(cqlb_result_get_int64(r, 0, 1, &bi)); /* widening from tinyint */
  CHECK(bi == INT8_MIN);
  float f = 0;
  CHECK_OK(cqlb_result_get_float(r, 0, 5, &f));
  CHECK(f == 1.5f);
  double d = 0;
  CHECK_OK(cqlb_result_get_double(r, 0, 6, &d));
  CHECK(d == -2.25e-300);
  const char *text = NULL;
  size_t text_len = 0;
  CHECK_OK(cqlb_result_get_string(r, 0, 7, &text, &text_len));
  CHECK(text_len == strlen("ünïcödé ✓") && memcmp(text, "ünïcödé ✓", text_len) == 0);
  CHECK_OK(cqlb_result_get_string(r, 0, 8, &text, &text_len));
  CHECK(text_len == 5 && memcmp(text, "plain", 5) == 0);
  const uint8_t *bytes = NULL;
  size_t bytes_len = 0;
  CHECK_OK(cqlb_result_get_blob(r, 0, 9, &bytes, &bytes_len));
  CHECK(bytes_len == 3 && memcmp(bytes, blob, 3) == 0);
  uint8_t got_uuid[16];
  CHECK_OK(cqlb_result_get_uuid(r, 0, 10, got_uuid));
  CHECK(memcmp(got_uuid, uuid, 16) == 0);
  CHECK_OK(cqlb_result_get_uuid(r, 0, 11, got_uuid));
  CHECK(memcmp(got_uuid, timeuuid, 16) == 0);
  uint8_t addr[16];
  size_t addr_len = 0;
  CHECK_OK(cqlb_result_get_inet(r, 0, 12, addr, &addr_len));
  CHECK(addr_len == 16 && addr[15] == 1 && addr[0] == 0);
  int32_t date = 0;
  CHECK_OK(cqlb_result_get_date(r, 0, 13, &date));
  CHECK(date == -1);
  int64_t tm = 0, ts = 0;
  CHECK_OK(cqlb_result_get_time(r, 0, 14, &tm));
  CHECK(tm == 86399999999999LL);
  CHECK_OK(cqlb_result_get_timestamp(r, 0, 15, &ts));
  CHECK(ts == 1700000000123LL);
  int32_t months = 0, days = 0;
  int64_t nanos = 0;
  CHECK_OK(cqlb_result_get_duration(r, 0, 16, &months, &days, &nanos));
  CHECK(months == 1 && days == 2 && nanos == 3000000004LL);
  CHECK_OK(cqlb_result_get_number_text(r, 0, 17, &text, &text_len));
  CHECK(text_len == strlen("-123456789012345678901234567890.000000001") &&
        memcmp(text, "-123456789012345678901234567890.000000001", text_len) == 0);
  CHECK_OK(cqlb_result_get_number_text(r, 0, 18, &text, &text_len));
  CHECK(text_len == 29 && memcmp(text, "98765432109876543210987654321", 29) == 0);
  /* A null value, a wrong getter, out of range. */
  bool is_null = false;
  CHECK_OK(cqlb_result_is_null(r, 0, 19, &is_null));
  CHECK(is_null);
  i = 42;
  CHECK_STATUS(cqlb_result_get_int32(r, 0, 19, &i), CQLB_NULL_VALUE);
  CHECK(i == 42); /* out-params are written only on success */
  CHECK_STATUS(cqlb_result_get_int32(r, 0, 7, &i), CQLB_WRONG_TYPE);
  CHECK_STATUS(cqlb_result_get_int32(r, 1, 0, &i), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_result_get_int32(r, 0, 20, &i), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_result_get_uuid(r, 0, 10, NULL), CQLB_NULL_ARGUMENT);
  size_t index = 0;
  CHECK_OK(cqlb_result_column_index(r, S("dec"), &index));
  CHECK(index == 17);
  CHECK_OK(cqlb_result_free(r));
}

static void collections_tuples_udts_and_vectors_both_ways(void) {
  CHECK_OK(run("CREATE TYPE IF NOT EXISTS cqlb_c.point (x int, label text)"));
  CHECK_OK(run("CREATE TABLE IF NOT EXISTS cqlb_c.nested (k int PRIMARY KEY, l list<int>, s set<text>, m map<text, int>, "
               "t tuple<int, text>, p frozen<point>, v vector<float, 3>, ll list<frozen<list<int>>>)"));
  cqlb_prepared insert;
  CHECK_OK(cqlb_session_prepare(session, S("INSERT INTO cqlb_c.nested (k, l, s, m, t, p, v, ll) VALUES (1, ?, ?, ?, ?, ?, ?, ?)"), &insert));
  cqlb_statement st;
  CHECK_OK(cqlb_prepared_bind(insert, &st));
  cqlb_value l, set, m, t, p, v, ll, inner;
  CHECK_OK(cqlb_value_new_list(&l));
  for (int i = 0; i < 3; i++) CHECK_OK(cqlb_value_append_int32(l, i * 10));
  CHECK_STATUS(cqlb_value_append_null(l), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_value_new_set(&set));
  CHECK_OK(cqlb_value_append_string(set, S("b")));
  CHECK_OK(cqlb_value_append_string(set, S("a")));
  CHECK_OK(cqlb_value_new_map(&m));
  CHECK_OK(cqlb_value_append_string(m, S("one")));
  CHECK_OK(cqlb_value_append_int32(m, 1));
  CHECK_OK(cqlb_value_new_tuple(&t));
  CHECK_OK(cqlb_value_append_int32(t, 7));
  CHECK_OK(cqlb_value_append_null(t));
  CHECK_OK(cqlb_value_new_udt(&p));
  CHECK_STATUS(cqlb_value_append_int32(p, 1), CQLB_INVALID_ARGUMENT); /* a field needs a name */
  CHECK_OK(cqlb_value_field(p, S("label")));
  CHECK_OK(cqlb_value_append_string(p, S("origin")));
  CHECK_OK(cqlb_value_new_vector(&v));
  for (int i = 0; i < 3; i++) CHECK_OK(cqlb_value_append_float(v, 0.5f * (float)i));
  CHECK_OK(cqlb_value_new_list(&ll));
  CHECK_OK(cqlb_value_new_list(&inner));
  CHECK_OK(cqlb_value_append_int32(inner, 42));
  CHECK_OK(cqlb_value_append_value(ll, inner));
  CHECK_OK(cqlb_value_append_value(ll, inner));
  CHECK_OK(cqlb_statement_bind_value(st, 0, l));
  CHECK_OK(cqlb_statement_bind_value(st, 1, set));
  CHECK_OK(cqlb_statement_bind_value_by_name(st, S("m"), m));
  CHECK_OK(cqlb_statement_bind_value(st, 3, t));
  CHECK_OK(cqlb_statement_bind_value(st, 4, p));
  CHECK_STATUS(cqlb_statement_bind_value(st, 5, set), CQLB_BIND_ERROR); /* text elements do not fit a vector<float, 3> */
  CHECK_OK(cqlb_statement_bind_value(st, 5, v));
  CHECK_OK(cqlb_statement_bind_value(st, 6, ll));
  cqlb_value all[] = {l, set, m, t, p, v, ll, inner};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_OK(cqlb_value_free(all[i]));
  cqlb_result r;
  CHECK_OK(cqlb_session_execute(session, st, &r));
  cqlb_result_free(r);
  cqlb_statement_free(st);
  cqlb_prepared_free(insert);

  CHECK_OK(cqlb_statement_new(S("SELECT l, s, m, t, p, v, ll FROM cqlb_c.nested WHERE k = 1"), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  size_t n = 0;
  CHECK_OK(cqlb_result_element_count(r, 0, 0, NULL, 0, &n));
  CHECK(n == 3);
  size_t path[2] = {2, 0};
  int32_t i32 = 0;
  CHECK_OK(cqlb_result_element_get_int32(r, 0, 0, path, 1, &i32));
  CHECK(i32 == 20);
  const char *text;
  size_t len;
  path[0] = 0;
  CHECK_OK(cqlb_result_element_get_string(r, 0, 1, path, 1, &text, &len)); /* sets come sorted */
  CHECK(len == 1 && text[0] == 'a');
  CHECK_OK(cqlb_result_element_count(r, 0, 2, NULL, 0, &n));
  CHECK(n == 2); /* one entry: key and value */
  CHECK_OK(cqlb_result_element_get_string(r, 0, 2, path, 1, &text, &len));
  CHECK(len == 3 && memcmp(text, "one", 3) == 0);
  path[0] = 1;
  CHECK_OK(cqlb_result_element_get_int32(r, 0, 2, path, 1, &i32));
  CHECK(i32 == 1);
  bool null = false;
  CHECK_OK(cqlb_result_element_is_null(r, 0, 3, path, 1, &null)); /* the tuple's second element */
  CHECK(null);
  CHECK_STATUS(cqlb_result_element_get_string(r, 0, 3, path, 1, &text, &len), CQLB_NULL_VALUE);
  path[0] = 0;
  CHECK_OK(cqlb_result_element_name(r, 0, 4, path, 1, &text, &len));
  CHECK(len == 1 && text[0] == 'x');
  CHECK_OK(cqlb_result_element_is_null(r, 0, 4, path, 1, &null)); /* x was left out */
  CHECK(null);
  path[0] = 1;
  CHECK_OK(cqlb_result_element_get_string(r, 0, 4, path, 1, &text, &len));
  CHECK(len == 6 && memcmp(text, "origin", 6) == 0);
  path[0] = 2;
  float f = 0;
  CHECK_OK(cqlb_result_element_get_float(r, 0, 5, path, 1, &f));
  CHECK(f == 1.0f);
  path[0] = 1;
  path[1] = 0;
  CHECK_OK(cqlb_result_element_get_int32(r, 0, 6, path, 2, &i32)); /* nested: ll[1][0] */
  CHECK(i32 == 42);
  path[0] = 9;
  CHECK_STATUS(cqlb_result_element_get_int32(r, 0, 6, path, 1, &i32), CQLB_INVALID_ARGUMENT);
  path[0] = 0;
  path[1] = 0;
  CHECK_STATUS(cqlb_result_element_count(r, 0, 0, path, 1, &n), CQLB_WRONG_TYPE); /* into a scalar */
  CHECK_OK(cqlb_result_get_text_of(r, 0, 6, &text, &len));
  CHECK(len == strlen("[[42], [42]]") && memcmp(text, "[[42], [42]]", len) == 0);
  cqlb_result_free(r);
  cqlb_statement_free(st);
}

static void errors_carry_their_kind_and_the_servers_details(void) {
  CHECK_STATUS(run("SELEC * FROM cqlb_c.kv"), CQLB_SYNTAX_ERROR);
  const char *msg = NULL;
  size_t len = 0;
  CHECK_OK(cqlb_last_error_message(&msg, &len));
  CHECK(strstr(msg, "SELEC") != NULL);
  CHECK_STATUS(run("SELECT * FROM cqlb_c.no_such_table"), CQLB_INVALID_REQUEST);
  cqlb_statement st;
  CHECK_OK(cqlb_statement_new(S("CREATE TABLE cqlb_c.kv (k int PRIMARY KEY)"), &st));
  cqlb_future f;
  CHECK_OK(cqlb_session_execute_async(session, st, &f));
  CHECK_STATUS(cqlb_future_wait(f), CQLB_ALREADY_EXISTS);
  cqlb_server_error details;
  CHECK_OK(cqlb_future_server_error(f, &details));
  CHECK(details.code == 0x2400);
  CHECK_OK(cqlb_future_free(f));
  CHECK_OK(cqlb_statement_free(st));
  /* Too few values for a CQL string: refused before it runs. */
  CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &st));
  CHECK_OK(cqlb_statement_bind_int32(st, 0, 1));
  cqlb_result r;
  CHECK_STATUS(cqlb_session_execute(session, st, &r), CQLB_BIND_ERROR);
  CHECK_OK(cqlb_statement_free(st));
}

/* Bad input from C: typed statuses, and the session still works after each. */
static void bad_input_is_typed_and_nothing_is_lost(void) {
  cqlb_statement st;
  cqlb_result r;
  /* Bytes that are not UTF-8 are refused by the text binders (a value and an element). */
  const char bad[] = {'a', (char)0xff, 'b'};
  CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c.scalars (k, t) VALUES (?, ?)"), &st));
  CHECK_OK(cqlb_statement_bind_int32(st, 0, 90));
  CHECK_STATUS(cqlb_statement_bind_string(st, 1, bad, sizeof bad), CQLB_INVALID_UTF8);
  cqlb_value set;
  CHECK_OK(cqlb_value_new_set(&set));
  CHECK_STATUS(cqlb_value_append_string(set, bad, sizeof bad), CQLB_INVALID_UTF8);
  CHECK_OK(cqlb_value_free(set));
  CHECK_OK(cqlb_statement_bind_string(st, 1, S("fine")));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  CHECK_OK(cqlb_result_free(r));
  CHECK_OK(cqlb_statement_free(st));
  /* A batch statement that does not bind fails the batch as a bind error (not an argument
   * error): its kind is kept. */
  cqlb_batch b;
  CHECK_OK(cqlb_batch_new(0, &b));
  CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &st));
  CHECK_OK(cqlb_statement_bind_int32(st, 0, 91));
  CHECK_OK(cqlb_statement_bind_string(st, 1, S("not an int")));
  CHECK_OK(cqlb_batch_add_statement(b, st));
  CHECK_OK(cqlb_statement_free(st));
  CHECK_STATUS(cqlb_session_execute_batch(session, b, &r), CQLB_BIND_ERROR);
  const char *msg = NULL;
  size_t len = 0;
  CHECK_OK(cqlb_last_error_message(&msg, &len));
  CHECK(msg && strstr(msg, "batch statement 0") != NULL);
  CHECK_OK(cqlb_batch_free(b));
  /* Freed handles. */
  CHECK_OK(cqlb_statement_new(S("SELECT k FROM cqlb_c.kv"), &st));
  CHECK_OK(cqlb_statement_free(st));
  CHECK_STATUS(cqlb_session_execute(session, st, &r), CQLB_INVALID_HANDLE);
  cqlb_prepared p;
  CHECK_OK(cqlb_session_prepare(session, S("SELECT k FROM cqlb_c.kv WHERE k = ?"), &p));
  CHECK_OK(cqlb_prepared_free(p));
  CHECK_STATUS(cqlb_prepared_bind(p, &st), CQLB_INVALID_HANDLE);
  CHECK_OK(run("SELECT t FROM cqlb_c.scalars WHERE k = 90"));
}

static void pages_resume_from_their_paging_state(void) {
  cqlb_prepared insert;
  CHECK_OK(cqlb_session_prepare(session, S("INSERT INTO cqlb_c.paged (p, c) VALUES (1, ?)"), &insert));
  for (int c = 0; c < 25; c++) {
    cqlb_statement st;
    cqlb_result r;
    CHECK_OK(cqlb_prepared_bind(insert, &st));
    CHECK_OK(cqlb_statement_bind_int32(st, 0, c));
    CHECK_OK(cqlb_session_execute(session, st, &r));
    cqlb_result_free(r);
    cqlb_statement_free(st);
  }
  CHECK_OK(cqlb_prepared_free(insert));
  cqlb_statement select;
  CHECK_OK(cqlb_statement_new(S("SELECT c FROM cqlb_c.paged WHERE p = 1"), &select));
  CHECK_OK(cqlb_statement_set_page_size(select, 10));
  int seen = 0, pages = 0, in_order = 1;
  for (;;) {
    cqlb_result r;
    CHECK_OK(cqlb_session_execute(session, select, &r));
    size_t rows = 0;
    cqlb_result_row_count(r, &rows);
    for (size_t i = 0; i < rows; i++) {
      int32_t c = -1;
      cqlb_result_get_int32(r, i, 0, &c);
      in_order &= (c == seen);
      seen++;
    }
    pages++;
    bool more = false;
    CHECK_OK(cqlb_result_has_more_pages(r, &more));
    const uint8_t *state = NULL;
    size_t state_len = 0;
    CHECK_OK(cqlb_result_paging_state(r, &state, &state_len));
    CHECK_OK(cqlb_statement_set_paging_state(select, state, state_len));
    cqlb_result_free(r);
    if (!more) break;
  }
  CHECK(seen == 25 && pages == 3 && in_order);
  CHECK_OK(cqlb_statement_free(select));
}

static void batches_and_lightweight_transactions(void) {
  CHECK_OK(run("INSERT INTO cqlb_c.kv (k, v) VALUES (100, 0)"));
  cqlb_statement st;
  cqlb_result r;
  CHECK_OK(cqlb_statement_new(S("UPDATE cqlb_c.kv SET v = 2 WHERE k = 100 IF v = 1"), &st));
  CHECK_OK(cqlb_statement_set_serial_consistency(st, CQLB_CONSISTENCY_LOCAL_SERIAL));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  int32_t applied = -2, existing = -1;
  CHECK_OK(cqlb_result_was_applied(r, &applied));
  CHECK(applied == 0);
  CHECK_OK(cqlb_result_get_int32(r, 0, 1, &existing));
  CHECK(existing == 0);
  cqlb_result_free(r);
  cqlb_statement_free(st);

  cqlb_batch batch;
  CHECK_OK(cqlb_batch_new(0, &batch));
  for (int k = 200; k < 203; k++) {
    CHECK_OK(cqlb_statement_new(S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &st));
    CHECK_OK(cqlb_statement_bind_int32(st, 0, k));
    CHECK_OK(cqlb_statement_bind_int32(st, 1, k * 2));
    CHECK_OK(cqlb_batch_add_statement(batch, st));
    CHECK_OK(cqlb_statement_free(st));
  }
  CHECK_OK(cqlb_batch_set_options(batch, CQLB_CONSISTENCY_ONE, 1000000));
  CHECK_OK(cqlb_session_execute_batch(session, batch, &r));
  CHECK_OK(cqlb_result_was_applied(r, &applied));
  CHECK(applied == -1);
  cqlb_result_free(r);
  CHECK_OK(cqlb_batch_free(batch));
  CHECK_OK(cqlb_statement_new(S("SELECT v, writetime(v) FROM cqlb_c.kv WHERE k = 202"), &st));
  CHECK_OK(cqlb_session_execute(session, st, &r));
  int32_t v = 0;
  int64_t wt = 0;
  CHECK_OK(cqlb_result_get_int32(r, 0, 0, &v));
  CHECK_OK(cqlb_result_get_int64(r, 0, 1, &wt));
  CHECK(v == 404 && wt == 1000000);
  cqlb_result_free(r);
  cqlb_statement_free(st);
  CHECK_STATUS(cqlb_batch_new(7, &batch), CQLB_INVALID_ARGUMENT);
}

/* Futures under a race: callbacks registered while requests complete fire exactly once. */
static atomic_int fired;
static atomic_int failed;

static void count_callback(cqlb_future f, void *userdata) {
  (void)userdata;
  cqlb_status status = CQLB_PENDING;
  if (cqlb_future_status(f, &status) != CQLB_OK || status != CQLB_OK) atomic_fetch_add(&failed, 1);
  atomic_fetch_add(&fired, 1);
}

static atomic_int deadlock_seen;

static void waiting_callback(cqlb_future f, void *userdata) {
  (void)f;
  cqlb_future *other = userdata;
  cqlb_status s = cqlb_future_wait(*other);
  /* Blocking is refused on a library thread unless the other future is already complete. */
  bool ready = false;
  cqlb_future_ready(*other, &ready);
  if (s == CQLB_WOULD_DEADLOCK || ready) atomic_store(&deadlock_seen, s == CQLB_WOULD_DEADLOCK ? 1 : 2);
}

static void callbacks_fire_exactly_once_under_a_race(void) {
  const int n = under_valgrind() ? 300 : 10000;
  cqlb_prepared insert;
  CHECK_OK(cqlb_session_prepare(session, S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &insert));
  cqlb_future *futures = calloc((size_t)n, sizeof *futures);
  for (int i = 0; i < n; i++) {
    cqlb_statement st;
    cqlb_prepared_bind(insert, &st);
    cqlb_statement_bind_int32(st, 0, 10000 + i);
    cqlb_statement_bind_int32(st, 1, i);
    cqlb_session_execute_async(session, st, &futures[i]);
    cqlb_statement_free(st);
    /* Each callback is registered one request later: some futures are complete by then. */
    if (i >= 1) cqlb_future_set_callback(futures[i - 1], count_callback, NULL);
  }
  CHECK_OK(cqlb_future_set_callback(futures[n - 1], count_callback, NULL));
  for (int i = 0; i < n; i++) cqlb_future_wait(futures[i]);
  /* Registered after completion: fires at once, on this thread. */
  int before = atomic_load(&fired);
  cqlb_future_set_callback(futures[0], count_callback, NULL);
  CHECK(atomic_load(&fired) >= before + 1);
  for (int spins = 0; atomic_load(&fired) < n + 1 && spins < 5000; spins++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(atomic_load(&fired) == n + 1);
  CHECK(atomic_load(&failed) == 0);
  for (int i = 0; i < n; i++) cqlb_future_free(futures[i]);
  free(futures);

  /* Waiting inside a callback. */
  cqlb_statement slow, other_st;
  cqlb_future f1, f2;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM system.local"), &slow));
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM system_schema.columns"), &other_st));
  CHECK_OK(cqlb_session_execute_async(session, other_st, &f2));
  CHECK_OK(cqlb_session_execute_async(session, slow, &f1));
  CHECK_OK(cqlb_future_set_callback(f1, waiting_callback, &f2));
  CHECK_OK(cqlb_future_wait(f1));
  CHECK_OK(cqlb_future_wait(f2));
  for (int spins = 0; atomic_load(&deadlock_seen) == 0 && spins < 5000; spins++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(atomic_load(&deadlock_seen) != 0);
  cqlb_future_free(f1);
  cqlb_future_free(f2);
  cqlb_statement_free(slow);
  cqlb_statement_free(other_st);
  CHECK_OK(cqlb_prepared_free(insert));
}

/* A callback may use its future until wait returns: wait returns after the callbacks. */
static atomic_int own_status_ok;

static void reads_its_own_future(cqlb_future f, void *userdata) {
  (void)userdata;
  struct timespec ms = {0, 2000000};
  nanosleep(&ms, NULL); /* a slow callback: the main thread is already waiting */
  cqlb_status status = CQLB_PENDING;
  if (cqlb_future_status(f, &status) == CQLB_OK && status == CQLB_OK) atomic_fetch_add(&own_status_ok, 1);
}

static void wait_returns_after_the_callbacks_so_freeing_is_safe(void) {
  const int n = 50;
  for (int i = 0; i < n; i++) {
    cqlb_statement st;
    cqlb_future f;
    CHECK_OK(cqlb_statement_new(S("SELECT * FROM system.local"), &st));
    CHECK_OK(cqlb_session_execute_async(session, st, &f));
    CHECK_OK(cqlb_future_set_callback(f, reads_its_own_future, NULL));
    cqlb_future_wait(f);
    CHECK_OK(cqlb_future_free(f));
    cqlb_statement_free(st);
  }
  CHECK(atomic_load(&own_status_ok) == n);
}

/* A future freed before it completes: its callback still gets a live handle. */
static atomic_int freed_early_result;

static void reads_the_result(cqlb_future f, void *userdata) {
  (void)userdata;
  cqlb_result r;
  cqlb_status s = cqlb_future_result(f, &r);
  if (s == CQLB_OK) cqlb_result_free(r);
  atomic_store(&freed_early_result, s == CQLB_OK ? 1 : 2);
}

static void a_future_freed_early_still_calls_back_with_a_live_handle(void) {
  cqlb_statement st;
  cqlb_future f;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM system_schema.tables"), &st));
  CHECK_OK(cqlb_session_execute_async(session, st, &f));
  CHECK_OK(cqlb_future_set_callback(f, reads_the_result, NULL));
  CHECK_OK(cqlb_future_free(f));
  CHECK_STATUS(cqlb_future_free(f), CQLB_INVALID_HANDLE);
  for (int spins = 0; atomic_load(&freed_early_result) == 0 && spins < 10000; spins++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(atomic_load(&freed_early_result) == 1);
  cqlb_statement_free(st);
}

static void concurrent_execution_reports_each_outcome_in_order(void) {
  cqlb_prepared insert;
  CHECK_OK(cqlb_session_prepare(session, S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &insert));
  cqlb_statement sts[100];
  for (int i = 0; i < 100; i++) {
    CHECK_OK(cqlb_prepared_bind(insert, &sts[i]));
    if (i == 42) {
      CHECK_OK(cqlb_statement_bind_null(sts[i], 0)); /* a null partition key: the server refuses it */
    } else {
      CHECK_OK(cqlb_statement_bind_int32(sts[i], 0, 70000 + i));
    }
    CHECK_OK(cqlb_statement_bind_int32(sts[i], 1, i));
  }
  cqlb_future f;
  CHECK_OK(cqlb_session_execute_concurrent(session, sts, 100, 8, false, &f));
  CHECK_OK(cqlb_future_wait(f));
  cqlb_outcomes outcomes;
  CHECK_OK(cqlb_future_outcomes(f, &outcomes));
  size_t count = 0;
  CHECK_OK(cqlb_outcomes_count(outcomes, &count));
  CHECK(count == 100);
  int ok = 0;
  for (size_t i = 0; i < count; i++) {
    cqlb_status status;
    CHECK_OK(cqlb_outcomes_status(outcomes, i, &status));
    if (i == 42) {
      CHECK(status == CQLB_INVALID_REQUEST);
    } else {
      ok += status == CQLB_OK;
    }
  }
  CHECK(ok == 99);
  cqlb_result r;
  CHECK_STATUS(cqlb_outcomes_result(outcomes, 42, &r), CQLB_INVALID_REQUEST);
  CHECK_OK(cqlb_outcomes_result(outcomes, 0, &r));
  CHECK_OK(cqlb_result_free(r));
  CHECK_OK(cqlb_outcomes_free(outcomes));
  CHECK_OK(cqlb_future_free(f));
  CHECK_OK(cqlb_session_execute_concurrent(session, sts, 100, 8, true, &f));
  CHECK_STATUS(cqlb_future_wait(f), CQLB_INVALID_REQUEST);
  CHECK_OK(cqlb_future_free(f));
  CHECK_STATUS(cqlb_session_execute_concurrent(session, NULL, 3, 8, true, &f), CQLB_NULL_ARGUMENT);
  for (int i = 0; i < 100; i++) cqlb_statement_free(sts[i]);
  CHECK_OK(cqlb_prepared_free(insert));
}

static atomic_int log_records;

static void count_log(uint32_t level, const char *target, size_t target_len, const char *message, size_t message_len, void *userdata) {
  (void)target;
  (void)target_len;
  (void)message;
  (void)message_len;
  if (level >= 1 && level <= 5 && userdata == &log_records) atomic_fetch_add(&log_records, 1);
}

static void host_event(uint32_t event, const char *address, size_t address_len, void *userdata) {
  (void)event;
  (void)address;
  (void)address_len;
  (void)userdata;
}

static void metadata_metrics_and_logging(void) {
  cqlb_metadata m;
  CHECK_OK(cqlb_session_metadata(session, &m));
  size_t hosts = 0, keyspaces = 0, columns = 0;
  CHECK_OK(cqlb_metadata_host_count(m, &hosts));
  CHECK(hosts >= 1);
  cqlb_host host;
  CHECK_OK(cqlb_metadata_host(m, 0, &host));
  CHECK(host.up && host.port == 9042 && host.address_len > 0);
  CHECK(host.datacenter_len == strlen("datacenter1") && memcmp(host.datacenter, "datacenter1", host.datacenter_len) == 0);
  CHECK_STATUS(cqlb_metadata_host(m, hosts, &host), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_metadata_keyspace_count(m, &keyspaces));
  int found = 0;
  for (size_t i = 0; i < keyspaces; i++) {
    const char *name;
    size_t len;
    CHECK_OK(cqlb_metadata_keyspace_name(m, i, &name, &len));
    found |= len == 6 && memcmp(name, "cqlb_c", 6) == 0;
  }
  CHECK(found);
  CHECK_OK(cqlb_metadata_column_count(m, S("cqlb_c"), S("kv"), &columns));
  CHECK(columns == 2);
  cqlb_column_info col;
  CHECK_OK(cqlb_metadata_column(m, S("cqlb_c"), S("kv"), 0, &col));
  CHECK(col.name_len == 1 && col.name[0] == 'k' && col.kind == 1 && col.type_len == 3 && memcmp(col.type_text, "int", 3) == 0);
  CHECK_STATUS(cqlb_metadata_column_count(m, S("cqlb_c"), S("nope"), &columns), CQLB_INVALID_ARGUMENT);
  size_t tokens = 0, owner = 99;
  int64_t token = 0;
  CHECK_OK(cqlb_metadata_token_count(m, &tokens));
  CHECK(tokens == hosts);
  CHECK_OK(cqlb_metadata_token(m, 0, &token, &owner));
  CHECK(owner < hosts && token == INT64_MIN); /* the harness gives node 1 the ring's first token */
  CHECK_OK(cqlb_metadata_free(m));
  CHECK_OK(cqlb_session_wait_for_schema_agreement(session));

  /* Tracing: a traced request's events. */
  cqlb_statement traced;
  cqlb_result r, events;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM cqlb_c.kv WHERE k = 1"), &traced));
  CHECK_OK(cqlb_statement_set_tracing(traced, true));
  CHECK_OK(cqlb_session_execute(session, traced, &r));
  uint8_t trace_id[16];
  bool has_trace = false;
  CHECK_OK(cqlb_result_tracing_id(r, trace_id, &has_trace));
  CHECK(has_trace);
  CHECK_OK(cqlb_session_trace(session, trace_id, &events));
  size_t event_count = 0;
  CHECK_OK(cqlb_result_row_count(events, &event_count));
  CHECK(event_count > 0);
  const char *activity;
  size_t activity_len;
  CHECK_OK(cqlb_result_get_string(events, 0, 0, &activity, &activity_len));
  CHECK(activity_len > 0);
  cqlb_result_free(events);
  cqlb_result_free(r);
  cqlb_statement_free(traced);

  /* A host watch starts and stops (events are tested with three nodes in core). */
  cqlb_host_watch watch;
  CHECK_STATUS(cqlb_session_watch_hosts(session, 100, NULL, NULL, &watch), CQLB_NULL_ARGUMENT);
  CHECK_OK(cqlb_session_watch_hosts(session, 100, host_event, NULL, &watch));
  CHECK_OK(cqlb_host_watch_free(watch));

  cqlb_metrics metrics;
  CHECK_OK(cqlb_session_metrics(session, &metrics));
  CHECK(metrics.requests > 0 && metrics.open_connections >= 1 && metrics.latency_p50_ms <= metrics.latency_p99_ms);

  CHECK_STATUS(cqlb_set_log_callback(9, count_log, NULL), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_set_log_callback(5, count_log, &log_records));
  cqlb_cluster_config config;
  cqlb_future f;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1")));
  CHECK_OK(cqlb_session_connect(config, &f)); /* connecting logs on the library's threads */
  CHECK_OK(cqlb_future_wait(f));
  cqlb_session logged;
  CHECK_OK(cqlb_future_session(f, &logged));
  CHECK_OK(cqlb_set_log_callback(5, NULL, NULL));
  CHECK(atomic_load(&log_records) > 0);
  cqlb_session_free(logged);
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
}

static void *worker(void *arg) {
  long id = (long)arg;
  int *ok = calloc(1, sizeof *ok);
  for (int i = 0; i < (under_valgrind() ? 10 : 200); i++) {
    cqlb_statement st;
    cqlb_result r;
    cqlb_statement_new(S("INSERT INTO cqlb_c.kv (k, v) VALUES (?, ?)"), &st);
    cqlb_statement_bind_int32(st, 0, (int32_t)(50000 + id * 1000 + i));
    cqlb_statement_bind_int32(st, 1, i);
    if (cqlb_session_execute(session, st, &r) == CQLB_OK) {
      (*ok)++;
      cqlb_result_free(r);
    }
    cqlb_statement_free(st);
  }
  return ok;
}

static void sixteen_threads_share_one_session(void) {
  pthread_t threads[16];
  for (long t = 0; t < 16; t++) pthread_create(&threads[t], NULL, worker, (void *)t);
  int total = 0;
  for (int t = 0; t < 16; t++) {
    void *ok = NULL;
    pthread_join(threads[t], &ok);
    total += *(int *)ok;
    free(ok);
  }
  CHECK(total == 16 * (under_valgrind() ? 10 : 200));
}

static void every_configuration_option_and_profiles(void) {
  cqlb_cluster_config config;
  cqlb_future f;
  cqlb_session own;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1")));
  CHECK_OK(cqlb_cluster_config_set_port(config, 9042));
  CHECK_OK(cqlb_cluster_config_set_keyspace(config, S("cqlb_c")));
  CHECK_OK(cqlb_cluster_config_set_consistency(config, CQLB_CONSISTENCY_ONE));
  CHECK_OK(cqlb_cluster_config_set_request_timeout_ms(config, 8000));
  CHECK_OK(cqlb_cluster_config_set_connect_timeout_ms(config, 4000));
  CHECK_OK(cqlb_cluster_config_set_page_size(config, 100));
  CHECK_OK(cqlb_cluster_config_set_load_balancing(config, false, S("datacenter1"), false, true));
  CHECK_OK(cqlb_cluster_config_set_retry_policy(config, 2));
  CHECK_OK(cqlb_cluster_config_set_speculative_execution(config, 100, 1));
  CHECK_OK(cqlb_cluster_config_set_compression(config, 1));
  CHECK_OK(cqlb_cluster_config_set_reconnection(config, 1, 500, 0));
  CHECK_OK(cqlb_cluster_config_set_heartbeat_interval_ms(config, 0));
  CHECK_OK(cqlb_cluster_config_add_allowed_host(config, S("127.0.0.1:9042")));
  CHECK_OK(cqlb_cluster_config_add_profile(config, S("strict"), CQLB_CONSISTENCY_THREE, 1, 2000));
  CHECK_STATUS(cqlb_cluster_config_set_reconnection(config, 7, 1, 1), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_session(f, &own));
  cqlb_future_free(f);
  cqlb_statement st;
  cqlb_result r;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM kv WHERE k = 1"), &st)); /* the keyspace is cqlb_c */
  CHECK_OK(cqlb_statement_set_host(st, S("127.0.0.1")));
  CHECK_OK(cqlb_statement_set_tracing(st, true));
  CHECK_OK(cqlb_statement_set_idempotent(st, true));
  CHECK_OK(cqlb_statement_set_timeout_ms(st, 5000));
  CHECK_OK(cqlb_session_execute(own, st, &r));
  cqlb_result_free(r);
  CHECK_OK(cqlb_statement_set_profile(st, S("strict")));
  CHECK_STATUS(cqlb_session_execute(own, st, &r), CQLB_UNAVAILABLE); /* THREE replicas on one node */
  CHECK_OK(cqlb_statement_set_profile(st, S("missing")));
  CHECK_STATUS(cqlb_session_execute(own, st, &r), CQLB_INVALID_ARGUMENT);
  cqlb_statement_free(st);
  /* A TLS configuration whose CA file does not exist: connecting fails, saying why. */
  CHECK_OK(cqlb_cluster_config_set_tls(config, S("/nonexistent/ca.pem"), NULL, 0, NULL, 0, true));
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_STATUS(cqlb_future_wait(f), CQLB_INVALID_ARGUMENT);
  const char *why;
  size_t why_len;
  CHECK_OK(cqlb_future_error_message(f, &why, &why_len));
  CHECK(contains(why, why_len, "/nonexistent/ca.pem"));
  cqlb_future_free(f);
  CHECK_STATUS(cqlb_cluster_config_set_tls(config, S("/ca.pem"), S("/cert.pem"), NULL, 0, true), CQLB_INVALID_ARGUMENT);
  cqlb_cluster_config_free(config);

  /* sync_type, and the metadata's table names. */
  const char *names[] = {"x", "label"};
  const char *types[] = {"int", "text"};
  size_t name_lens[] = {1, 5}, type_lens[] = {3, 4};
  bool changed = true;
  CHECK_OK(cqlb_session_sync_type(own, S("cqlb_c"), S("point"), names, name_lens, types, type_lens, 2, &changed));
  CHECK(!changed); /* made by the collections test with these fields */
  /* A type name Cassandra would keep quoted (the driver's schema metadata could not read a
     table using it) is refused before anything is sent, and the out-param is left alone. */
  changed = true;
  CHECK_STATUS(cqlb_session_sync_type(own, S("cqlb_c"), S("Point"), names, name_lens, types, type_lens, 2, &changed),
               CQLB_INVALID_ARGUMENT);
  CHECK(changed);
  cqlb_metadata m;
  size_t tables = 0;
  CHECK_OK(cqlb_session_metadata(own, &m));
  CHECK_OK(cqlb_metadata_table_count(m, S("cqlb_c"), &tables));
  CHECK(tables >= 4);
  const char *name;
  size_t len;
  CHECK_OK(cqlb_metadata_table_name(m, S("cqlb_c"), 0, &name, &len));
  CHECK(len > 0);
  cqlb_metadata_free(m);
  cqlb_session_free(own);
}

static void freeing_a_session_with_requests_in_flight(void) {
  cqlb_cluster_config config;
  cqlb_future f;
  cqlb_session own;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1")));
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_session(f, &own));
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  cqlb_future inflight[100];
  cqlb_statement st;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM cqlb_c.kv LIMIT 10"), &st));
  for (int i = 0; i < 100; i++) cqlb_session_execute_async(own, st, &inflight[i]);
  CHECK_OK(cqlb_session_free(own));
  CHECK_STATUS(cqlb_session_execute_async(own, st, &f), CQLB_INVALID_HANDLE);
  int completed = 0;
  for (int i = 0; i < 100; i++) {
    cqlb_status s = cqlb_future_wait(inflight[i]);
    completed += (s == CQLB_OK);
    cqlb_future_free(inflight[i]);
  }
  CHECK(completed == 100);
  cqlb_statement_free(st);
}

int main(void) {
  size_t baseline = 0;
  cqlb_live_handle_count(&baseline);
  connect_to_the_node();
  every_scalar_type_round_trips();
  collections_tuples_udts_and_vectors_both_ways();
  errors_carry_their_kind_and_the_servers_details();
  bad_input_is_typed_and_nothing_is_lost();
  pages_resume_from_their_paging_state();
  batches_and_lightweight_transactions();
  callbacks_fire_exactly_once_under_a_race();
  concurrent_execution_reports_each_outcome_in_order();
  wait_returns_after_the_callbacks_so_freeing_is_safe();
  a_future_freed_early_still_calls_back_with_a_live_handle();
  sixteen_threads_share_one_session();
  metadata_metrics_and_logging();
  every_configuration_option_and_profiles();
  freeing_a_session_with_requests_in_flight();
  CHECK_OK(cqlb_session_free(session));
  size_t live = 0;
  cqlb_live_handle_count(&live);
  CHECK(live == baseline);
  return finish("test_session");
}
