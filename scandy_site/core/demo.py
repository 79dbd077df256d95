"""A demo data set to try Scandy out (`manage.py seed_demo`).

Everything is created through the services, so barcodes, history, stock movements and lendings are
exactly what real use would leave: workers, tools (available, defective, in maintenance), consumables
with 90 days of deliveries and issues to workers, and lendings of each kind: returned ones over the
past weeks (a few of them late), open ones within their due date, and overdue ones for the dashboard
and the reminder mails. Lendings and issues are moved back in time after the service made them.
Running it again creates only what is missing: records are recognised by their fixed demo barcodes
and user names, lendings by their department already having demo lendings. The random choices are
seeded per record, so a second run would make the same choices. Tickets carry the tag "demo"; a
second run adds only the missing ones.
"""

import datetime
import random
import secrets
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from integrations.demo import seed_integrations
from inventory import services as inventory_services
from inventory.models import BarcodeRegistration, StockMovement, Tool
from lending import services as lending_services
from lending.models import Lending, Worker
from scandy_site.accounts.models import Department
from scandy_site.accounts.roles import Role

from .setup_state import setup_complete


@dataclass(frozen=True)
class DemoSize:
    tools: int
    consumables: int
    workers: int
    movements_per_consumable: tuple[int, int]
    tickets: int
    # Lendings per department: (returned, open within the due date, overdue).
    lendings: tuple[int, int, int]


SIZES = {
    "small": DemoSize(
        tools=40, consumables=25, workers=15, movements_per_consumable=(8, 20), tickets=30, lendings=(12, 4, 2)
    ),
    "large": DemoSize(
        tools=2000, consumables=500, workers=300, movements_per_consumable=(4, 10), tickets=500, lendings=(600, 150, 40)
    ),
}
HISTORY_DAYS = 90

DEPARTMENTS = (("werkstatt", "Werkstatt"), ("elektro", "Elektrowerkstatt"))
CATEGORIES = ("Elektrowerkzeug", "Handwerkzeug", "Messtechnik", "Druckluft", "Arbeitsschutz")
LOCATIONS = ("Lager", "Werkstatt", "Regal A", "Regal B", "Servicewagen")
USERS = (
    ("demo-employee", Role.EMPLOYEE, "Erika", "Mustermann"),
    ("demo-user", Role.USER, "Max", "Mustermann"),
    ("demo-participant", Role.PARTICIPANT, "Paula", "Praktikantin"),
)
ADMIN = ("demo-admin", Role.ADMIN, "Ada", "Admin")

TOOL_NAMES = (
    "Akkuschrauber Makita DDF484", "Bohrhammer Bosch GBH 2-28", "Winkelschleifer Metabo W 9-125",
    "Stichsäge Festool PSB 420", "Multimeter Fluke 117", "Zange Knipex Cobra", "Drehmomentschlüssel Hazet 5122",
    "Laser-Entfernungsmesser Leica Disto", "Heißluftpistole Steinel HL 2020", "Lötstation Weller WE 1010",
    "Schlagschrauber Milwaukee M18", "Kappsäge DeWalt DWS780", "Druckluft-Tacker Prebena", "Oszilloskop Rigol DS1054",
    "Kabeltrommel 50 m", "Leiter Hymer 3x9", "Wasserwaage Stabila 80 cm", "Industriesauger Kärcher NT 30",
    "Spannungsprüfer Benning DUSPOL", "Schweißgerät Lorch MicorMIG",
)  # fmt: skip
CONSUMABLE_NAMES = (
    ("Schrauben 4x40", "Stk"), ("Dübel 6 mm", "Stk"), ("Kabelbinder 200 mm", "Stk"),
    ("Arbeitshandschuhe Gr. 9", "Paar"), ("Schleifpapier K120", "Blatt"), ("Isolierband schwarz", "Rolle"),
    ("Kriechöl WD-40", "Dose"), ("HSS-Bohrer 8 mm", "Stk"), ("Gewebeband silber", "Rolle"), ("Batterien AA", "Stk"),
    ("Trennscheiben 125 mm", "Stk"), ("Aderendhülsen 1,5 mm²", "Stk"), ("Gehörschutzstöpsel", "Paar"),
    ("Lötzinn 1 mm", "Rolle"), ("Schutzbrillen", "Stk"),
)  # fmt: skip
SUPPLIERS = ("Würth", "Hoffmann Group", "Conrad", "Mercateo", "Reichelt")
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas", "Kemal", "Lena", "Mia",
    "Noah", "Olga", "Paul", "Rosa", "Sven", "Tara", "Umut", "Vera", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Yılmaz", "Kowalski", "Novak", "Braun",
)  # fmt: skip
TOOL_STATUSES = ((Tool.Status.AVAILABLE, 75), (Tool.Status.DEFECTIVE, 10), (Tool.Status.MAINTENANCE, 15))


@dataclass
class DemoResult:
    departments: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, password) of new users
    tools: int = 0
    consumables: int = 0
    movements: int = 0
    workers: int = 0
    tickets: int = 0
    timesheets: int = 0
    jobs: int = 0
    lendings: int = 0
    integration_records: int = 0  # demo customers, devices, products, orders (ids start with "demo-")

    def summary(self) -> str:
        return (
            f"departments={self.departments} users={len(self.users)} tools={self.tools} "
            f"consumables={self.consumables} stock_movements={self.movements} workers={self.workers} "
            f"tickets={self.tickets} timesheets={self.timesheets} jobs={self.jobs} lendings={self.lendings} "
            f"integration_records={self.integration_records}"
        )


def _rng(kind: str, number: int) -> random.Random:
    # Seeded per record: the same record gets the same values in every run.
    return random.Random(f"scandy-demo-{kind}-{number}")


def _progress(iterable, *, enabled: bool, desc: str):
    return tqdm(iterable, desc=desc, disable=not enabled, file=sys.stderr, leave=False)


@transaction.atomic
def seed_demo(*, size: str = "small", progress: bool = False) -> DemoResult:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}")
    plan = SIZES[size]
    result = DemoResult()
    departments = _departments(result)
    refs = {d.pk: _categories_and_locations(d) for d in departments}
    _users(result, departments)
    taken = _taken_barcodes(departments)
    workers = _workers(result, plan, departments, taken, progress)
    _tools(result, plan, departments, refs, taken, progress)
    _consumables(result, plan, departments, refs, taken, workers, progress)
    _lendings(result, plan, departments, workers, progress)
    _tickets(result, plan, departments, progress)
    _timesheets(result)
    _jobs(result, departments)
    result.integration_records = seed_integrations()
    return result


def _departments(result: DemoResult) -> list[Department]:
    departments = []
    for code, name in DEPARTMENTS:
        department, created = Department.objects.get_or_create(code=code, defaults={"name": name})
        result.departments += created
        departments.append(department)
    return departments


def _categories_and_locations(department) -> dict:
    return {
        "category": [inventory_services.category_get_or_create(department=department, name=n) for n in CATEGORIES],
        "location": [inventory_services.location_get_or_create(department=department, name=n) for n in LOCATIONS],
    }


def _users(result: DemoResult, departments) -> None:
    wanted = list(USERS)
    if not setup_complete():
        # Without the setup wizard there is no administrator yet; the demo brings one.
        wanted.insert(0, ADMIN)
    users = get_user_model().objects
    for username, role, first_name, last_name in wanted:
        if users.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(12)
        user = users.create_user(
            username=username,
            email=f"{username}@example.org",
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            default_department=departments[0],
            timesheet_enabled=True,
        )
        user.departments.add(*(departments[:1] if role == Role.PARTICIPANT else departments))
        result.users.append((username, str(role), password))


def _taken_barcodes(departments) -> dict[int, set[str]]:
    taken = {d.pk: set() for d in departments}
    for department_id, barcode in BarcodeRegistration.objects.filter(department__in=departments).values_list(
        "department_id", "barcode"
    ):
        taken[department_id].add(barcode)
    return taken


def _workers(result, plan, departments, taken, progress) -> dict[int, list[Worker]]:
    for number in _progress(range(1, plan.workers + 1), enabled=progress, desc="workers"):
        department = departments[number % len(departments)]
        barcode = f"DW-{number:04d}"
        if barcode in taken[department.pk]:
            continue
        rng = _rng("worker", number)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        lending_services.worker_create(
            department=department,
            user=None,
            barcode=barcode,
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}.{number}@example.org",
            active=rng.random() > 0.1,
        )
        result.workers += 1
    workers: dict[int, list[Worker]] = {d.pk: [] for d in departments}
    for worker in Worker.objects.alive().filter(department__in=departments, active=True, barcode__startswith="DW-"):
        workers[worker.department_id].append(worker)
    return workers


def _ascii(name: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i")):
        name = name.replace(umlaut, plain).replace(umlaut.upper(), plain.capitalize())
    return name.lower()


def _tools(result, plan, departments, refs, taken, progress) -> None:
    today = timezone.localdate()
    statuses, weights = zip(*TOOL_STATUSES, strict=True)
    for number in _progress(range(1, plan.tools + 1), enabled=progress, desc="tools"):
        department = departments[number % len(departments)]
        barcode = f"DT-{number:04d}"
        if barcode in taken[department.pk]:
            continue
        rng = _rng("tool", number)
        base_name = TOOL_NAMES[(number - 1) % len(TOOL_NAMES)]
        copy = (number - 1) // len(TOOL_NAMES) + 1
        inventory_services.tool_create(
            department=department,
            user=None,
            barcode=barcode,
            name=base_name if copy == 1 else f"{base_name} ({copy})",
            category=rng.choice(refs[department.pk]["category"]),
            location=rng.choice(refs[department.pk]["location"]),
            status=rng.choices(statuses, weights=weights)[0],
            condition=rng.choice(Tool.Condition.values),
            serial_number=f"SN-{rng.randint(100000, 999999)}",
            purchase_date=today - datetime.timedelta(days=rng.randint(30, 5 * 365)),
            purchase_price=Decimal(rng.randint(1500, 150000)) / 100,
            # Some due dates lie in the past, so the dashboard has maintenance to show.
            maintenance_due=today + datetime.timedelta(days=rng.randint(-30, 180)) if rng.random() < 0.3 else None,
        )
        result.tools += 1


def _consumables(result, plan, departments, refs, taken, workers, progress) -> None:
    for number in _progress(range(1, plan.consumables + 1), enabled=progress, desc="consumables"):
        department = departments[number % len(departments)]
        barcode = f"DC-{number:04d}"
        if barcode in taken[department.pk]:
            continue
        rng = _rng("consumable", number)
        base_name, unit = CONSUMABLE_NAMES[(number - 1) % len(CONSUMABLE_NAMES)]
        copy = (number - 1) // len(CONSUMABLE_NAMES) + 1
        min_stock = rng.randint(5, 30)
        events = _stock_events(rng, min_stock=min_stock, plan=plan)
        consumable = inventory_services.consumable_create(
            department=department,
            user=None,
            barcode=barcode,
            name=base_name if copy == 1 else f"{base_name} ({copy})",
            unit=unit,
            category=rng.choice(refs[department.pk]["category"]),
            location=rng.choice(refs[department.pk]["location"]),
            min_stock=min_stock,
            max_stock=min_stock * 4 if rng.random() < 0.7 else None,
            cost_per_unit=Decimal(rng.randint(5, 5000)) / 100,
            supplier=rng.choice(SUPPLIERS),
            current_stock=events.initial,
        )
        result.consumables += 1
        now = timezone.now()
        # The initial stock was booked just now; move it to the start of the demo history.
        initial = consumable.movements.order_by("id").first()
        if initial is not None:
            StockMovement.objects.filter(pk=initial.pk).update(created_at=now - datetime.timedelta(days=HISTORY_DAYS))
            result.movements += 1
        for days_ago, delta in events.moves:
            worker = rng.choice(workers[department.pk]) if delta < 0 and workers[department.pk] else None
            if worker is not None:
                # Handed out at the scan station, as QuickScan does.
                movement = lending_services.consumable_issue(
                    consumable=consumable, worker=worker, user=None, quantity=-delta
                )
            else:
                movement = inventory_services.consumable_adjust_stock(
                    consumable=consumable,
                    user=None,
                    delta=delta,
                    reason=_("Used in the workshop") if delta < 0 else _("Delivery"),
                    kind=StockMovement.Kind.ADJUSTMENT if delta < 0 else StockMovement.Kind.RECEIPT,
                )
            when = now - datetime.timedelta(days=days_ago, minutes=rng.randint(0, 600))
            StockMovement.objects.filter(pk=movement.pk).update(created_at=when)
            result.movements += 1


def _lendings(result, plan, departments, workers, progress) -> None:
    """Per department: returned lendings spread over the history (one tool at a time, a few late), open ones
    within their due date, and overdue ones. Each is made by `lending_checkout` (and `lending_return`), then
    moved back in time."""
    returned, still_open, overdue = plan.lendings
    for department in departments:
        people = workers[department.pk]
        if not people or Lending.objects.filter(department=department, tool__barcode__startswith="DT-").exists():
            continue
        rng = _rng("lending", department.code)
        tools = list(
            Tool.objects.alive()
            .filter(department=department, status=Tool.Status.AVAILABLE, barcode__startswith="DT-")
            .order_by("barcode")
        )
        rng.shuffle(tools)
        # Tools out now have no returned lendings; the others carry the history.
        out, home = tools[: still_open + overdue], tools[still_open + overdue :]
        kinds = ["open"] * still_open + ["overdue"] * overdue
        for tool, kind in _progress(
            list(zip(out, kinds, strict=False)), enabled=progress, desc=f"lendings {department.code}"
        ):
            _demo_lending(rng, tool, rng.choice(people), kind=kind)
            result.lendings += 1
        # Days ago before which each tool is free for an earlier returned lending.
        free_until = {tool.pk: HISTORY_DAYS for tool in home}
        for number in _progress(range(returned if home else 0), enabled=progress, desc=f"history {department.code}"):
            tool = home[number % len(home)]
            if _demo_lending(rng, tool, rng.choice(people), kind="returned", free_until=free_until):
                result.lendings += 1


def _demo_lending(rng, tool, worker, *, kind: str, free_until: dict | None = None) -> bool:
    now, today = timezone.now(), timezone.localdate()
    period = rng.choice((3, 7, 7, 14))
    if kind == "returned":
        # Kept a little shorter than the period, or (one in five) a few days too long.
        kept = period + rng.randint(1, 4) if rng.random() < 0.2 else rng.randint(1, period)
        latest_start = free_until[tool.pk] - 1
        if latest_start < kept + 1:
            return False  # this tool's history is full
        start = rng.randint(kept + 1, latest_start)
        free_until[tool.pk] = start - kept
    lending = lending_services.lending_checkout(tool=tool, worker=worker, user=None)
    if kind == "returned":
        lending_services.lending_return(tool=tool, user=None)
        lent_at = now - datetime.timedelta(days=start, hours=rng.randint(0, 8))
        Lending.objects.filter(pk=lending.pk).update(
            lent_at=lent_at, due_date=timezone.localdate(lent_at) + datetime.timedelta(days=period),
            returned_at=lent_at + datetime.timedelta(days=kept, hours=rng.randint(0, 6)),
        )  # fmt: skip
    elif kind == "overdue":
        late = rng.randint(1, 12)
        Lending.objects.filter(pk=lending.pk).update(
            lent_at=now - datetime.timedelta(days=late + period), due_date=today - datetime.timedelta(days=late)
        )
    else:
        Lending.objects.filter(pk=lending.pk).update(
            lent_at=now - datetime.timedelta(days=rng.randint(0, period - 1)),
            due_date=today + datetime.timedelta(days=rng.randint(1, period)),
        )
    return True


@dataclass
class _StockPlan:
    initial: int
    moves: list[tuple[int, int]]  # (days ago, signed quantity), oldest first


def _stock_events(rng: random.Random, *, min_stock: int, plan: DemoSize) -> _StockPlan:
    """Issues spread over the history, deliveries when the stock would run out; about a quarter of
    the consumables end below their minimum stock."""
    initial = rng.randint(min_stock * 2, min_stock * 4)
    stock = initial
    moves: list[tuple[int, int]] = []
    count = rng.randint(*plan.movements_per_consumable)
    for days_ago in sorted((rng.randint(2, HISTORY_DAYS - 1) for _n in range(count)), reverse=True):
        quantity = rng.randint(1, max(1, min_stock // 3))
        if stock - quantity < 0:
            delivery = min_stock * 3
            moves.append((days_ago, delivery))
            stock += delivery
        moves.append((days_ago, -quantity))
        stock -= quantity
    if rng.random() < 0.25:
        if stock >= min_stock:
            target = rng.randint(0, min_stock - 1)
            moves.append((1, target - stock))
    elif stock < min_stock:
        moves.append((1, min_stock * 2 - stock))
    return _StockPlan(initial=initial, moves=moves)


TICKET_TOPICS = (
    ("general", "Hydraulikpresse verliert Öl", "Unter der Presse steht eine Öllache."),
    ("general", "Licht in Halle 2 flackert", "Die Leuchtstoffröhren über der Drehbank flackern."),
    ("material", "Schleifpapier K120 nachbestellen", "Nur noch zwei Packungen im Regal B."),
    ("material", "Neue Arbeitshandschuhe Gr. 10", "Für die neuen Auszubildenden."),
    ("order", "Tor der Hausverwaltung schweißen", "Scharnier am Hoftor gebrochen."),
    ("order", "Regale für die Kita montieren", "Drei Wandregale, Material wird gestellt."),
    ("order", "Anhängerkupplung prüfen", "TÜV-Vorbereitung für den Vereinsanhänger."),
    ("general", "Absaugung zu laut", "Seit Montag deutlich lauter als sonst."),
)  # fmt: skip
TICKET_STATUS_PATHS = (
    (), ("assigned",), ("assigned", "in_progress"), ("assigned", "in_progress", "resolved"),
    ("assigned", "in_progress", "resolved", "closed"),
)  # fmt: skip
TICKET_CLIENTS = ("Hausverwaltung Süd", "Kita Sonnenschein", "Schützenverein 1898", "Bäckerei Korn")


def _tickets(result, plan, departments, progress) -> None:
    from tickets import services as ticket_services
    from tickets.models import Ticket

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in USERS])}
    staff, worker, participant = (users.get(name) for name in ("demo-employee", "demo-user", "demo-participant"))
    if staff is None:
        return
    existing = Ticket.objects.filter(tags__name="demo").count()
    today = timezone.localdate()
    for number in _progress(range(existing + 1, plan.tickets + 1), enabled=progress, desc="tickets"):
        rng = _rng("ticket", number)
        category, title, description = TICKET_TOPICS[(number - 1) % len(TICKET_TOPICS)]
        creator = rng.choice([u for u in (staff, worker, participant) if u is not None])
        department = departments[0] if creator == participant else departments[number % len(departments)]
        order = None
        if category == "order":
            order = {"client_type": rng.choice(["internal", "external"]), "client_name": rng.choice(TICKET_CLIENTS),
                     "contact_name": "Frau Berg", "contact_email": "kontakt@example.org",
                     "completion_date": today + datetime.timedelta(days=rng.randint(5, 40))}  # fmt: skip
        ticket = ticket_services.ticket_create(
            department=department, user=creator, title=title, description=description, category=category,
            priority=rng.choice(["low", "normal", "normal", "high", "critical"]), order=order,
            due_date=today + datetime.timedelta(days=rng.randint(-10, 30)) if rng.random() < 0.6 else None,
            estimated_hours=Decimal(rng.randint(1, 16)) / 2, tags=["demo", rng.choice(["halle-1", "halle-2", "lager"])],
        )  # fmt: skip
        path = rng.choice(TICKET_STATUS_PATHS)
        if path:
            assignee = staff if worker is None or rng.random() < 0.5 else worker
            ticket_services.ticket_assign(ticket=ticket, user=staff, assignee=assignee)
            for status in path[1:]:
                ticket_services.ticket_transition(ticket=ticket, user=staff, status=status)
        ticket_services.ticket_add_message(ticket=ticket, user=creator, body=_("Please have a look."))
        if rng.random() < 0.5:
            ticket_services.ticket_add_message(ticket=ticket, user=staff, body=_("We are on it."))
        if rng.random() < 0.3:
            ticket_services.ticket_add_message(ticket=ticket, user=staff, body=_("Spare part ordered."), internal=True)
        if category == "order" and path:
            hours = Decimal(rng.randint(1, 8)) / 2
            ticket_services.ticket_work_line_add(
                ticket=ticket, user=staff, work=_("Inspection"), hours=hours, service_category="Service"
            )
            ticket_services.ticket_material_line_add(
                ticket=ticket, user=staff, material="Schrauben M8", quantity=rng.randint(4, 20), unit_price="0.35"
            )
        result.tickets += 1


# Weekly reports of the demo users: four weeks back to this one, each week further along the workflow.
TIMESHEET_WEEKS = ("approved", "approved", "rejected", "submitted", "draft")  # 4 weeks ago … this week
TIMESHEET_ACTIVITIES = (
    "Wartung Kompressor", "Werkzeugausgabe", "Montage Regalsystem", "Inventur Verbrauchsmaterial",
    "Reparatur Bandsäge", "Einweisung Schweißgerät", "Aufräumen Werkstatt", "Prüfung Leitern",
)  # fmt: skip


def _timesheets(result) -> None:
    """Weeks for the demo users through the services: approved, rejected (with a reason), submitted, and the
    current week as a draft filled up to today. A second run adds only missing weeks."""
    from timesheets import services as timesheet_services
    from timesheets.models import Timesheet

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in USERS])}
    approver = users.get("demo-employee")
    admin = get_user_model().objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
    today = timezone.localdate()
    for number, user in enumerate(users[name] for name in sorted(users)):
        if not user.timesheet_enabled or user.default_department is None:
            continue
        reviewer = admin if user == approver else approver
        for back, status in enumerate(reversed(TIMESHEET_WEEKS)):
            monday = today - datetime.timedelta(days=today.weekday(), weeks=back)
            year, week, _day = monday.isocalendar()
            if Timesheet.objects.filter(user=user, year=year, week=week).exists():
                continue
            rng = _rng(f"timesheet-{number}", year * 100 + week)
            last_day = min(4, (today - monday).days)
            entries = []
            for day in range(last_day + 1):
                date = monday + datetime.timedelta(days=day)
                if user.role == Role.PARTICIPANT and day == 2:
                    entries.append({"date": date, "hours": Decimal("8"), "activity": "Berufsschule"})
                    continue
                start = datetime.time(7, rng.choice((0, 15, 30)))
                entries.append({"date": date, "start_time": start, "end_time": datetime.time(12, 0),
                                "activity": rng.choice(TIMESHEET_ACTIVITIES)})  # fmt: skip
                entries.append({"date": date, "start_time": datetime.time(12, 30),
                                "end_time": datetime.time(rng.choice((15, 16, 16)), rng.choice((0, 30))),
                                "activity": rng.choice(TIMESHEET_ACTIVITIES)})  # fmt: skip
            timesheet = timesheet_services.timesheet_create(
                user=None, owner=user, department=user.default_department, year=year, week=week, entries=entries
            )
            result.timesheets += 1
            if status == "draft" or reviewer is None:
                continue
            timesheet_services.timesheet_submit(timesheet=timesheet, user=user)
            if status == "approved":
                timesheet_services.timesheet_approve(timesheet=timesheet, user=reviewer)
            elif status == "rejected":
                timesheet_services.timesheet_reject(
                    timesheet=timesheet, user=reviewer, reason=_("Please enter the breaks of Tuesday and Thursday.")
                )


# Per department: (title, employment type, status, place of work, description). German, like the other demo data.
JOB_OFFERS = (
    ("Ausbildung Industriemechaniker/in", "apprenticeship", "published", "Werkstatt",
     "Dreieinhalb Jahre Ausbildung in Metallbearbeitung, Montage und Instandhaltung. Start am 1. September."),
    ("Praktikum Elektrotechnik", "internship", "published", "Elektrowerkstatt",
     "Sechs Wochen Praktikum: Schaltschrankbau, Prüfen nach DGUV V3, Messtechnik."),
    ("Werkstatthelfer/in (Minijob)", "mini_job", "draft", "Lager",
     "Ausgabe und Rücknahme von Werkzeug, Ordnung im Lager, Inventur."),
)  # fmt: skip


def _jobs(result, departments) -> None:
    """Job offers in every department through the services (two published, one draft) and one application
    by the demo participant. A second run adds only offers whose title is missing in a department."""
    from jobs import services as job_services
    from jobs.models import Job, JobApplication

    staff = get_user_model().objects.filter(username="demo-employee").first()
    applicant = get_user_model().objects.filter(username="demo-participant").first()
    if staff is None:
        return
    for department in departments:
        existing = set(Job.objects.filter(department=department).values_list("title", flat=True))
        for title, employment_type, status, location, description in JOB_OFFERS:
            if title in existing:
                continue
            job = job_services.job_create(
                department=department, user=staff, title=title, description=description, location=location,
                employment_type=employment_type, status=status, contact_email=f"jobs-{department.code}@example.org",
                closing_date=timezone.localdate() + datetime.timedelta(days=60),
            )  # fmt: skip
            result.jobs += 1
            applies = (
                applicant is not None
                and status == "published"
                and applicant.departments.filter(pk=department.pk).exists()
            )
            if applies and not JobApplication.objects.filter(applicant=applicant).exists():
                job_services.application_create(
                    job=job, user=applicant, message="Ich interessiere mich sehr für diese Stelle.", phone=""
                )
