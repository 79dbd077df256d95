"""Tickets are made through the services, so numbers, history and order details are real."""

import factory

from tickets import services
from tickets.models import Ticket

from . import DepartmentFactory


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Hydraulikpresse {n} prüfen")
    description = "Bitte prüfen."
    category = Ticket.Category.GENERAL
    priority = Ticket.Priority.NORMAL

    @classmethod
    def _create(cls, model_class, *args, created_by=None, assignees=(), **kwargs):
        department = kwargs.pop("department")
        return services.ticket_create(department=department, user=created_by, assignees=list(assignees), **kwargs)
