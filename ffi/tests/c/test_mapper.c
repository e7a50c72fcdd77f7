/* The mapper through the C ABI against the real node: a model described with builder calls,
 * sync_table, create / get / update / delete, LWT failure with the existing row, queries,
 * a batch, and errors before sending. */
#include <stdlib.h>

#include "check.h"

static cqlb_session session;

static cqlb_value row1(const char *field, const char *text) {
  cqlb_value v;
  cqlb_value_new_udt(&v);
  cqlb_value_field(v, field, strlen(field));
  cqlb_value_append_string(v, text, strlen(text));
  return v;
}

static void connect_to_the_node(void) {
  const char *points = getenv("CQLB_CONTACT_POINTS");
  char buf[256];
  snprintf(buf, sizeof buf, "%s", points ? points : "127.0.0.1");
  cqlb_cluster_config config;
  cqlb_future f;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, strtok(buf, ","), strlen(buf)));
  CHECK_OK(cqlb_session_connect(config, &f));
  CHECK_OK(cqlb_future_wait(f));
  CHECK_OK(cqlb_future_session(f, &session));
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  CHECK_OK(cqlb_session_create_keyspace_simple(session, S("cqlb_c_mapper"), 1));
}

int main(void) {
  size_t baseline = 0;
  cqlb_live_handle_count(&baseline);
  connect_to_the_node();

  /* A model: users by name, with an indexed email, a tag set, and a creation time. */
  cqlb_model user;
  CHECK_OK(cqlb_model_new(S("AppUser"), &user));
  CHECK_OK(cqlb_model_set_keyspace(user, S("cqlb_c_mapper")));
  CHECK_OK(cqlb_model_add_column(user, S("name"), S("text"), 1, 0));
  CHECK_OK(cqlb_model_add_column(user, S("email"), S("text"), 0, CQLB_COLUMN_INDEX | CQLB_COLUMN_REQUIRED));
  CHECK_OK(cqlb_model_add_column(user, S("tags"), S("set<text>"), 0, 0));
  CHECK_OK(cqlb_model_add_column(user, S("created"), S("timestamp"), 0, 0));
  CHECK_OK(cqlb_model_set_column_default(user, S("created"), 3));
  CHECK_OK(cqlb_model_set_column_length(user, S("email"), 3, 64));
  CHECK_OK(cqlb_model_set_option_int(user, S("gc_grace_seconds"), 3600));
  CHECK_OK(cqlb_model_set_option_entry(user, S("compaction"), S("class"), S("LeveledCompactionStrategy")));
  CHECK_STATUS(cqlb_model_add_column(user, S("bad"), S("list<int"), 0, 0), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_model_set_column_default(user, S("nope"), 1), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_session_drop_table(session, user));
  bool changed = false;
  CHECK_OK(cqlb_session_sync_table(session, user, &changed));
  CHECK(changed);
  CHECK_OK(cqlb_session_sync_table(session, user, &changed));
  CHECK(!changed);

  /* create, with defaults; then get. */
  cqlb_value ada;
  CHECK_OK(cqlb_value_new_udt(&ada));
  CHECK_OK(cqlb_value_field(ada, S("name")));
  CHECK_OK(cqlb_value_append_string(ada, S("ada")));
  CHECK_OK(cqlb_value_field(ada, S("email")));
  CHECK_OK(cqlb_value_append_string(ada, S("ada@example.org")));
  cqlb_result stored;
  CHECK_OK(cqlb_model_create(session, user, ada, NULL, &stored, NULL));
  size_t created_col = 0;
  CHECK_OK(cqlb_result_column_index(stored, S("created"), &created_col));
  int64_t created = 0;
  CHECK_OK(cqlb_result_get_timestamp(stored, 0, created_col, &created));
  CHECK(created > 1700000000000LL);
  cqlb_result_free(stored);
  cqlb_value key = row1("name", "ada");
  cqlb_result got;
  CHECK_OK(cqlb_model_get(session, user, key, &got));
  size_t email_col = 0;
  const char *text;
  size_t len;
  CHECK_OK(cqlb_result_column_index(got, S("email"), &email_col));
  CHECK_OK(cqlb_result_get_string(got, 0, email_col, &text, &len));
  CHECK(len == 15 && memcmp(text, "ada@example.org", 15) == 0);
  cqlb_result_free(got);

  /* IF NOT EXISTS on an existing row: LWT failure with the existing row. */
  cqlb_write_options only_new = {0, 0, 0xFFFF, true, false, {0}};
  cqlb_result existing = {0};
  CHECK_STATUS(cqlb_model_create(session, user, ada, &only_new, NULL, &existing), CQLB_LWT_FAILED);
  CHECK(existing.handle != 0);
  size_t rows = 0;
  CHECK_OK(cqlb_result_row_count(existing, &rows));
  CHECK(rows == 1);
  cqlb_result_free(existing);

  /* Validation before sending; a missing row; an index query; update; delete. */
  cqlb_value bad = row1("name", "bob");
  CHECK_STATUS(cqlb_model_create(session, user, bad, NULL, NULL, NULL), CQLB_VALIDATION_ERROR); /* email required */
  cqlb_value nobody = row1("name", "nobody");
  CHECK_STATUS(cqlb_model_get(session, user, nobody, &got), CQLB_DOES_NOT_EXIST);
  cqlb_value by_email = row1("email", "ada@example.org");
  CHECK_OK(cqlb_model_select(session, user, by_email, NULL, &got));
  CHECK_OK(cqlb_result_row_count(got, &rows));
  CHECK(rows == 1);
  cqlb_result_free(got);
  cqlb_value by_tags = row1("tags", "x");
  CHECK_STATUS(cqlb_model_select(session, user, by_tags, NULL, &got), CQLB_QUERY_ERROR); /* neither key nor indexed */
  cqlb_value new_email = row1("email", "ada@lovelace.org");
  cqlb_value iff = row1("email", "wrong@example.org");
  cqlb_write_options conditional = {0, 0, 0xFFFF, false, false, iff};
  CHECK_STATUS(cqlb_model_update(session, user, key, new_email, &conditional, &existing), CQLB_LWT_FAILED);
  cqlb_result_free(existing);
  CHECK_OK(cqlb_model_update(session, user, key, new_email, NULL, NULL));
  int64_t count = 0;
  cqlb_value by_new_email = row1("email", "ada@lovelace.org");
  CHECK_OK(cqlb_model_count(session, user, by_new_email, NULL, &count));
  CHECK(count == 1);

  /* A batch writes two rows; then delete one. */
  cqlb_model_batch batch;
  CHECK_OK(cqlb_model_batch_new(0, &batch));
  cqlb_value b1, b2;
  cqlb_value_new_udt(&b1);
  cqlb_value_field(b1, S("name"));
  cqlb_value_append_string(b1, S("bea"));
  cqlb_value_field(b1, S("email"));
  cqlb_value_append_string(b1, S("bea@example.org"));
  cqlb_value_new_udt(&b2);
  cqlb_value_field(b2, S("name"));
  cqlb_value_append_string(b2, S("cal"));
  cqlb_value_field(b2, S("email"));
  cqlb_value_append_string(b2, S("cal@example.org"));
  CHECK_OK(cqlb_model_batch_add_create(batch, user, b1, NULL));
  CHECK_OK(cqlb_model_batch_add_create(batch, user, b2, NULL));
  CHECK_OK(cqlb_model_batch_execute(session, batch));
  CHECK_STATUS(cqlb_model_batch_execute(session, batch), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_model_batch_free(batch));
  CHECK_OK(cqlb_model_select(session, user, (cqlb_value){0}, NULL, &got));
  CHECK_OK(cqlb_result_row_count(got, &rows));
  CHECK(rows == 3);
  cqlb_result_free(got);
  cqlb_value cal = row1("name", "cal");
  CHECK_OK(cqlb_model_delete(session, user, cal, NULL, NULL));
  CHECK_STATUS(cqlb_model_get(session, user, cal, &got), CQLB_DOES_NOT_EXIST);

  /* Queries with operators and an order, updates with collection changes. */
  cqlb_model score;
  CHECK_OK(cqlb_model_new(S("Score"), &score));
  CHECK_OK(cqlb_model_set_keyspace(score, S("cqlb_c_mapper")));
  CHECK_OK(cqlb_model_add_column(score, S("player"), S("text"), 1, 0));
  CHECK_OK(cqlb_model_add_column(score, S("game"), S("int"), 3, 0));
  CHECK_OK(cqlb_model_add_column(score, S("tags"), S("set<text>"), 0, 0));
  CHECK_OK(cqlb_session_drop_table(session, score));
  CHECK_OK(cqlb_session_sync_table(session, score, &changed));
  for (int g = 1; g <= 3; g++) {
    cqlb_value v = row1("player", "ann");
    cqlb_value_field(v, S("game"));
    cqlb_value_append_int32(v, g);
    CHECK_OK(cqlb_model_create(session, score, v, NULL, NULL, NULL));
    cqlb_value_free(v);
  }
  cqlb_value filters, term, order, by;
  cqlb_value_new_list(&filters);
  cqlb_value_new_tuple(&term);
  cqlb_value_append_string(term, S("player"));
  cqlb_value_append_int32(term, 0);
  cqlb_value_append_string(term, S("ann"));
  cqlb_value_append_value(filters, term);
  cqlb_value_free(term);
  cqlb_value_new_tuple(&term);
  cqlb_value_append_string(term, S("game"));
  cqlb_value_append_int32(term, 2); /* > */
  cqlb_value_append_int32(term, 1);
  cqlb_value_append_value(filters, term);
  cqlb_value_free(term);
  cqlb_value_new_list(&order);
  cqlb_value_new_tuple(&by);
  cqlb_value_append_string(by, S("game"));
  cqlb_value_append_bool(by, false);
  cqlb_value_append_value(order, by);
  cqlb_value_free(by);
  CHECK_OK(cqlb_model_select_where(session, score, filters, order, NULL, &got));
  CHECK_OK(cqlb_result_row_count(got, &rows));
  CHECK(rows == 2);
  int32_t game = 0;
  size_t game_col = 0;
  CHECK_OK(cqlb_result_column_index(got, S("game"), &game_col));
  CHECK_OK(cqlb_result_get_int32(got, 0, game_col, &game));
  CHECK(game == 2); /* ascending, against the table's descending order */
  cqlb_result_free(got);
  int64_t n = 0;
  CHECK_OK(cqlb_model_count_where(session, score, filters, NULL, &n));
  CHECK(n == 2);
  CHECK_STATUS(cqlb_model_select_where(session, score, order, (cqlb_value){0}, NULL, &got), CQLB_INVALID_ARGUMENT);

  cqlb_value skey = row1("player", "ann"), changes, tags, change;
  cqlb_value_field(skey, S("game"));
  cqlb_value_append_int32(skey, 1);
  cqlb_value_new_set(&tags);
  cqlb_value_append_string(tags, S("best"));
  cqlb_value_new_list(&changes);
  cqlb_value_new_tuple(&change);
  cqlb_value_append_string(change, S("tags"));
  cqlb_value_append_int32(change, 1); /* add */
  cqlb_value_append_value(change, tags);
  cqlb_value_append_value(changes, change);
  CHECK_OK(cqlb_model_update_changes(session, score, skey, changes, NULL, NULL));
  CHECK_OK(cqlb_model_get(session, score, skey, &got));
  size_t tags_col = 0, elements = 0;
  CHECK_OK(cqlb_result_column_index(got, S("tags"), &tags_col));
  CHECK_OK(cqlb_result_element_count(got, 0, tags_col, NULL, 0, &elements));
  CHECK(elements == 1);
  cqlb_result_free(got);
  CHECK_STATUS(cqlb_model_update_changes(session, score, skey, tags, NULL, NULL), CQLB_INVALID_ARGUMENT);
  cqlb_value more[] = {filters, order, skey, changes, tags, change};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) cqlb_value_free(more[i]);
  CHECK_OK(cqlb_model_free(score));

  cqlb_value all[] = {ada, key, bad, nobody, by_email, by_tags, new_email, iff, b1, b2, cal, by_new_email};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cqlb_value_free(all[i]);
  CHECK_OK(cqlb_model_free(user));
  CHECK_OK(cqlb_session_free(session));
  size_t live = 0;
  cqlb_live_handle_count(&live);
  CHECK(live == baseline);
  return finish("test_mapper");
}
