"""The CETEC backup-database enrichment against the real MariaDB (127.0.0.1:3306): databases made for the
test under unique names (the fake customers' domains map to them), dropped afterwards; MySQL down, a
refused login, a server that hangs or talks nonsense, a spent time budget; the status probe."""

import datetime
import logging
import socket
import time

import pytest

from integrations.cetec import mysql
from tests.fakes.cetec import cetec_customer
from tests.fakes.mysql import FakeMySQL
from tests.integrations.conftest import MARIADB_URL

pytestmark = pytest.mark.django_db

URL = "/api/cetec/customer"
STATUS_URL = "/api/cetec/mysql-status"


@pytest.fixture
def api(api_for, admin_user):
    """The admin's API client, asking for English answers (the tests read the messages)."""
    client = api_for(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _logs(caplog):
    caplog.set_level(logging.DEBUG)


def lookup(api):
    response = api.get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def states(body) -> dict:
    return {c["id"]: c["database_exists"] for c in body["data"]["customers"]}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def customers(fake_cetec, backup_databases):
    """One customer of every kind; the domains of 1-3 map to this test's databases."""
    dbs = backup_databases
    with_stats = dbs.create("acme")
    dbs.create("beta", usage_stats=False)
    fake_cetec.customers = [
        cetec_customer(1, domain=f"{with_stats.upper()}.cetecerp.com"),  # exists with usage_stats
        cetec_customer(2, domain=dbs.name("beta")),  # exists, without usage_stats
        cetec_customer(3, domain=dbs.name("gamma").replace("_", "-")),  # no such database
        cetec_customer(4, domain=dbs.name("delta"), resident_hosting=1),
        cetec_customer(5, domain=dbs.name("acme"), itar_hosting_bc="1"),  # ITAR: not even looked up
        cetec_customer(6, domain=dbs.name("eps"), resident_hosting=True, itar_hosting_bc=True),
        cetec_customer(7, domain=""),
        cetec_customer(8, domain=None),
        cetec_customer(9, domain="..."),
        cetec_customer(10, domain=dbs.name("acme"), ok_to_bill=0),  # not billable: left out
    ]
    return fake_cetec


HOSTING = {4: "resident_hosting", 5: "itar_hosting", 6: "itar_hosting", 7: "unavailable", 8: "unavailable",
           9: "unavailable"}  # fmt: skip


def test_every_state_and_the_summary(api, customers, backup_databases):
    started = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=1)
    body = lookup(api)
    assert states(body) == {1: True, 2: False, 3: False, **HOSTING}
    by_id = {c["id"]: c for c in body["data"]["customers"]}
    pulled = datetime.datetime.fromisoformat(by_id[1]["lastPulled"].replace("Z", "+00:00"))
    # The usage_stats table was made a moment ago; in UTC whatever the server's time zone.
    assert started <= pulled <= datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    assert all(c["lastPulled"] is None for c in body["data"]["customers"] if c["id"] != 1)
    metadata = body["data"]["metadata"]
    assert metadata["mysql_enabled"] is True and metadata["mysql_status"] == "ok"
    assert metadata["summary"] == {"total_customers": 9, "existing_databases": 1, "resident_hosting": 1,
                                   "itar_hosting": 2, "invalid_domains": 3, "no_database": 2}  # fmt: skip
    assert body["message"] == "9 customers from CETEC."


def test_many_customers_are_checked_with_one_connection_and_one_query(api, fake_cetec, backup_databases, settings):
    existing = {backup_databases.create(f"c{n}") for n in range(0, 40, 4)}
    fake_cetec.customers = [cetec_customer(n, domain=backup_databases.name(f"c{n}")) for n in range(40)]
    with FakeMySQL("proxy") as proxy:
        settings.CETEC_MYSQL_URL = proxy.url()
        body = lookup(api)
    assert sum(1 for s in states(body).values() if s is True) == len(existing) == 10
    assert body["data"]["metadata"]["summary"]["no_database"] == 30
    assert proxy.connections == 1
    assert [q for q in proxy.queries if b"information_schema" in q.lower()] == [
        q for q in proxy.queries if b"usage_stats" in q
    ]
    assert len([q for q in proxy.queries if b"information_schema" in q.lower()]) == 1


def test_no_mysql_needed_means_no_connection(api, fake_cetec, backup_databases, settings):
    fake_cetec.customers = [cetec_customer(1, itar_hosting_bc=1), cetec_customer(2, domain="")]
    with FakeMySQL("proxy") as proxy:
        settings.CETEC_MYSQL_URL = proxy.url()
        body = lookup(api)
    assert proxy.connections == 0
    assert body["data"]["metadata"]["mysql_status"] == "skipped"
    assert states(body) == {1: "itar_hosting", 2: "unavailable"}


def test_without_mysql_configured_the_checked_customers_are_null(api, customers, settings):
    settings.CETEC_MYSQL_URL = ""
    body = lookup(api)
    assert states(body) == {1: None, 2: None, 3: None, **HOSTING}
    metadata = body["data"]["metadata"]
    assert metadata["mysql_enabled"] is False and metadata["mysql_status"] == "disabled"
    assert metadata["summary"]["existing_databases"] == metadata["summary"]["no_database"] == 0


def test_mysql_down_is_mysql_error(api, customers, settings, caplog):
    settings.CETEC_MYSQL_URL = f"mysql://root:Down-Secret-1@127.0.0.1:{closed_port()}"
    body = lookup(api)
    assert states(body) == {1: "mysql_error", 2: "mysql_error", 3: "mysql_error", **HOSTING}
    assert body["data"]["metadata"]["mysql_status"] == "error"
    assert "MySQL cannot be reached at 127.0.0.1:" in body["message"]
    assert "Down-Secret-1" not in str(body) and "Down-Secret-1" not in caplog.text


def test_a_refused_login_is_mysql_error_without_the_password(api, customers, settings, caplog):
    settings.CETEC_MYSQL_URL = "mysql://scandy_nobody:Wrong%2FPass-42@127.0.0.1:3306"
    body = lookup(api)
    assert set(states(body).values()) - set(HOSTING.values()) == {"mysql_error"}
    assert "refused the login" in body["message"]
    for secret in ("Wrong/Pass-42", "Wrong%2FPass-42", "scandy_nobody"):
        assert secret not in str(body)
        assert secret not in caplog.text


def test_a_server_talking_nonsense_is_mysql_error(api, customers, settings):
    with FakeMySQL("garbage") as garbage:
        settings.CETEC_MYSQL_URL = garbage.url()
        body = lookup(api)
    assert states(body)[1] == "mysql_error"
    assert body["data"]["metadata"]["mysql_status"] == "error"


def test_an_invalid_url_is_mysql_error(api, customers, settings):
    settings.CETEC_MYSQL_URL = "postgres://root@127.0.0.1:3306"
    body = lookup(api)
    assert states(body)[1] == "mysql_error"
    assert "CETEC_MYSQL_URL is not a valid" in body["message"]


def test_a_spent_budget_is_batch_timeout(api, customers, settings):
    settings.CETEC_MYSQL_BUDGET_SECONDS = 0
    body = lookup(api)
    assert states(body) == {1: "batch_timeout", 2: "batch_timeout", 3: "batch_timeout", **HOSTING}
    assert body["data"]["metadata"]["mysql_status"] == "timeout"
    assert "took longer than 0 s" in body["message"]


def test_a_slow_query_is_batch_timeout_within_the_budget(api, customers, settings):
    with FakeMySQL("proxy", delay_on=b"usage_stats", delay=10) as slow:
        settings.CETEC_MYSQL_URL = slow.url()
        settings.CETEC_MYSQL_BUDGET_SECONDS = 0.8
        started = time.monotonic()
        body = lookup(api)
        took = time.monotonic() - started
    assert slow.connections == 1 and any(b"usage_stats" in q for q in slow.queries)  # it connected and asked
    assert states(body)[1] == states(body)[3] == "batch_timeout"
    assert body["data"]["metadata"]["mysql_status"] == "timeout"
    assert took < 0.8 + 1.5, took  # the budget bounds the whole check, not each step


def test_a_server_that_never_greets_is_batch_timeout(api, customers, settings):
    with FakeMySQL("silent") as silent:
        settings.CETEC_MYSQL_URL = silent.url()
        settings.CETEC_MYSQL_BUDGET_SECONDS = 0.5
        started = time.monotonic()
        body = lookup(api)
        assert time.monotonic() - started < 2.0
    assert states(body)[2] == "batch_timeout"


# --- the status probe -------------------------------------------------------------------------------------------


def test_status_of_a_reachable_server(api, backup_databases, settings):
    settings.CETEC_MYSQL_URL = "mysql://root:@127.0.0.1:3306"
    response = api.get(STATUS_URL)
    assert response.status_code == 200
    status = response.json()["data"]
    assert status["configured"] is status["reachable"] is True
    assert status["mysql_status"] == "ok" and status["host"] == "127.0.0.1" and status["port"] == 3306
    assert status["version"] and isinstance(status["latency_ms"], float)
    assert "root" not in response.content.decode()


def test_status_never_shows_credentials(api, settings, caplog):
    settings.CETEC_MYSQL_URL = f"mysql://probe_user:Probe-Secret-9@127.0.0.1:{closed_port()}"
    response = api.get(STATUS_URL)
    status = response.json()["data"]
    assert status["configured"] is True and status["reachable"] is False and status["mysql_status"] == "error"
    assert status["version"] is None and "cannot be reached" in status["message"]
    for secret in ("probe_user", "Probe-Secret-9"):
        assert secret not in response.content.decode() and secret not in caplog.text


def test_status_not_configured(api, settings):
    settings.CETEC_MYSQL_URL = ""
    status = api.get(STATUS_URL).json()["data"]
    assert status == {**status, "configured": False, "reachable": False, "mysql_status": "disabled", "host": None}


def test_status_of_a_hanging_server_is_a_timeout(api, settings):
    with FakeMySQL("silent") as silent:
        settings.CETEC_MYSQL_URL = silent.url()
        settings.CETEC_MYSQL_BUDGET_SECONDS = 0.3
        status = api.get(STATUS_URL).json()["data"]
    assert status["mysql_status"] == "timeout" and status["reachable"] is False


# --- names and settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "name"),
    [("acme", "acme"), ("Acme.cetecerp.com", "acme"), ("acme-tools.cetecerp.com", "acme_tools"),
     ("  ACME  ", "acme"), ("https://acme.cetecerp.com/login", "acme"), ("acme:8080", "acme"),
     ("müller", "m_ller"), ("a.b.c", "a"), ("4-19-fifo", "4_19_fifo"), ("x" * 64, "x" * 64), (1234, "1234"),
     ("", None), ("   ", None), (None, None), (".acme", None), ("---", None), ("undefined", None),
     ("null", None), ("x" * 65, None), (True, None), (["acme"], None), ({"domain": "acme"}, None)],
)  # fmt: skip
def test_database_name(domain, name):
    assert mysql.database_name(domain) == name


def test_mysql_target(settings):
    target = mysql.mysql_target("mysql://backup%40ro:p%3Aw%40rd@db.example.org:3307/ignored")
    assert (target.host, target.port, target.user, target.password) == ("db.example.org", 3307, "backup@ro", "p:w@rd")
    assert "p:w@rd" not in repr(target) and target.label == "db.example.org:3307"
    assert mysql.mysql_target("mariadb://u@db").port == 3306
    assert mysql.mysql_target("") is None
    for broken in ("http://db:3306", "mysql://", "mysql://db:notaport", "db.example.org"):
        with pytest.raises(mysql.ConfigError):
            mysql.mysql_target(broken)


def test_mariadb_url_of_the_tests_is_the_default_local_server():
    assert mysql.mysql_target(MARIADB_URL).label == "127.0.0.1:3306"
