"""Who may do what with weekly reports (CONTRACT section 4), for every timesheet URL, API and pages, for the four
roles and a visitor. Everyone keeps their own; admins and employees review the reports of others in their
departments, never their own; a report you may not see is a 404, a move that is never yours a 403."""

import datetime

import pytest

from scandy_site.accounts.roles import Role
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, full_day, this_week, weeks_ago
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
EVERYONE = [*ROLES, ANONYMOUS]
REVIEWERS = {Role.ADMIN, Role.EMPLOYEE}


@pytest.fixture
def users(keepers):
    return {**keepers, ANONYMOUS: None}


@pytest.fixture
def colleague(department):
    return UserFactory(username="kollege", role=Role.USER, default_department=department, timesheet_enabled=True)


@pytest.fixture
def reports(keepers, colleague):
    """The caller's own reports in each status, and a colleague's (another user of the department)."""
    made = {}
    for role, user in keepers.items():
        for key, back, status in (("draft", 1, "draft"), ("submitted", 2, "submitted"), ("approved", 3, "approved")):
            year, week = weeks_ago(back)
            made[f"own-{key}:{role}"] = TimesheetFactory(user=user, year=year, week=week, status=status)
    for key, back, status in (("draft", 1, "draft"), ("submitted", 2, "submitted"), ("approved", 3, "approved"),
                              ("to-reject", 4, "submitted")):  # fmt: skip
        year, week = weeks_ago(back)
        made[key] = TimesheetFactory(user=colleague, year=year, week=week, status=status)
    return made


def own(reports, role, key):
    return reports[f"own-{key}:{role}"]


def view_code(role, *, mine: bool, ok=200) -> int:
    """A report: its owner and the reviewers see it; anyone else gets a 404, a visitor a 401."""
    if role == ANONYMOUS:
        return 401
    return ok if mine or role in REVIEWERS else 404


def review_code(role, *, ok=200) -> int:
    """Approve/reject/reopen a colleague's report: reviewers only."""
    return view_code(role, mine=False, ok=ok)


def owner_code(role, *, ok=200) -> int:
    """An owner's move on a colleague's report: the reviewers see it but may not (403)."""
    if role == ANONYMOUS:
        return 401
    return 403 if role in REVIEWERS else 404


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_api_list_shows_own_reports_and_reviewers_the_department(role, users, reports, api_for):
    response = api_for(users[role]).get("/api/timesheets?page_size=100")
    if role == ANONYMOUS:
        assert response.status_code == 401
        return
    seen = {row["id"] for row in response.json()["data"]["results"]}
    expected = {t.pk for key, t in reports.items() if key.endswith(f":{role}")}
    if role in REVIEWERS:
        # Every report of the department, the other reviewer's own included; their own of course too.
        expected = {t.pk for t in reports.values()}
    assert seen == expected


@pytest.mark.parametrize("role", EVERYONE)
def test_api_create_own_report(role, users, reports, api_for):
    year, week = this_week()
    body = {"year": year, "week": week, "entries": [full_day(datetime.date.fromisocalendar(year, week, 1))]}
    response = api_for(users[role]).post("/api/timesheets", body, format="json")
    assert response.status_code == (401 if role == ANONYMOUS else 201)
    if role != ANONYMOUS:
        assert response.json()["data"]["user"] == users[role].username
        assert response.json()["data"]["total_minutes"] == 480


@pytest.mark.parametrize("role", EVERYONE)
def test_api_matrix_on_own_reports(role, users, reports, api_for):
    if role == ANONYMOUS:
        return  # a visitor has no own reports; the colleague test covers 401 on every endpoint
    client = api_for(users[role])
    draft, submitted, approved = (own(reports, role, key) for key in ("draft", "submitted", "approved"))
    base = f"/api/timesheets/{draft.pk}"
    entry = draft.entries.get()
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/history").status_code == 200
    assert client.get(f"{base}/pdf").status_code == 200
    assert client.get(f"{base}/entries").status_code == 200
    assert client.get(f"{base}/entries/{entry.pk}").status_code == 200
    assert client.patch(base, {"note": "Meine Woche"}, format="json").status_code == 200
    added = client.post(f"{base}/entries", {"date": str(draft.week_start), "hours": "1", "activity": "Doku"},
                        format="json")  # fmt: skip
    assert added.status_code == 201
    assert client.patch(f"{base}/entries/{entry.pk}", {"break_minutes": 45}, format="json").status_code == 200
    assert client.delete(f"{base}/entries/{added.json()['data']['id']}").status_code == 204
    assert client.post(f"{base}/submit").status_code == 200
    # Submitted: read-only for the owner (409), withdrawable; never approved or rejected by its owner (403).
    assert client.patch(f"/api/timesheets/{submitted.pk}", {"note": "x"}, format="json").status_code == 409
    assert client.post(f"/api/timesheets/{submitted.pk}/approve").status_code == 403
    assert client.post(f"/api/timesheets/{submitted.pk}/reject", {"reason": "x"}, format="json").status_code == 403
    assert client.post(f"/api/timesheets/{submitted.pk}/reopen").status_code == 200
    # Approved: final for its owner, whatever their role.
    assert client.post(f"/api/timesheets/{approved.pk}/reopen", {"reason": "x"}, format="json").status_code == 403
    assert Timesheet.objects.get(pk=approved.pk).status == "approved"


@pytest.mark.parametrize("role", EVERYONE)
def test_api_matrix_on_a_colleagues_reports(role, users, reports, api_for):
    client = api_for(users[role])
    draft, submitted, approved, to_reject = (reports[k] for k in ("draft", "submitted", "approved", "to-reject"))
    entry = draft.entries.get()
    for report in (draft, submitted, approved):
        base = f"/api/timesheets/{report.pk}"
        for suffix in ("", "/history", "/entries", f"/entries/{report.entries.get().pk}"):
            assert client.get(base + suffix).status_code == view_code(role, mine=False), suffix
        pdf = client.get(f"{base}/pdf")
        assert pdf.status_code == view_code(role, mine=False)
        if pdf.status_code == 200:
            assert pdf["Content-Type"] == "application/pdf"
    base = f"/api/timesheets/{draft.pk}"
    # Only the owner writes a report: reviewers see it but get 403.
    assert client.patch(base, {"note": "fremd"}, format="json").status_code == owner_code(role)
    assert client.put(base, {"note": "fremd"}, format="json").status_code == owner_code(role)
    body = {"date": str(draft.week_start), "hours": "1", "activity": "fremd"}
    assert client.post(f"{base}/entries", body, format="json").status_code == owner_code(role)
    assert client.patch(f"{base}/entries/{entry.pk}", {"hours": 2}, format="json").status_code == owner_code(role)
    assert client.delete(f"{base}/entries/{entry.pk}").status_code == owner_code(role)
    assert client.post(f"{base}/submit").status_code == owner_code(role)
    assert client.post(f"/api/timesheets/{submitted.pk}/reopen").status_code == owner_code(role)
    # Reviewers decide.
    assert client.post(f"/api/timesheets/{submitted.pk}/approve").status_code == review_code(role)
    rejected = client.post(f"/api/timesheets/{to_reject.pk}/reject", {"reason": "Pause fehlt"}, format="json")
    assert rejected.status_code == review_code(role)
    reopened = client.post(f"/api/timesheets/{approved.pk}/reopen", {"reason": "Korrektur"}, format="json")
    assert reopened.status_code == review_code(role)
    expected = {"submitted": "approved", "to-reject": "rejected", "approved": "draft"} if role in REVIEWERS else {
        "submitted": "submitted", "to-reject": "submitted", "approved": "approved"}  # fmt: skip
    assert {key: Timesheet.objects.get(pk=reports[key].pk).status for key in expected} == expected
    assert Timesheet.objects.get(pk=draft.pk).note == ""


# --- pages -------------------------------------------------------------------------------------


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def run_pages(client, role, requests) -> None:
    """Each (method, url, data, expected status) in turn; a visitor is always sent to the login page."""
    for method, url, data, expected in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if role == ANONYMOUS:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (url, response)
        else:
            assert response.status_code == expected, (method, url, response.status_code)


@pytest.mark.parametrize("role", EVERYONE)
def test_page_matrix_on_own_weeks(role, users, reports, client):
    client = _login(client, users[role])
    year, week = this_week()
    week_url = f"/timesheets/week/{year}/{week}/"
    entry_body = {"day": 0, "start_time": "08:00", "end_time": "12:00", "break_minutes": 0, "activity": "Aufbau"}
    requests = [
        ("get", "/timesheets/", None, 200),
        ("get", "/timesheets/week/", None, 302),
        ("get", f"/timesheets/week/go/?week={year}-W{week:02d}", None, 302),
        ("get", week_url, None, 200),
        ("post", f"{week_url}entries/", entry_body, 302),
        ("post", f"{week_url}note/", {"note": "Notiz"}, 302),
        ("post", f"{week_url}copy/", {}, 302),
    ]
    if role != ANONYMOUS:
        draft, submitted = own(reports, role, "draft"), own(reports, role, "submitted")
        entry = draft.entries.get()
        requests += [
            ("get", f"/timesheets/reports/{draft.pk}/", None, 302),  # the owner is sent to the week editor
            ("get", f"/timesheets/reports/{draft.pk}/pdf/", None, 200),
            ("get", f"/timesheets/entries/{entry.pk}/edit/", None, 200),
            ("post", f"/timesheets/entries/{entry.pk}/edit/", {**entry_body, "activity": "Neu"}, 302),
            ("post", f"/timesheets/reports/{submitted.pk}/approve/", {}, 403),
            ("post", f"/timesheets/reports/{submitted.pk}/reject/", {"reject-reason": "x"}, 403),
            ("post", f"/timesheets/reports/{submitted.pk}/reopen/", {}, 302),
            ("post", f"/timesheets/reports/{draft.pk}/submit/", {}, 302),
            ("post", f"/timesheets/entries/{entry.pk}/delete/", {}, 302),  # submitted now: refused with a message
        ]
    run_pages(client, role, requests)
    if role != ANONYMOUS:
        assert Timesheet.objects.get(pk=own(reports, role, "draft").pk).status == "submitted"
        assert own(reports, role, "draft").entries.count() == 1  # deleting in a submitted report was refused
        assert Timesheet.objects.get(user=users[role], year=year, week=week).total_minutes == 240


@pytest.mark.parametrize("role", EVERYONE)
def test_page_matrix_on_a_colleagues_reports(role, users, reports, client):
    client = _login(client, users[role])
    draft, submitted, approved, to_reject = (reports[k] for k in ("draft", "submitted", "approved", "to-reject"))
    entry = draft.entries.get()
    requests = [
        ("get", f"/timesheets/reports/{draft.pk}/", None, review_code(role)),
        ("get", f"/timesheets/reports/{approved.pk}/pdf/", None, review_code(role)),
        ("get", f"/timesheets/entries/{entry.pk}/edit/", None, 404),  # entries are edited by their owner only
        ("post", f"/timesheets/entries/{entry.pk}/edit/", {"day": 0, "hours": "2", "activity": "x"}, 404),
        ("post", f"/timesheets/entries/{entry.pk}/delete/", {}, 404),
        ("post", f"/timesheets/reports/{draft.pk}/submit/", {}, owner_code(role)),
        ("post", f"/timesheets/reports/{submitted.pk}/approve/", {}, review_code(role, ok=302)),
        ("post", f"/timesheets/reports/{to_reject.pk}/reject/", {"reject-reason": "Pause fehlt"},
         review_code(role, ok=302)),
        ("post", f"/timesheets/reports/{approved.pk}/reopen/", {"reopen-reason": "Korrektur"},
         review_code(role, ok=302)),
        ("get", "/timesheets/approvals/", None, 200 if role in REVIEWERS else 403),
    ]  # fmt: skip
    run_pages(client, role, requests)
    statuses = {key: Timesheet.objects.get(pk=reports[key].pk).status for key in ("submitted", "to-reject",
                                                                                  "approved", "draft")}  # fmt: skip
    if role in REVIEWERS:
        assert statuses == {"submitted": "approved", "to-reject": "rejected", "approved": "draft", "draft": "draft"}
    else:
        assert statuses == {"submitted": "submitted", "to-reject": "submitted", "approved": "approved",
                            "draft": "draft"}  # fmt: skip


def test_reviewers_see_the_buttons_owners_do_not(keepers, reports, client):
    submitted = reports["submitted"]
    client.force_login(keepers[Role.EMPLOYEE])
    html = client.get(f"/timesheets/reports/{submitted.pk}/").content.decode()
    assert 'data-action="approve"' in html and 'data-action="reject"' in html
    assert 'data-testid="entry-form"' not in html  # reviewers do not edit
    client.force_login(keepers[Role.EMPLOYEE])
    own_submitted = own(reports, Role.EMPLOYEE, "submitted")
    html = client.get(f"/timesheets/week/{own_submitted.year}/{own_submitted.week}/").content.decode()
    assert 'data-action="approve"' not in html  # never for one's own week
    assert 'data-action="reopen"' in html  # withdraw
    assert 'data-testid="entry-form"' not in html  # read-only while submitted
