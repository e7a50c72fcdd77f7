/* The C ABI without a server: statuses, handles, misuse, configuration, a refused connect. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void version_and_statuses(void) {
  CHECK(strcmp(cqlb_version(), CQLBRIDGE_VERSION) == 0);
  CHECK(strcmp(cqlb_status_name(CQLB_SYNTAX_ERROR), "CQLB_SYNTAX_ERROR") == 0);
  CHECK(strcmp(cqlb_status_name(CQLB_WOULD_DEADLOCK), "CQLB_WOULD_DEADLOCK") == 0);
  CHECK(CQLB_OK == 0 && CQLB_INVALID_HANDLE == 2 && CQLB_SYNTAX_ERROR == 100 && CQLB_BIND_ERROR == 300);
}

static void null_pointers_are_refused(void) {
  CHECK_STATUS(cqlb_cluster_config_new(NULL), CQLB_NULL_ARGUMENT);
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_STATUS(cqlb_cluster_config_add_contact_point(config, NULL, 3), CQLB_NULL_ARGUMENT);
  CHECK_STATUS(cqlb_session_connect(config, NULL), CQLB_NULL_ARGUMENT);
  CHECK_STATUS(cqlb_statement_new(NULL, 5, &(cqlb_statement){0}), CQLB_NULL_ARGUMENT);
  CHECK_STATUS(cqlb_future_set_callback((cqlb_future){0}, NULL, NULL), CQLB_NULL_ARGUMENT);
  CHECK_STATUS(cqlb_last_error_message(NULL, NULL), CQLB_NULL_ARGUMENT);
  /* NULL with length 0 is the empty string. */
  CHECK_OK(cqlb_cluster_config_set_keyspace(config, NULL, 0));
  CHECK_OK(cqlb_cluster_config_free(config));
}

static void handles_zero_stale_freed_and_of_another_kind(void) {
  size_t baseline = 0;
  CHECK_OK(cqlb_live_handle_count(&baseline));
  CHECK_STATUS(cqlb_session_free((cqlb_session){0}), CQLB_INVALID_HANDLE);
  CHECK_STATUS(cqlb_result_free((cqlb_result){UINT64_MAX}), CQLB_INVALID_HANDLE);
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  /* The same number used as a session handle: wrong kind. */
  CHECK_STATUS(cqlb_session_free((cqlb_session){config.handle}), CQLB_INVALID_HANDLE);
  size_t live = 0;
  CHECK_OK(cqlb_live_handle_count(&live));
  CHECK(live == baseline + 1);
  CHECK_OK(cqlb_cluster_config_free(config));
  /* Freed: every use is refused, a second free too. */
  CHECK_STATUS(cqlb_cluster_config_free(config), CQLB_INVALID_HANDLE);
  CHECK_STATUS(cqlb_cluster_config_set_port(config, 9042), CQLB_INVALID_HANDLE);
  /* The slot is reused with a new generation: the old handle stays stale. */
  cqlb_cluster_config again;
  CHECK_OK(cqlb_cluster_config_new(&again));
  CHECK(again.handle != config.handle);
  CHECK_STATUS(cqlb_cluster_config_set_port(config, 9042), CQLB_INVALID_HANDLE);
  CHECK_OK(cqlb_cluster_config_set_port(again, 9042));
  CHECK_OK(cqlb_cluster_config_free(again));
  CHECK_OK(cqlb_live_handle_count(&live));
  CHECK(live == baseline);
}

static void invalid_utf8_and_bad_arguments(void) {
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  const char bad[] = {'1', '2', '7', (char)0xff, '1'};
  CHECK_STATUS(cqlb_cluster_config_add_contact_point(config, bad, sizeof bad), CQLB_INVALID_UTF8);
  const char *msg = NULL;
  size_t len = 0;
  CHECK_OK(cqlb_last_error_message(&msg, &len));
  CHECK(len > 0 && strstr(msg, "UTF-8") != NULL);
  CHECK_STATUS(cqlb_cluster_config_set_consistency(config, 77), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_cluster_config_set_retry_policy(config, 9), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_cluster_config_set_compression(config, 9), CQLB_INVALID_ARGUMENT);
  /* No contact point: the configuration is refused when connecting, with a message. */
  cqlb_future future;
  CHECK_STATUS(cqlb_session_connect(config, &future), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_cluster_config_free(config));

  cqlb_statement st;
  CHECK_OK(cqlb_statement_new(S("SELECT * FROM t WHERE k = ?"), &st));
  CHECK_STATUS(cqlb_statement_set_page_size(st, 0), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_statement_bind_string(st, 0, bad, sizeof bad), CQLB_INVALID_UTF8);
  CHECK_STATUS(cqlb_statement_bind_inet(st, 0, S("not-an-ip")), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_statement_bind_decimal(st, 0, S("1.2.3")), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_statement_bind_int32(st, 0, 1));
  CHECK_OK(cqlb_statement_bind_string_by_name(st, S("k"), S("x")));
  CHECK_STATUS(cqlb_statement_set_serial_consistency(st, CQLB_CONSISTENCY_ONE), CQLB_INVALID_ARGUMENT);
  CHECK_OK(cqlb_statement_free(st));
  CHECK_STATUS(cqlb_set_runtime_threads(0), CQLB_INVALID_ARGUMENT);
}

static void a_refused_connect_completes_its_future_with_no_host_available(void) {
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1:1")));
  CHECK_OK(cqlb_cluster_config_set_connect_timeout_ms(config, 2000));
  cqlb_future future;
  CHECK_OK(cqlb_session_connect(config, &future));
  CHECK_OK(cqlb_cluster_config_free(config));
  CHECK_STATUS(cqlb_future_wait(future), CQLB_NO_HOST_AVAILABLE);
  cqlb_status status;
  CHECK_OK(cqlb_future_status(future, &status));
  CHECK(status == CQLB_NO_HOST_AVAILABLE);
  const char *msg = NULL;
  size_t len = 0;
  CHECK_OK(cqlb_future_error_message(future, &msg, &len));
  CHECK(contains(msg, len, "127.0.0.1:1"));
  cqlb_session session;
  CHECK_STATUS(cqlb_future_session(future, &session), CQLB_NO_HOST_AVAILABLE);
  cqlb_result result;
  CHECK_STATUS(cqlb_future_result(future, &result), CQLB_NO_HOST_AVAILABLE);
  CHECK_OK(cqlb_future_free(future));
}

int main(void) {
  version_and_statuses();
  null_pointers_are_refused();
  handles_zero_stale_freed_and_of_another_kind();
  invalid_utf8_and_bad_arguments();
  a_refused_connect_completes_its_future_with_no_host_available();
  return finish("test_abi");
}
