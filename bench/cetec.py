"""CETEC: `GET /api/cetec/customer` for 2 000 customers from a local fake CETEC (real HTTP), each checked
against the real MariaDB (127.0.0.1:3306) where 200 of their backup databases exist, served by gunicorn.

Target: median <= 500 ms for the whole request (CETEC call, filtering, one MySQL query for 1 600
candidate databases, rendering), the MySQL check itself well inside its 5 s budget."""

import secrets
import time

import pymysql
import requests

from bench.harness import instance, manage, server, summary_ms, write_result
from tests.fakes.cetec import FakeCetec, cetec_customer

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
CUSTOMERS = 2_000
EXISTING = 200
REQUESTS = 30
# An admin (past the setup wizard) and an API token for the requests.
SEED_TOKEN = """
import secrets
from rest_framework.authtoken.models import Token
from scandy_site.core.services import setup_initial_instance
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
print(Token.objects.create(user=admin).key)
"""


def _customer(number: int, prefix: str) -> dict:
    kind = number % 20
    if kind == 0:
        return cetec_customer(number, resident_hosting=1)
    if kind == 1:
        return cetec_customer(number, itar_hosting_bc=1)
    if kind == 2:
        return cetec_customer(number, domain="")
    if kind == 3:
        return cetec_customer(number, ok_to_bill=0)
    return cetec_customer(number, domain=f"{prefix}_c{number}.cetecerp.com")


def run() -> bool:
    prefix = f"scandy_bench_cetec_{secrets.token_hex(3)}"
    fake = FakeCetec(customers=[_customer(n, prefix) for n in range(1, CUSTOMERS + 1)]).start()
    admin = pymysql.connect(**MARIADB, autocommit=True)
    made = []
    try:
        with admin.cursor() as cursor:
            for number in range(1, CUSTOMERS + 1):
                if number % 20 > 3 and len(made) < EXISTING:
                    name = f"{prefix}_c{number}"
                    cursor.execute(f"CREATE DATABASE `{name}`")
                    made.append(name)
                    cursor.execute(f"CREATE TABLE `{name}`.usage_stats (id INT PRIMARY KEY)")
        with instance() as env:
            env.update(CETEC_URL=fake.url, CETEC_PRESHARED_TOKEN=fake.token, CETEC_MYSQL_URL="mysql://root:@127.0.0.1:3306",
                       ALLOWED_HOSTS="127.0.0.1,localhost,testserver")  # fmt: skip
            token = manage(env, "shell", "-c", SEED_TOKEN).strip().splitlines()[-1]
            with server(env, workers=1, threads=1) as base:
                session = requests.Session()
                session.headers["Authorization"] = f"Token {token}"
                samples, body = [], None
                for i in range(REQUESTS + 3):
                    started = time.perf_counter()
                    response = session.get(base + "/api/cetec/customer", timeout=30)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"/api/cetec/customer: {response.status_code} {response.text[:300]}")
                    body = response.json()["data"]
                    if i >= 3:  # warm-up excluded
                        samples.append(elapsed)
                started = time.perf_counter()
                status = session.get(base + "/api/cetec/mysql-status", timeout=30).json()["data"]
                status_seconds = time.perf_counter() - started
    finally:
        fake.stop()
        with admin.cursor() as cursor:
            for name in made:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
    latency = summary_ms(samples)
    summary = body["metadata"]["summary"]
    targets = {
        "mysql_status==ok": body["metadata"]["mysql_status"] == "ok",
        f"existing_databases=={EXISTING}": summary["existing_databases"] == EXISTING,
        "customer_lookup_median_ms<=500": latency["median_ms"] <= 500,
    }
    write_result(
        "cetec",
        {"customers_in_cetec": CUSTOMERS, "metadata": body["metadata"], "customer_lookup": latency,
         "mysql_status": {"latency_ms": status["latency_ms"], "version": status["version"],
                          "request_ms": round(status_seconds * 1000, 2)},
         "targets_met": targets},
    )  # fmt: skip
    return all(targets.values())
