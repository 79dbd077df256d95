import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations import services
from integrations.models import Source, SyncRun
from integrations.sources import source_configured
from scandy_site.core.errors import ApplicationError

CHOICES = [*Source.values, "all"]


class _Bars:
    """One progress bar per record type, on a terminal only."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars: dict[str, tqdm] = {}

    def __call__(self, entity: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(entity)
        if bar is None:
            bar = self.bars[entity] = tqdm(desc=entity, total=total, unit=" records", file=sys.stderr, leave=False)
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


class Command(BaseCommand):
    help = (
        "Sync now from ThingsBoard (customers, devices), the shop (products, orders) or both. Prints one "
        "summary line: created=N updated=N unchanged=N preserved=N conflicts=N deleted=N failed=N."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=CHOICES, help="thingsboard, shop or all")
        parser.add_argument("--dry-run", action="store_true", help="fetch and compare, write nothing")
        parser.add_argument("--user", help="run as this user (their own ThingsBoard credentials, when stored)")

    def handle(self, *args, source, dry_run, user=None, **options):
        actor = self._user(user)
        sources = Source.values if source == "all" else [source]
        bars = _Bars(enabled=sys.stderr.isatty())
        totals = dict.fromkeys(SyncRun.COUNTS, 0)
        problems = []
        for name in sources:
            if source == "all" and not source_configured(name):
                self.stderr.write(f"{name}: not configured, skipped")
                continue
            try:
                run = services.sync_now(
                    source=name, trigger=SyncRun.Trigger.COMMAND, user=actor, dry_run=dry_run, progress=bars
                )
            except ApplicationError as exc:
                problems.append(f"{name}: {exc.message}")
                continue
            finally:
                bars.close()
            for key, value in run.counts().items():
                totals[key] += value
            seconds = f", {run.duration_seconds:.1f} s" if run.duration_seconds is not None else ""
            dry = " (dry run: nothing written)" if run.dry_run else ""
            self.stderr.write(f"{name}: {run.status} (run #{run.pk}{seconds}){dry}")
            if run.status == SyncRun.Status.FAILED:
                problems.append(f"{name}: {run.message}")
            for error in run.errors[:10]:
                self.stderr.write(f"  skipped {error['entity']} {error['remote_id'] or '?'}: {error['message']}")
        self.stdout.write(" ".join(f"{key}={value}" for key, value in totals.items()))
        if problems:
            raise CommandError("; ".join(problems))

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
