# Shared by tests/run and tests/reliability (sourced from the checkout's root): the cluster
# harness, a timed step banner, and starting a fresh cluster.

CLUSTER=tests/cluster/cluster
started_at=$SECONDS

# Prints a step's banner with the seconds since the script began.
step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started_at))"; }

# Starts a fresh cluster with the given options (`tests/cluster/cluster up ...`) and exports
# its client settings, dropping those of the previous cluster.
cluster_up() {
  "$CLUSTER" down --kill >/dev/null
  "$CLUSTER" up "$@"
  unset CQLB_USERNAME CQLB_PASSWORD CQLB_TLS_CA CQLB_TLS_CLIENT_CERT CQLB_TLS_CLIENT_KEY
  eval "$("$CLUSTER" env)"
}
