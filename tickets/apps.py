from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from django.urls import reverse

        from scandy_site.media.entities import EntityType, register

        from . import policy, selectors
        from .models import Ticket

        def lookup(user, department, identifier):
            return selectors.ticket_get(user=user, department=department, identifier=identifier)

        # Files on tickets: whoever sees the ticket sees its files; whoever may edit it (participants:
        # their own tickets) may add and remove them.
        register(
            EntityType(
                name="ticket", model=Ticket, lookup=lookup,
                can_access=lambda user: user.is_authenticated and user.can("tickets.create"),
                can_view=policy.can_view,
                can_edit=lambda user, ticket: policy.can_edit(user, ticket) and user.can("media.upload_own"),
                identifier=lambda ticket: str(ticket.pk),
                detail_url=lambda ticket: reverse("tickets:detail", args=[ticket.pk]),
                feature="ENABLE_TICKET_SYSTEM",
            )
        )  # fmt: skip
