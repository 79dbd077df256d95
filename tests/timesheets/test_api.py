"""`/api/timesheets…`: envelope, create, PATCH/PUT with ETag/If-Match, nested entries, filters, history,
malformed input (400, never 500) and pinned query counts."""

import datetime

import pytest
from django.utils import timezone

from scandy_site.accounts.roles import Role
from tests.factories import UserFactory
from tests.factories.tickets import TicketFactory
from tests.factories.timesheets import TimesheetFactory, full_day, this_week, weeks_ago
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_for, owner):
    """The owner's API client, asking for English answers (the tests read the messages)."""
    client = api_for(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def draft(owner):
    return TimesheetFactory(user=owner)


def data(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "success"
    return body["data"]


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["status"], body["code"]) == ("error", code)
    return body


def test_create_defaults_to_the_current_week(api, owner):
    created = data(api.post("/api/timesheets", {}, format="json"), 201)
    assert (created["year"], created["week"]) == this_week()
    assert created["status"] == "draft" and created["entries"] == [] and created["total_minutes"] == 0
    assert created["department"] == "werkstatt" and created["user"] == owner.username
    assert [day["date"] for day in created["days"]] == [
        (datetime.date.fromisoformat(created["week_start"]) + datetime.timedelta(days=n)).isoformat() for n in range(7)
    ]


def test_create_with_entries_and_note(api):
    year, week = weeks_ago(2)
    monday = datetime.date.fromisocalendar(year, week, 1)
    entries = [{**full_day(monday), "date": str(monday), "start_time": "08:00", "end_time": "16:30"},
               {"date": str(monday + datetime.timedelta(days=1)), "hours": "7.5", "activity": "Lager"}]  # fmt: skip
    body = {"year": year, "week": week, "note": "Urlaub ab Donnerstag", "entries": entries}
    response = api.post("/api/timesheets", body, format="json")
    created = data(response, 201)
    assert response["ETag"]
    assert response.json()["message"] == f"Report for week {week}/{year} created."
    assert created["note"] == "Urlaub ab Donnerstag"
    assert [d["minutes"] for d in created["days"]] == [480, 450, 0, 0, 0, 0, 0]
    assert (created["total_minutes"], created["total_hours"]) == (930, "15.50")
    first, second = created["entries"]
    assert (first["start_time"], first["end_time"], first["break_minutes"], first["hours"]) == (
        "08:00:00", "16:30:00", 30, "8.00")  # fmt: skip
    assert (second["start_time"], second["minutes"]) == (None, 450)


def test_a_second_report_for_the_same_week_is_a_conflict(api, draft):
    body = error(api.post("/api/timesheets", {"year": draft.year, "week": draft.week}, format="json"), 409, "CONFLICT")
    assert body["errors"]["id"] == [str(draft.pk)]
    assert Timesheet.objects.filter(user=draft.user).count() == 1


def test_an_invalid_entry_creates_nothing(api):
    year, week = weeks_ago(3)
    body = {"year": year, "week": week, "entries": [{"date": "2001-01-01", "hours": 1, "activity": "x"}]}
    error(api.post("/api/timesheets", body, format="json"), 400, "VALIDATION_ERROR")
    assert not Timesheet.objects.filter(year=year, week=week).exists()


def test_users_without_timesheets_are_told(api_for, department):
    stranger = UserFactory(username="ohne", default_department=department)
    response = api_for(stranger).post("/api/timesheets", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = error(response, 403, "PERMISSION_DENIED")
    assert "not enabled" in body["message"]
    assert data(api_for(stranger).get("/api/timesheets"))["count"] == 0


def test_detail_has_an_etag_and_patch_honours_if_match(api, draft):
    url = f"/api/timesheets/{draft.pk}"
    first = api.get(url)
    tag = first["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    changed = api.patch(url, {"note": "Erste Fassung"}, format="json", HTTP_IF_MATCH=tag)
    assert data(changed)["note"] == "Erste Fassung"
    assert changed["ETag"] != tag
    error(api.patch(url, {"note": "Veraltet"}, format="json", HTTP_IF_MATCH=tag), 412, "PRECONDITION_FAILED")
    assert Timesheet.objects.get(pk=draft.pk).note == "Erste Fassung"


def test_approve_with_a_stale_etag_is_refused(api, api_for, employee, owner):
    submitted = TimesheetFactory(user=owner, status="submitted")
    reviewer = api_for(employee)
    tag = reviewer.get(f"/api/timesheets/{submitted.pk}")["ETag"]
    data(api.post(f"/api/timesheets/{submitted.pk}/reopen"))  # the owner withdraws it meanwhile
    data(api.post(f"/api/timesheets/{submitted.pk}/submit"))
    error(reviewer.post(f"/api/timesheets/{submitted.pk}/approve", HTTP_IF_MATCH=tag), 412, "PRECONDITION_FAILED")
    fresh = reviewer.get(f"/api/timesheets/{submitted.pk}")["ETag"]
    assert data(reviewer.post(f"/api/timesheets/{submitted.pk}/approve", HTTP_IF_MATCH=fresh))["status"] == "approved"


def test_patch_changes_only_what_is_sent_and_entries_replace_all(api, draft):
    url = f"/api/timesheets/{draft.pk}"
    data(api.patch(url, {"note": "Hallo"}, format="json"))
    kept = data(api.patch(url, {}, format="json"))
    assert (kept["note"], kept["total_minutes"]) == ("Hallo", 480)
    monday = str(draft.week_start)
    replaced = data(api.patch(url, {"entries": [{"date": monday, "hours": 2, "activity": "Neu"}]}, format="json"))
    assert [(e["activity"], e["minutes"]) for e in replaced["entries"]] == [("Neu", 120)]
    assert replaced["note"] == "Hallo" and replaced["total_minutes"] == 120


def test_put_replaces_note_and_entries(api, draft):
    url = f"/api/timesheets/{draft.pk}"
    data(api.patch(url, {"note": "Hallo"}, format="json"))
    replaced = data(api.put(url, {"entries": []}, format="json"))
    assert (replaced["note"], replaced["entries"], replaced["total_minutes"]) == ("", [], 0)


@pytest.mark.parametrize("field", ["year", "week"])
def test_the_week_of_a_report_does_not_change(api, draft, field):
    error(api.patch(f"/api/timesheets/{draft.pk}", {field: 1}, format="json"), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "body",
    [
        {"created_at": "2020-01-01T00:00:00Z", "status": "approved", "total_minutes": 9999, "user": "admin"},
        {"approved_by": "admin", "submitted_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_server_owned_fields_are_never_taken_from_input(api, draft, body):
    result = data(api.patch(f"/api/timesheets/{draft.pk}", body, format="json"))
    assert (result["status"], result["total_minutes"], result["user"], result["approved_by"]) == (
        "draft", 480, draft.user.username, None)  # fmt: skip


def test_entries_crud(api, draft, employee):
    base = f"/api/timesheets/{draft.pk}/entries"
    listing = data(api.get(base))
    assert listing["count"] == 1
    ticket = TicketFactory(department=draft.department, created_by=draft.user, title="Presse warten")
    tuesday = str(draft.week_start + datetime.timedelta(days=1))
    made = data(api.post(base, {"date": tuesday, "start_time": "07:00", "end_time": "11:15", "break_minutes": 15,
                                "activity": "Presse", "ticket": ticket.ticket_number}, format="json"), 201)  # fmt: skip
    assert (made["minutes"], made["hours"], made["ticket"], made["ticket_title"]) == (
        240, "4.00", ticket.ticket_number, "Presse warten")  # fmt: skip
    entry_url = f"{base}/{made['id']}"
    assert data(api.get(entry_url))["activity"] == "Presse"
    patched = data(api.patch(entry_url, {"end_time": "12:15"}, format="json"))
    assert (patched["minutes"], patched["ticket"]) == (300, ticket.ticket_number)
    put = data(api.put(entry_url, {"date": tuesday, "hours": 1, "activity": "Kurz"}, format="json"))
    assert (put["start_time"], put["minutes"], put["ticket"], put["break_minutes"]) == (None, 60, None, 0)
    assert data(api.get(f"/api/timesheets/{draft.pk}"))["days"][1]["minutes"] == 60
    assert api.delete(entry_url).status_code == 204
    error(api.get(entry_url), 404, "NOT_FOUND")
    assert data(api.get(f"/api/timesheets/{draft.pk}"))["total_minutes"] == 480
    history = data(api.get(f"/api/timesheets/{draft.pk}/history"))["results"]
    assert history[0]["changes"]["entries"][1] is None  # the newest: the removal


def test_entries_of_another_report_are_not_found(api, draft, owner):
    other = TimesheetFactory(user=owner, year=weeks_ago(3)[0], week=weeks_ago(3)[1])
    foreign = other.entries.get()
    error(api.get(f"/api/timesheets/{draft.pk}/entries/{foreign.pk}"), 404, "NOT_FOUND")
    error(api.delete(f"/api/timesheets/{draft.pk}/entries/{foreign.pk}"), 404, "NOT_FOUND")
    assert other.entries.count() == 1


def test_filters(api_for, employee, department):
    people = [UserFactory(username=f"p{i}", default_department=department, timesheet_enabled=True) for i in range(3)]
    made = {}
    for i, person in enumerate(people):
        for back, status in ((1, "submitted"), (2, "approved"), (3, "draft")):
            year, week = weeks_ago(back)
            made[(i, back)] = TimesheetFactory(user=person, year=year, week=week, status=status)
    api = api_for(employee)
    year, week = weeks_ago(1)
    assert data(api.get(f"/api/timesheets?year={year}&week={week}"))["count"] == 3
    assert data(api.get("/api/timesheets?status=submitted&status=approved"))["count"] == 6
    assert data(api.get("/api/timesheets?user=p1"))["count"] == 3
    assert data(api.get("/api/timesheets?user=p1&status=draft"))["results"][0]["id"] == made[(1, 3)].pk
    assert data(api.get("/api/timesheets?user=me"))["count"] == 0
    assert data(api.get("/api/timesheets?search=p2"))["count"] == 3
    since = datetime.date.fromisocalendar(*weeks_ago(2), 1)
    assert data(api.get(f"/api/timesheets?since={since}"))["count"] == 6
    ordered = data(api.get("/api/timesheets?ordering=year,week&page_size=2"))
    assert ordered["count"] == 9 and ordered["next"]
    assert [r["week"] for r in ordered["results"]] == [weeks_ago(3)[1]] * 2
    error(api.get("/api/timesheets?status=done"), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "query",
    ["year=abc", "week=1e999", "year=99999999999999999999", "user=%00", "since=x", "ordering=nope", "page=999",
     "week=-1", "page_size=100000", "department=%00"],
)  # fmt: skip
def test_malformed_queries_never_500(api, draft, query):
    assert api.get(f"/api/timesheets?{query}").status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        {"date": "not-a-date", "hours": 1, "activity": "x"},
        {"date": "{monday}", "hours": "abc", "activity": "x"},
        {"date": "{monday}", "hours": 1e308, "activity": "x"},
        {"date": "{monday}", "start_time": "25:00", "end_time": "26:00", "activity": "x"},
        {"date": "{monday}", "hours": 1, "activity": "x" * 300},
        {"date": "{monday}", "hours": 1, "activity": "a\x00b"},
        {"date": "{monday}", "hours": 1, "activity": "x", "ticket": "x" * 50},
        {"date": "{monday}", "minutes": 99999, "activity": "x"},
        {"date": "{monday}", "break_minutes": -1, "hours": 1, "activity": "x"},
        [],
        "text",
    ],
)
def test_malformed_entries_are_400(api, draft, body):
    if isinstance(body, dict):
        body = {key: value.format(monday=draft.week_start) if key == "date" else value for key, value in body.items()}
    response = api.post(f"/api/timesheets/{draft.pk}/entries", body, format="json")
    error(response, 400, "VALIDATION_ERROR")
    assert Timesheet.objects.get(pk=draft.pk).total_minutes == 480


@pytest.mark.parametrize("pk", ["0", "999999", "99999999999999999999", "abc"])
def test_unknown_reports_are_404(api, pk):
    error(api.get(f"/api/timesheets/{pk}"), 404, "NOT_FOUND")
    error(api.post(f"/api/timesheets/{pk}/submit"), 404, "NOT_FOUND")


def test_anonymous_is_401(client, draft):
    response = client.get("/api/timesheets")
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"


def test_schema_describes_the_timesheet_paths(client, admin_user):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path in ("/api/timesheets", "/api/timesheets/{id}", "/api/timesheets/{id}/submit",
                 "/api/timesheets/{id}/approve", "/api/timesheets/{id}/reject", "/api/timesheets/{id}/pdf",
                 "/api/timesheets/{id}/entries", "/api/timesheets/{id}/entries/{entry_id}"):  # fmt: skip
        assert path in schema["paths"], path
    assert "application/pdf" in schema["paths"]["/api/timesheets/{id}/pdf"]["get"]["responses"]["200"]["content"]


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow(api_for, employee, department, django_assert_max_num_queries, count):
    people = [UserFactory(username=f"q{i}", default_department=department, timesheet_enabled=True)
              for i in range(count // 3)]  # fmt: skip
    for person in people:
        for back in (1, 2, 3):
            year, week = weeks_ago(back)
            TimesheetFactory(user=person, year=year, week=week, status="approved" if back > 1 else "submitted")
    api = api_for(employee)
    with django_assert_max_num_queries(6):
        assert data(api.get("/api/timesheets?page_size=100"))["count"] == count


def test_detail_query_count_does_not_grow_with_entries(api, owner, django_assert_max_num_queries):
    monday = datetime.date.fromisocalendar(*weeks_ago(1), 1)
    many = [{"date": monday + datetime.timedelta(days=n % 7), "hours": "0.5", "activity": f"Teil {n}"}
            for n in range(40)]  # fmt: skip
    timesheet = TimesheetFactory(user=owner, entries=many)
    with django_assert_max_num_queries(6):
        assert len(data(api.get(f"/api/timesheets/{timesheet.pk}"))["entries"]) == 40


def test_participants_keep_timesheets_too(api_for, department):
    # A participant (the smallest role) keeps timesheets just like everyone else.
    trainee = UserFactory(role=Role.PARTICIPANT, default_department=department, timesheet_enabled=True)
    created = data(api_for(trainee).post("/api/timesheets", {"year": timezone.localdate().year - 1, "week": 5},
                                         format="json"), 201)  # fmt: skip
    assert created["user"] == trainee.username
