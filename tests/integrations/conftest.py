import secrets

import pymysql
import pytest
from django.utils import translation

from tests.conftest import running_in_ci
from tests.fakes.cetec import FakeCetec
from tests.fakes.shop import FakeShop
from tests.fakes.thingsboard import FakeThingsBoard


@pytest.fixture(autouse=True)
def _english():
    # Run messages are stored in the language active while the sync runs; the tests read them in English.
    with translation.override("en"):
        yield


@pytest.fixture
def fake_tb(settings):
    """A running fake ThingsBoard the settings point at (service account configured)."""
    with FakeThingsBoard() as server:
        settings.THINGSBOARD_URL = server.url
        settings.THINGSBOARD_USERNAME = server.username
        settings.THINGSBOARD_PASSWORD = server.password
        settings.SYNC_HTTP_TIMEOUT = 2.0
        yield server


@pytest.fixture
def fake_shop(settings):
    with FakeShop() as server:
        settings.SHOP_API_URL = server.url
        settings.SHOP_API_TOKEN = server.token
        settings.SYNC_HTTP_TIMEOUT = 2.0
        yield server


@pytest.fixture
def fake_cetec(settings):
    """A running fake CETEC the settings point at; MySQL enrichment off until a test sets it up."""
    with FakeCetec() as server:
        settings.CETEC_URL = server.url
        settings.CETEC_PRESHARED_TOKEN = server.token
        settings.CETEC_MYSQL_URL = ""
        settings.SYNC_HTTP_TIMEOUT = 2.0
        yield server


MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
MARIADB_URL = "mysql://root:@127.0.0.1:3306"


@pytest.fixture
def backup_databases(settings):
    """The real MariaDB (127.0.0.1:3306, root without password) as CETEC_MYSQL_URL, and a helper making
    uniquely named databases there (`scandy_cetec_<random>_<label>`), all dropped afterwards. Fails
    instead of skipping on CI, where MariaDB runs."""
    try:
        admin = pymysql.connect(**MARIADB, connect_timeout=3, autocommit=True)
    except pymysql.MySQLError as exc:
        message = f"MariaDB at {MARIADB['host']}:{MARIADB['port']} is not reachable: {exc}"
        if running_in_ci():
            pytest.fail(message)
        pytest.skip(message)
    settings.CETEC_MYSQL_URL = MARIADB_URL
    settings.CETEC_MYSQL_BUDGET_SECONDS = 5.0
    made = BackupDatabases(admin, prefix=f"scandy_cetec_{secrets.token_hex(4)}")
    try:
        yield made
    finally:
        made.drop_all()
        admin.close()


class BackupDatabases:
    def __init__(self, admin, prefix: str):
        self.admin = admin
        self.prefix = prefix
        self.names: list[str] = []

    def name(self, label: str) -> str:
        return f"{self.prefix}_{label}"

    def create(self, label: str, *, usage_stats: bool = True) -> str:
        name = self.name(label)
        with self.admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
            self.names.append(name)
            cursor.execute(f"CREATE TABLE `{name}`.`customers` (id INT PRIMARY KEY)")
            if usage_stats:
                cursor.execute(f"CREATE TABLE `{name}`.`usage_stats` (id INT PRIMARY KEY, day DATE)")
        return name

    def drop_all(self):
        with self.admin.cursor() as cursor:
            for name in self.names:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
