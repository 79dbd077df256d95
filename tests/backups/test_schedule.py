"""The daily backup + prune is a django-q2 schedule like every other (core/schedules.py)."""

import datetime

import pytest
from django.utils import timezone
from django_q.models import Schedule

from scandy_site.backups import services, storage
from scandy_site.backups.tasks import daily_backup
from scandy_site.core.schedules import ensure_schedules


@pytest.mark.django_db
def test_the_daily_backup_is_scheduled_at_the_backup_hour(settings):
    settings.BACKUP_HOUR = 3
    Schedule.objects.filter(name="daily-backup").delete()
    ensure_schedules()
    schedule = Schedule.objects.get(name="daily-backup")
    assert schedule.func == "scandy_site.backups.tasks.daily_backup"
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
    assert timezone.localtime(schedule.next_run).hour == 3


@pytest.mark.django_db
def test_the_task_backs_up_and_prunes(backup_dirs, settings):
    old = timezone.make_aware(datetime.datetime(2020, 1, 6, 4))  # a Monday: days 0-6 and 7-9 are two ISO weeks
    for days in range(10):
        name = storage.build_name(settings.SCANDY_INSTANCE, old + datetime.timedelta(days=days))
        (backup_dirs.backups / name).write_bytes(b"old")
    name = daily_backup()
    names = [info.name for info in services.backup_list()]
    assert names[0] == name
    assert services.backup_verify(source=name).ok
    # Daily: today and Jan 10-15 (seven days with backups); the newest of their weeks and month are
    # among them, so Jan 6-9 go.
    assert len(names) == 7
    assert names[-1] == "scandy-backup-main-20200110-040000.zip"
