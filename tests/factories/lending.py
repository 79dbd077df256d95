"""Factory for lendings, made by the services exactly as at QuickScan."""

import datetime

import factory
from django.conf import settings
from django.utils import timezone

from lending import services as lending_services
from lending.models import Lending

from . import DepartmentFactory, ToolFactory, WorkerFactory


def backdate(lending: Lending, *, days_overdue: int) -> Lending:
    """Make an open or returned lending `days_overdue` days past its due date. The service refuses a due date
    in the past, so time is moved instead: lent a lending period before that due date."""
    due = timezone.localdate() - datetime.timedelta(days=days_overdue)
    lent_at = timezone.now() - datetime.timedelta(days=days_overdue + settings.DEFAULT_LENDING_DAYS)
    Lending.objects.filter(pk=lending.pk).update(due_date=due, lent_at=lent_at)
    lending.due_date, lending.lent_at = due, lent_at
    return lending


class LendingFactory(factory.django.DjangoModelFactory):
    """`LendingFactory(department=d)`: a new tool lent to a new worker of `d` by `lending_checkout` (tool
    locked, status "lent", history rows). Pass `tool=` and `worker=` of one department to lend those.
    `overdue_days=3` backdates it to three days overdue; `returned=True` takes the tool back (`lending_return`)."""

    class Meta:
        model = Lending
        skip_postgeneration_save = True

    class Params:
        department = factory.SubFactory(DepartmentFactory)

    tool = factory.SubFactory(ToolFactory, department=factory.SelfAttribute("..department"))
    worker = factory.SubFactory(WorkerFactory, department=factory.SelfAttribute("..department"))
    lent_by = None
    due_date = None
    notes = ""

    @classmethod
    def _create(cls, model_class, *args, tool, worker, lent_by=None, due_date=None, notes="", **kwargs):
        return lending_services.lending_checkout(tool=tool, worker=worker, user=lent_by, due_date=due_date, notes=notes)

    @factory.post_generation
    def overdue_days(self, create, extracted, **kwargs):
        if create and extracted:
            backdate(self, days_overdue=extracted)

    @factory.post_generation
    def returned(self, create, extracted, **kwargs):
        if create and extracted:
            done = lending_services.lending_return(tool=self.tool, user=self.lent_by)
            self.returned_at, self.returned_by = done.returned_at, done.returned_by
