/* Authentication and TLS through the C ABI, against the harness's `--auth --tls` node (phase 2
 * of `make test`; `make -C ffi/tests/c tls`): the right CA and credentials connect; a wrong
 * password is CQLB_AUTHENTICATION_FAILED; an untrusted CA and a certificate checked against a
 * name it lacks are clear TLS errors; hostname verification off still connects.
 * Reads CQLB_CONTACT_POINTS, CQLB_USERNAME, CQLB_PASSWORD and CQLB_TLS_CA. */
#include <stdlib.h>

#include "check.h"

static const char *env(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr, "%s is not set: run against `tests/cluster/cluster up --auth --tls` with its env\n", name);
    exit(2);
  }
  return v;
}

/* Connects with the given CA, password, hostname verification and server name (NULL: none);
 * returns the outcome's status and copies its message into `message`. */
static cqlb_status try_connect(const char *ca, const char *password, bool verify_hostname, const char *server_name,
                               char *message, size_t message_size) {
  cqlb_cluster_config config;
  cqlb_future f;
  cqlb_status status = CQLB_PENDING;
  const char *cps = env("CQLB_CONTACT_POINTS"), *user = env("CQLB_USERNAME");
  char host[64];
  size_t len = strcspn(cps, ",:");
  if (len >= sizeof host) len = sizeof host - 1;
  memcpy(host, cps, len);
  host[len] = '\0';
  message[0] = '\0';
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, host, strlen(host)));
  CHECK_OK(cqlb_cluster_config_set_connect_timeout_ms(config, 10000));
  CHECK_OK(cqlb_cluster_config_set_credentials(config, user, strlen(user), password, strlen(password)));
  CHECK_OK(cqlb_cluster_config_set_tls(config, ca, strlen(ca), NULL, 0, NULL, 0, verify_hostname));
  if (server_name) CHECK_OK(cqlb_cluster_config_set_tls_server_name(config, server_name, strlen(server_name)));
  CHECK_OK(cqlb_session_connect(config, &f));
  cqlb_future_wait(f);
  CHECK_OK(cqlb_future_status(f, &status));
  if (status == CQLB_OK) {
    cqlb_session session;
    CHECK_OK(cqlb_future_session(f, &session));
    cqlb_session_free(session);
  } else {
    const char *msg = NULL;
    size_t msg_len = 0;
    CHECK_OK(cqlb_future_error_message(f, &msg, &msg_len));
    snprintf(message, message_size, "%.*s", (int)msg_len, msg);
  }
  cqlb_future_free(f);
  cqlb_cluster_config_free(config);
  return status;
}

int main(void) {
  char message[1024];
  const char *ca = env("CQLB_TLS_CA"), *password = env("CQLB_PASSWORD");
  char wrong_ca[4096];
  snprintf(wrong_ca, sizeof wrong_ca, "%s", ca);
  char *slash = strrchr(wrong_ca, '/');
  CHECK(slash != NULL);
  if (slash) snprintf(slash + 1, sizeof wrong_ca - (size_t)(slash + 1 - wrong_ca), "client-ca.pem");

  CHECK_STATUS(try_connect(ca, password, true, NULL, message, sizeof message), CQLB_OK);
  CHECK_STATUS(try_connect(ca, "not the password", true, NULL, message, sizeof message), CQLB_AUTHENTICATION_FAILED);

  /* client-ca.pem did not sign the node's certificate. */
  cqlb_status s = try_connect(wrong_ca, password, true, NULL, message, sizeof message);
  CHECK(s == CQLB_NO_HOST_AVAILABLE || s == CQLB_CONNECTION_ERROR);
  CHECK(contains(message, strlen(message), "UnknownIssuer") || contains(message, strlen(message), "certificate"));

  /* The certificate names the node's addresses and localhost. */
  CHECK_STATUS(try_connect(ca, password, true, "localhost", message, sizeof message), CQLB_OK);
  s = try_connect(ca, password, true, "db.elsewhere.invalid", message, sizeof message);
  CHECK(s == CQLB_NO_HOST_AVAILABLE || s == CQLB_CONNECTION_ERROR);
  CHECK(contains(message, strlen(message), "NotValidForName") || contains(message, strlen(message), "not valid for name"));
  if (s != CQLB_OK) printf("a name the certificate lacks: %s: %s\n", cqlb_status_name(s), message);
  /* Hostname verification off: the chain is still verified, the name is not. */
  CHECK_STATUS(try_connect(ca, password, false, "db.elsewhere.invalid", message, sizeof message), CQLB_OK);

  /* A server name needs TLS first; the configuration is kept when it is refused. */
  cqlb_cluster_config config;
  CHECK_OK(cqlb_cluster_config_new(&config));
  CHECK_OK(cqlb_cluster_config_add_contact_point(config, S("127.0.0.1")));
  CHECK_STATUS(cqlb_cluster_config_set_tls_server_name(config, S("localhost")), CQLB_INVALID_ARGUMENT);
  CHECK_STATUS(cqlb_cluster_config_set_tls_server_name(config, NULL, 0), CQLB_INVALID_ARGUMENT);
  cqlb_cluster_config_free(config);
  return finish("test_tls");
}
