"""Fixtures: a Cluster on the real node that `make test` started (CQLB_CONTACT_POINTS and
the CQLB_TLS_* / CQLB_USERNAME variables of `tests/cluster/cluster env`), and a fresh
keyspace per test module."""

import os
import uuid

import pytest

from cqlbridge.cluster import Cluster


def contact_points():
    points = os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1")
    return [p.strip() for p in points.split(",") if p.strip()]


@pytest.fixture(scope="session")
def cluster():
    c = Cluster(contact_points(), connect_timeout=20)
    yield c
    c.shutdown()


@pytest.fixture(scope="session")
def session(cluster):
    return cluster.connect()


@pytest.fixture(scope="module")
def keyspace(session):
    name = "py_" + uuid.uuid4().hex[:12]
    session.execute(
        f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    yield name
    session.execute(f"DROP KEYSPACE IF EXISTS {name}")


@pytest.fixture
def ks_session(cluster, keyspace):
    s = cluster.connect(keyspace)
    yield s
    s.shutdown()
