"""The one workflow definition: which status may follow which, and who may make the move.

    open → assigned → in_progress → resolved → closed
                      in_progress ← resolved          (reopen)
    open ← closed                                     (only admin/employee)

Any other move, and a move the user's role does not allow, is INVALID_TRANSITION (409)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scandy_site.core.errors import ApplicationError

from .models import Ticket

S = Ticket.Status


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: Promise
    # None: whoever may edit the ticket; otherwise a capability of the role matrix on top.
    capability: str | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.OPEN, S.ASSIGNED, gettext_lazy("Assign")),
    Transition(S.ASSIGNED, S.IN_PROGRESS, gettext_lazy("Start work")),
    Transition(S.IN_PROGRESS, S.RESOLVED, gettext_lazy("Mark resolved")),
    Transition(S.RESOLVED, S.CLOSED, gettext_lazy("Close")),
    Transition(S.RESOLVED, S.IN_PROGRESS, gettext_lazy("Reopen")),
    Transition(S.CLOSED, S.OPEN, gettext_lazy("Reopen"), capability="tickets.manage_all"),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transitions_from(status: str, user) -> list[Transition]:
    """The moves `user` may make from `status` (for the buttons on the ticket page)."""
    return [t for t in TRANSITIONS if t.source == status and (t.capability is None or user.can(t.capability))]


def check_transition(source: str, target: str, user) -> Transition:
    transition = _BY_PAIR.get((source, target))
    if transition is None or (transition.capability and not (user is None or user.can(transition.capability))):
        labels = dict(S.choices)
        raise ApplicationError(
            "INVALID_TRANSITION",
            _("A ticket cannot go from “%(source)s” to “%(target)s”.")
            % {"source": labels.get(source, source), "target": labels.get(target, target)},
            errors={"status": [_("not allowed from %(source)s") % {"source": source}]},
        )
    return transition
