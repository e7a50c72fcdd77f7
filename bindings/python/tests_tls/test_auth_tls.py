"""Authentication and TLS from Python, against the harness's `--auth --tls` node (phase 2 of
`make test`; `tests/cluster/cluster env` gives CQLB_USERNAME, CQLB_PASSWORD, CQLB_TLS_CA)."""

import os
import ssl

import pytest

from cqlbridge import AuthenticationFailed
from cqlbridge.auth import PlainTextAuthProvider
from cqlbridge.cluster import Cluster, NoHostAvailable


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run against `tests/cluster/cluster up --auth --tls` "
                           "with its `env` exported")
    return value


def points():
    return env("CQLB_CONTACT_POINTS").split(",")


def superuser():
    return PlainTextAuthProvider(env("CQLB_USERNAME"), env("CQLB_PASSWORD"))


def test_credentials_and_the_right_ca_in_ssl_options():
    with Cluster(points(), auth_provider=superuser(), ssl_options={"ca_certs": env("CQLB_TLS_CA")}) as c:
        assert c.connect().execute("SELECT release_version FROM system.local").one()


def test_an_ssl_context_gives_its_ca_and_hostname_checking():
    ctx = ssl.create_default_context(cafile=env("CQLB_TLS_CA"))
    with Cluster(points(), auth_provider=superuser(), ssl_context=ctx) as c:
        assert c.connect().execute("SELECT now() FROM system.local").one()


def test_a_wrong_password_is_authentication_failed():
    wrong = PlainTextAuthProvider(env("CQLB_USERNAME"), "not the password")
    with pytest.raises(AuthenticationFailed):
        Cluster(points(), auth_provider=wrong, ssl_options={"ca_certs": env("CQLB_TLS_CA")},
                connect_timeout=10).connect()


def test_missing_credentials_are_refused():
    with pytest.raises((AuthenticationFailed, NoHostAvailable)):
        Cluster(points(), ssl_options={"ca_certs": env("CQLB_TLS_CA")}, connect_timeout=10).connect()


def test_the_tls_only_node_without_tls_says_to_configure_tls():
    with pytest.raises(NoHostAvailable, match="TLS"):
        Cluster(points(), auth_provider=superuser(), connect_timeout=5).connect()
