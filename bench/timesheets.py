"""Weekly reports over HTTP: with 50 people and a year of reports each (2600 reports, 10 entries a week) on
SQLite, the approver's list, a week's detail, making a report, adding an entry, the PDF; and on PostgreSQL, 8 approvers
deciding on the same submitted reports at once, with a check that each report got exactly one decision.

Targets (set here; the issue names none): list median <= 60 ms, detail median <= 40 ms, entry create median
<= 40 ms (report and entry), PDF median <= 1500 ms, exactly one decision per report under concurrency."""

import os

from bench.harness import instance, manage, server, summary_ms, write_result
from bench.lending import _clients, _count, _session
from bench.tickets import _timed

SEED = """
import datetime
from django.utils import timezone
from rest_framework.authtoken.models import Token
from scandy_site.accounts.models import Department, User
from scandy_site.core.services import setup_initial_instance
from timesheets.models import Timesheet, TimesheetEntry
from timesheets.services import iso_week, timesheet_create, timesheet_submit
import secrets
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
dept = Department.objects.get(code="bench")
approvers = []
for i in range({approvers}):
    approver = User.objects.create_user(username=f"approver{{i}}", role="employee", default_department=dept)
    approver.departments.add(dept)
    approvers.append(approver)
people = []
for i in range({people}):
    person = User.objects.create_user(username=f"person{{i}}", default_department=dept, timesheet_enabled=True)
    person.departments.add(dept)
    people.append(person)
today = timezone.localdate()
for back in range(1, {weeks} + 1):
    monday = today - datetime.timedelta(days=today.weekday(), weeks=back)
    year, week = iso_week(monday)
    for person in people:
        entries = [{{"date": monday + datetime.timedelta(days=d), "start_time": datetime.time(7 + h * 5, 0),
                    "end_time": datetime.time(11 + h * 5, 30), "activity": "Arbeit"}} for d in range(5) for h in (0, 1)]
        report = timesheet_create(user=None, owner=person, department=dept, year=year, week=week, entries=entries)
        if back <= {submitted_weeks}:
            timesheet_submit(timesheet=report, user=None)
        elif back > 2:
            Timesheet.objects.filter(pk=report.pk).update(status="approved", approved_at=timezone.now(),
                                                          submitted_at=timezone.now(), approved_by=approvers[0])
print(" ".join(Token.objects.create(user=u).key for u in [admin, *approvers, people[0]]))
"""

DECISIONS = """
from scandy_site.core.models import ChangeEvent
from timesheets.models import Timesheet
per_report = {}
for object_id, changes in ChangeEvent.objects.filter(entity="timesheet").values_list("object_id", "changes"):
    if changes.get("status", [None])[0] == "submitted":
        per_report[object_id] = per_report.get(object_id, 0) + 1
print(len(per_report), max(per_report.values(), default=0), Timesheet.objects.filter(status="submitted").count())
"""


def latency_sqlite(people: int = 50, weeks: int = 52, iterations: int = 100) -> dict:
    with instance() as env:
        seed = SEED.format(approvers=1, people=people, weeks=weeks, submitted_weeks=1)
        _admin, approver_token, person_token = manage(env, "shell", "-c", seed).strip().splitlines()[-1].split()
        with server(env, workers=1, threads=1) as base:
            approver, person = _session(approver_token), _session(person_token)
            own = person.get(f"{base}/api/timesheets?user=me&page_size=1", timeout=10).json()["data"]["results"][0]
            draft = person.post(f"{base}/api/timesheets", json={"year": 2001, "week": 1}, timeout=10).json()["data"]
            listing, detail, create, add, pdf = [], [], [], [], []
            for i in range(iterations + 10):
                samples = (listing, detail, create, add) if i >= 10 else ([], [], [], [])
                _timed(samples[0], lambda: approver.get(f"{base}/api/timesheets?status=submitted&page_size=50",
                                                        timeout=10))  # fmt: skip
                _timed(samples[1], lambda: approver.get(f"{base}/api/timesheets/{own['id']}", timeout=10))
                body = {"year": 2002 + i // 52, "week": 1 + i % 52}
                _timed(samples[2], lambda body=body: person.post(f"{base}/api/timesheets", json=body, timeout=10))
                entry = {"date": draft["days"][i % 7]["date"], "hours": "0.25", "activity": f"Teil {i}"}
                _timed(samples[3], lambda entry=entry: person.post(f"{base}/api/timesheets/{draft['id']}/entries",
                                                                   json=entry, timeout=10))  # fmt: skip
            for _ in range(6):
                _timed(pdf, lambda: approver.get(f"{base}/api/timesheets/{own['id']}/pdf", timeout=30))
    return {"reports": people * weeks, "entries_per_report": 10, "list_submitted": summary_ms(listing),
            "detail": summary_ms(detail), "create_report": summary_ms(create), "add_entry": summary_ms(add),
            "pdf": summary_ms(pdf[1:])}  # fmt: skip


def decisions_postgres(database_url: str, approvers: int = 8, people: int = 60, seconds: float = 8.0) -> dict:
    """8 approvers take the same inbox from the top and approve or reject as fast as they can."""
    with instance(database_url) as env:
        seed = SEED.format(approvers=approvers, people=people, weeks=1, submitted_weeks=1)
        tokens = manage(env, "shell", "-c", seed).strip().splitlines()[-1].split()[1 : 1 + approvers]
        with server(env, workers=2, threads=4) as base:
            sessions = [_session(token) for token in tokens]

            def decide(n, local):
                inbox = sessions[n].get(f"{base}/api/timesheets?status=submitted&page_size=3", timeout=10)
                results = inbox.json()["data"]["results"]
                if not results:
                    _count(local, "empty")
                    return
                report = results[n % len(results)]["id"]
                action = "approve" if n % 2 else "reject"
                response = sessions[n].post(f"{base}/api/timesheets/{report}/{action}", json={"reason": "bench"},
                                            timeout=10)  # fmt: skip
                _count(local, {200: "decided", 409: "too_late"}.get(response.status_code, "error"))

            counts, elapsed = _clients(approvers, seconds, decide)
        decided, most, left = map(int, manage(env, "shell", "-c", DECISIONS).strip().splitlines()[-1].split())
    return {"approvers": approvers, "reports": people, "seconds": round(elapsed, 2), "counts": counts,
            "reports_decided": decided, "most_decisions_on_one_report": most, "still_submitted": left}  # fmt: skip


def run() -> bool:
    latency = latency_sqlite()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    concurrent = decisions_postgres(database_url)
    targets = {
        "list_median_ms<=60": latency["list_submitted"]["median_ms"] <= 60,
        "detail_median_ms<=40": latency["detail"]["median_ms"] <= 40,
        "create_report_median_ms<=40": latency["create_report"]["median_ms"] <= 40,
        "add_entry_median_ms<=40": latency["add_entry"]["median_ms"] <= 40,
        "pdf_median_ms<=1500": latency["pdf"]["median_ms"] <= 1500,
        "one_decision_per_report": concurrent["most_decisions_on_one_report"] == 1
        and concurrent["counts"].get("decided", 0) == concurrent["reports_decided"]
        and not concurrent["counts"].get("error"),
    }
    write_result("timesheets", {"latency_sqlite": latency, "decisions_postgres": concurrent, "targets_met": targets})
    return all(targets.values())
