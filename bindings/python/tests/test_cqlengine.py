"""cqlengine from Python against the real node: the walkthrough's models, sync_table, DML
with TTL and LWT, queries, batches, polymorphism, inheritance, UDTs, validation."""

import datetime
import time
import uuid

import pytest

from cqlbridge.cqlengine import ValidationError, columns, connection, management
from cqlbridge.cqlengine.models import Model, PolymorphicModelException
from cqlbridge.cqlengine.query import BatchQuery, DoesNotExist, LWTException, QueryException
from cqlbridge.cqlengine.usertype import UserType

from conftest import contact_points


@pytest.fixture(scope="module", autouse=True)
def mapper_keyspace():
    name = "pycqe_" + uuid.uuid4().hex[:10]
    connection.setup(contact_points(), default_keyspace=name, connect_timeout=20)
    management.create_keyspace_simple(name, 1)
    yield name
    management.drop_keyspace(name)
    connection.unregister_connection()


class Message(Model):
    message_id = columns.TimeUUID(primary_key=True, default=uuid.uuid1)
    subject = columns.Text()
    body = columns.Text()
    addressed_to = columns.Set(columns.UUID)


class Photo(Model):
    photo_id = columns.UUID(primary_key=True, default=uuid.uuid4)
    title = columns.Text(max_length=20)
    likes = columns.Map(columns.UUID, columns.Text)


class UsersInGroup(Model):
    group_id = columns.UUID(primary_key=True)
    user_id = columns.UUID(primary_key=True, clustering_order="DESC")
    is_admin = columns.Boolean()


class UsersInGroupByState(Model):
    group_id = columns.UUID(partition_key=True)
    state = columns.Text(partition_key=True)
    user_id = columns.UUID(primary_key=True)
    is_admin = columns.Boolean(default=False)


class User(Model):
    name = columns.Text(primary_key=True)
    twitter = columns.Text()
    email = columns.Text()


class TwitterToUser(Model):
    twitter = columns.Text(primary_key=True)
    name = columns.Text()


@pytest.fixture(scope="module", autouse=True)
def tables(mapper_keyspace):
    for m in (Message, Photo, UsersInGroup, UsersInGroupByState, User, TwitterToUser):
        management.sync_table(m)
    return mapper_keyspace


def test_create_get_and_collections_of_the_walkthrough_models():
    to = {uuid.uuid4(), uuid.uuid4()}
    m = Message.create(subject="hi", body="there", addressed_to=to)
    assert m.message_id.version == 1  # the default ran
    got = Message.get(message_id=m.message_id)
    assert (got.subject, got.body, got.addressed_to) == ("hi", "there", to)

    fan = uuid.uuid4()
    p = Photo.create(title="sunset", likes={fan: "wow"})
    assert Photo.objects(photo_id=p.photo_id).first().likes == {fan: "wow"}


def test_clustering_keys_and_composite_partition_keys():
    group = uuid.uuid4()
    users = [uuid.uuid4() for _ in range(3)]
    for u in users:
        UsersInGroup.create(group_id=group, user_id=u, is_admin=False)
    got = [r.user_id for r in UsersInGroup.objects(group_id=group)]
    assert got == sorted(users, reverse=True)  # clustering order DESC
    UsersInGroupByState.create(group_id=group, state="CA", user_id=users[0])
    row = UsersInGroupByState.get(group_id=group, state="CA", user_id=users[0])
    assert row.is_admin is False
    with pytest.raises(QueryException):  # a partial partition key, refused before sending
        list(UsersInGroupByState.objects(group_id=group))


def test_missing_rows_raise_the_models_does_not_exist():
    with pytest.raises(Message.DoesNotExist):
        Message.get(message_id=uuid.uuid1())
    with pytest.raises(DoesNotExist):
        Photo.get(photo_id=uuid.uuid4())


def test_validation_before_anything_is_sent():
    with pytest.raises(ValidationError):
        Photo.create(title="x" * 21)
    with pytest.raises(ValidationError):
        UsersInGroup.create(group_id=uuid.uuid4(), user_id=None)

    class Checked(Photo):
        def validate(self):
            super().validate()
            if self.title == "forbidden":
                raise ValidationError("title is forbidden")

    with pytest.raises(ValidationError, match="forbidden"):
        Checked(title="forbidden").save()


def test_ttl_expires_rows():
    # Long enough for the read below even on a loaded machine, short enough to wait out.
    m = Message.ttl(4).create(subject="ephemeral")
    assert Message.get(message_id=m.message_id).subject == "ephemeral"
    time.sleep(5.5)
    with pytest.raises(Message.DoesNotExist):
        Message.get(message_id=m.message_id)


def test_lightweight_transactions_carry_the_existing_row():
    u = User.create(name="ada", twitter="@ada", email="ada@example.com")
    with pytest.raises(LWTException) as e:
        User.if_not_exists().create(name="ada", twitter="@other")
    assert e.value.existing["twitter"] == "@ada"
    u.email = "new@example.com"
    u.iff(twitter="@ada").save()
    assert User.get(name="ada").email == "new@example.com"
    u.email = "never"
    with pytest.raises(LWTException):
        u.iff(twitter="@nobody").save()
    assert User.get(name="ada").email == "new@example.com"


def test_save_writes_changes_and_collection_updates():
    m = Message.create(subject="a", addressed_to={uuid.uuid4()})
    extra = uuid.uuid4()
    m.addressed_to.add(extra)
    m.subject = "b"
    m.save()
    got = Message.get(message_id=m.message_id)
    assert got.subject == "b" and extra in got.addressed_to and len(got.addressed_to) == 2
    Message.objects(message_id=m.message_id).update(addressed_to__remove={extra}, body="blind")
    got = Message.get(message_id=m.message_id)
    assert extra not in got.addressed_to and got.body == "blind"
    got.delete()
    with pytest.raises(Message.DoesNotExist):
        Message.get(message_id=m.message_id)


def test_a_batch_keeps_two_tables_consistent_and_runs_callbacks():
    called = []
    with BatchQuery() as b:
        User.batch(b).create(name="grace", twitter="@grace")
        TwitterToUser.batch(b).create(twitter="@grace", name="grace")
        b.add_callback(called.append, "done")
        assert called == []  # nothing is sent before the block ends
    assert called == ["done"]
    assert TwitterToUser.get(twitter="@grace").name == User.get(name="grace").name

    with pytest.raises(RuntimeError):
        with BatchQuery() as b:
            User.batch(b).create(name="lost")
            raise RuntimeError("no batch")
    with pytest.raises(User.DoesNotExist):
        User.get(name="lost")


def test_queries_count_first_order_limit_values_list_and_filtering():
    group = uuid.uuid4()
    users = sorted(uuid.uuid4() for _ in range(5))
    for i, u in enumerate(users):
        UsersInGroup.create(group_id=group, user_id=u, is_admin=i % 2 == 0)
    q = UsersInGroup.objects(group_id=group)
    assert q.count() == 5
    assert q.limit(2).count() == 2
    assert [r.user_id for r in q.order_by("user_id")] == users
    assert q.first().user_id == users[-1]
    assert list(q.values_list("user_id", flat=True)) == sorted(users, reverse=True)
    assert list(q.filter(user_id__gt=users[2]).values_list("user_id", flat=True)) == users[:2:-1]
    with pytest.raises(QueryException):  # not a key, no index, no allow_filtering
        list(UsersInGroup.objects(is_admin=True))
    admins = UsersInGroup.objects(group_id=group).filter(is_admin=True).allow_filtering()
    assert len(list(admins)) == 3


def test_sync_table_is_idempotent_and_adds_new_columns(mapper_keyspace):
    class Evolving(Model):
        __table_name__ = "evolving"
        __options__ = {"comment": "first", "gc_grace_seconds": 3600}
        id = columns.Integer(primary_key=True)

    management.sync_table(Evolving)
    management.sync_table(Evolving)  # nothing to do the second time

    class Evolving2(Model):
        __table_name__ = "evolving"
        __options__ = {"comment": "second"}
        id = columns.Integer(primary_key=True)
        extra = columns.Text(index=True)

    management.sync_table(Evolving2)
    Evolving2.create(id=1, extra="x")
    assert Evolving2.objects(extra="x").first().id == 1
    from cqlbridge.cqlengine import CQLEngineException

    class KeyChanged(Model):
        __table_name__ = "evolving"
        other = columns.Integer(primary_key=True)

    with pytest.raises(CQLEngineException):
        management.sync_table(KeyChanged)


class Vehicle(Model):
    __table_name__ = "vehicle"
    vehicle_id = columns.UUID(primary_key=True, default=uuid.uuid4)
    kind = columns.Text(discriminator_column=True)
    name = columns.Text()


class Car(Vehicle):
    __discriminator_value__ = "car"
    doors = columns.Integer()


class Truck(Vehicle):
    __discriminator_value__ = "truck"
    payload = columns.Double()


def test_polymorphism_returns_subtypes_and_refuses_saving_the_base():
    management.sync_table(Car)
    management.sync_table(Truck)
    c = Car.create(name="mini", doors=3)
    t = Truck.create(name="big", payload=10.5)
    got = {v.vehicle_id: v for v in Vehicle.objects.all()}
    assert isinstance(got[c.vehicle_id], Car) and got[c.vehicle_id].doors == 3
    assert isinstance(got[t.vehicle_id], Truck) and got[t.vehicle_id].payload == 10.5
    with pytest.raises(PolymorphicModelException):
        Vehicle.create(name="neither")


class Timestamped(Model):
    __abstract__ = True
    created_at = columns.DateTime(default=datetime.datetime.utcnow)


class Post(Timestamped):
    post_id = columns.Integer(primary_key=True)
    text = columns.Text()


def test_abstract_bases_give_their_columns_to_each_table():
    management.sync_table(Post)
    Post.create(post_id=1, text="hello")
    got = Post.get(post_id=1)
    assert isinstance(got.created_at, datetime.datetime)


class Address(UserType):
    street = columns.Text()
    zipcode = columns.Integer()


class Person(Model):
    name = columns.Text(primary_key=True)
    home = columns.UserDefinedType(Address)
    tags = columns.List(columns.Text)


def test_user_defined_types_and_injection_strings_round_trip():
    management.sync_table(Person)
    evil = "'); DROP TABLE person; --"
    Person.create(name=evil, home=Address(street="Main", zipcode=None), tags=["a", evil])
    got = Person.get(name=evil)
    assert got.home == Address(street="Main", zipcode=None)
    assert got.tags == ["a", evil]


class HTTPRequestLog(Model):
    rid = columns.Integer(primary_key=True)


class _PostalAddress2Go(UserType):
    street = columns.Text()


class NamedLoudly(Model):
    __table_name__ = "NamedLoudly"
    k = columns.Integer(primary_key=True)


class NamedExactly(Model):
    __table_name__ = "NamedExactly"
    __table_name_case_sensitive__ = True
    k = columns.Integer(primary_key=True)


def test_table_and_type_names_are_derived_as_cqlengine_derives_them():
    assert HTTPRequestLog.column_family_name(include_keyspace=False) == "httprequest_log"
    assert Person.column_family_name(include_keyspace=False) == "person"
    assert _PostalAddress2Go.type_name() == "postal_address2go"
    assert NamedLoudly.column_family_name(include_keyspace=False) == "namedloudly"
    assert NamedExactly.column_family_name(include_keyspace=False) == "NamedExactly"
    long = type("A" * 30 + "Bb" * 15, (Model,), {"k": columns.Integer(primary_key=True)})
    assert long.column_family_name(include_keyspace=False) == ("a" * 30 + "bb" + "_bb" * 14)[-48:]
    management.sync_table(HTTPRequestLog)
    HTTPRequestLog.create(rid=1)
    assert HTTPRequestLog.get(rid=1).rid == 1


class Quoted(UserType):
    __type_name__ = "odd name"
    x = columns.Integer()


class HoldsQuoted(Model):
    k = columns.Integer(primary_key=True)
    q = columns.UserDefinedType(Quoted)


def test_a_type_name_cassandra_would_quote_is_refused_before_anything_is_sent(mapper_keyspace):
    # The driver's schema metadata cannot read a table whose type name is stored quoted.
    with pytest.raises(ValueError, match="quoted"):
        management.sync_type(mapper_keyspace, Quoted)
    with pytest.raises(ValueError, match="quoted"):
        management.sync_table(HoldsQuoted)
    # Nothing was created, and the keyspace's metadata still reads.
    management.sync_table(Person)


class PageViews(Model):
    page = columns.Text(primary_key=True)
    views = columns.Counter()


class Place(Model):
    name = columns.Text(primary_key=True)
    coords = columns.Tuple(columns.Integer, columns.Text)
    nearby = columns.Map(columns.Text, columns.List(columns.Integer))


def test_counters_update_by_deltas():
    management.sync_table(PageViews)
    PageViews.objects(page="home").update(views=3)
    PageViews.objects(page="home").update(views=-1)
    assert PageViews.get(page="home").views == 2


def test_tuples_nested_collections_only_defer_and_distinct():
    management.sync_table(Place)
    Place.create(name="a", coords=(1, "north"), nearby={"b": [1, 2]})
    Place.create(name="b", coords=(2, None), nearby={})
    got = Place.get(name="a")
    assert got.coords == (1, "north") and got.nearby == {"b": [1, 2]}
    only = Place.objects(name="a").only(["coords"]).first()
    assert only.coords == (1, "north") and only.nearby == {}
    deferred = Place.objects(name="a").defer(["coords"]).first()
    assert deferred.coords is None and deferred.nearby == {"b": [1, 2]}
    assert sorted(p.name for p in Place.objects.distinct()) == ["a", "b"]
    assert Place.objects(name="a").update(nearby__update={"c": [3]}) is None
    assert Place.get(name="a").nearby == {"b": [1, 2], "c": [3]}
    Place.objects(name="a").update(nearby__remove={"b"})
    assert Place.get(name="a").nearby == {"c": [3]}


def test_async_variants_do_not_block_the_loop():
    import asyncio

    async def main():
        m = await Message.create_async(subject="async")
        got = await Message.get_async(message_id=m.message_id)
        n = await Message.objects(message_id=m.message_id).count_async()
        rows = [r async for r in Message.objects(message_id=m.message_id)]
        await got.delete_async()
        return got.subject, n, len(rows)

    assert asyncio.run(main()) == ("async", 1, 1)

    # Many at once while another task keeps ticking: each awaits a loop future.
    async def many():
        ticks = 0
        stop = False

        async def ticker():
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0)

        t = asyncio.ensure_future(ticker())
        made = await asyncio.gather(*(Message.create_async(subject=f"many {i}") for i in range(50)))
        got = await asyncio.gather(*(Message.get_async(message_id=m.message_id) for m in made))
        stop = True
        await t
        return sorted(g.subject for g in got), ticks

    subjects, ticks = asyncio.run(many())
    assert subjects == sorted(f"many {i}" for i in range(50)) and ticks > 1


def test_sync_mapper_calls_inside_a_running_loop_and_on_driver_threads():
    import asyncio
    import threading

    from cqlbridge import WouldDeadlock
    from cqlbridge.cqlengine import connection

    # The sync API called from a coroutine (blocking that loop, as sync calls do) still
    # completes: it waits on its own thread, not on the loop.
    async def blocking_inside_a_loop():
        m = Message.create(subject="sync in a loop")
        return Message.get(message_id=m.message_id).subject

    assert asyncio.run(blocking_inside_a_loop()) == "sync in a loop"

    # On the driver's completion thread (a callback), a blocking mapper call is refused.
    seen = []
    done = threading.Event()

    def callback(_rows):
        try:
            Message.objects.count()
        except WouldDeadlock as e:
            seen.append(e)
        done.set()

    connection.get_session().execute_async("SELECT now() FROM system.local").add_callback(callback)
    assert done.wait(10) and len(seen) == 1


def test_wrong_types_for_model_columns_are_validation_errors():
    with pytest.raises(ValidationError, match="group_id"):
        UsersInGroup.create(group_id="not a uuid", user_id=uuid.uuid4())
    with pytest.raises(ValidationError):
        Photo.create(title=42)
    with pytest.raises(ValidationError, match="likes"):
        Photo.create(title="ok", likes={"not a uuid": "x"})
    with pytest.raises(ValidationError, match="no column"):
        Photo.create(colour="red")


def test_column_expressions_filter_like_keywords():
    g = uuid.uuid4()
    users = sorted(uuid.uuid4() for _ in range(4))
    for u in users:
        UsersInGroup.create(group_id=g, user_id=u, is_admin=(u == users[0]))
    q = UsersInGroup.objects.filter(UsersInGroup.group_id == g, UsersInGroup.user_id > users[1])
    assert sorted(r.user_id for r in q) == users[2:]
    assert UsersInGroup.objects(UsersInGroup.group_id == g, UsersInGroup.user_id.in_(users[:2])).count() == 2
    # The column's own attributes still read through the class attribute.
    assert UsersInGroup.user_id.column_name == "user_id" and UsersInGroup.group_id.primary_key
    with pytest.raises(QueryException, match="column expressions"):
        UsersInGroup.objects.filter("group_id = 1")


def test_token_ranges_with_token_of_a_key_and_min_max_timeuuid():
    from cqlbridge.cqlengine.functions import MaxTimeUUID, MinTimeUUID, Token
    names = [f"tok{i}" for i in range(8)]
    for n in names:
        User.create(name=n)
    everything = {u.name for u in User.objects.all()}
    pivot = "tok3"
    above = {u.name for u in User.objects.filter(pk__token__gt=Token(pivot))}
    upto = {u.name for u in User.objects.filter(pk__token__lte=Token(pivot))}
    assert pivot in upto and pivot not in above
    assert above | upto == everything and not (above & upto)
    with pytest.raises(QueryException, match="partition-key"):
        list(UsersInGroupByState.objects.filter(pk__token__gt=Token(uuid.uuid4())))

    t = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
    lo, hi = MinTimeUUID(t), MaxTimeUUID(t)
    assert (lo.int >> 76) & 0xF == (hi.int >> 76) & 0xF == 1  # version 1
    assert lo.time == hi.time - 9999
    management.sync_table(Reading)
    second = datetime.timedelta(seconds=1)
    at = [MinTimeUUID(t - second), MinTimeUUID(t) , MaxTimeUUID(t), MaxTimeUUID(t + second)]
    for u in at:
        Reading.create(day="d", at=uuid.UUID(fields=u.fields[:3] + (0x91, 0x23, 0x456789abcdef)))
    inside = Reading.objects.filter(day="d", at__gte=MinTimeUUID(t), at__lte=MaxTimeUUID(t))
    assert sorted(r.at.time for r in inside) == [lo.time, hi.time]


class Reading(Model):
    day = columns.Text(partition_key=True)
    at = columns.TimeUUID(primary_key=True)


class Elsewhere(Model):
    __connection__ = "second"
    __keyspace__ = "pycqe_named_conn"
    k = columns.Integer(primary_key=True)
    v = columns.Text()


def test_named_connections_durable_writes_and_using(mapper_keyspace):
    from cqlbridge.cqlengine.query import CQLEngineException
    with pytest.raises(CQLEngineException, match="no connection named 'second'"):
        Elsewhere.objects.count()
    connection.register_connection("second", contact_points(), cluster_options={"connect_timeout": 20})
    try:
        with pytest.raises(CQLEngineException, match="already registered"):
            connection.register_connection("second", session=connection.get_session())
        management.create_keyspace_simple("pycqe_named_conn", 1, durable_writes=False, connections=["second"])
        durable = connection.get_session("second").execute(
            "SELECT durable_writes FROM system_schema.keyspaces WHERE keyspace_name = 'pycqe_named_conn'").one()
        assert durable.durable_writes is False
        management.sync_table(Elsewhere)
        Elsewhere.create(k=1, v="one")
        assert connection.get_session("second") is not connection.get_session()
        assert Elsewhere.get(k=1).v == "one"
        with BatchQuery(connection="second") as b:
            Elsewhere.batch(b).create(k=2, v="two")
        assert Elsewhere.objects.count() == 2
        # using(): the same model, read through the default connection and another keyspace.
        assert Elsewhere.objects.using(connection=connection.DEFAULT_CONNECTION).count() == 2
        management.sync_table(Elsewhere, keyspaces=[mapper_keyspace])
        assert Elsewhere.using(keyspace=mapper_keyspace).count() == 0
    finally:
        management.drop_keyspace("pycqe_named_conn", connections=["second"])
        connection.unregister_connection("second")
    with pytest.raises(CQLEngineException):
        connection.get_session("second")
    assert connection.get_session() is not None  # the default connection is untouched
