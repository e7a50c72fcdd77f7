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


def test_a_ca_that_did_not_sign_the_node_is_a_clear_tls_error():
    # client-ca.pem is the harness's other CA.
    wrong_ca = os.path.join(os.path.dirname(env("CQLB_TLS_CA")), "client-ca.pem")
    with pytest.raises(NoHostAvailable, match="certificate|UnknownIssuer"):
        Cluster(points(), auth_provider=superuser(), ssl_options={"ca_certs": wrong_ca},
                connect_timeout=10).connect()


def test_hostname_checking_refuses_a_certificate_for_another_name():
    # The node's certificate names its addresses and localhost; server_hostname (as in the
    # DataStax driver's ssl_options) is the name it is checked against.
    ctx = ssl.create_default_context(cafile=env("CQLB_TLS_CA"))
    with Cluster(points(), auth_provider=superuser(), ssl_context=ctx,
                 ssl_options={"server_hostname": "localhost"}) as c:
        assert c.connect().execute("SELECT now() FROM system.local").one()
    with pytest.raises(NoHostAvailable, match="NotValidForName|not valid for name"):
        Cluster(points(), auth_provider=superuser(), ssl_context=ctx,
                ssl_options={"server_hostname": "db.elsewhere.invalid"}, connect_timeout=10).connect()
    # Hostname checking off: the chain is still verified, the name is not.
    ctx.check_hostname = False
    with Cluster(points(), auth_provider=superuser(), ssl_context=ctx,
                 ssl_options={"server_hostname": "db.elsewhere.invalid"}) as c:
        assert c.connect().execute("SELECT now() FROM system.local").one()
