"""Building blocks of the Django admin (the back office).

Who may do what comes from the role matrix (`user.can(...)`), never from Django's model
permissions; and every write of a domain object goes through its service, so the admin keeps the
same rules, barcode registry and history as the pages and the API.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scandy_site.accounts.models import Department

from .errors import ApplicationError
from .models import ChangeEvent
from .templatetags.scandy import change_value, field_label

# How many rows a read-only inline (history, stock movements) shows.
INLINE_HISTORY_LIMIT = 50


def department_choices(user):
    """The departments a user may pick in admin forms and sees rows of."""
    if user.can("departments.all"):
        return Department.objects.all()
    return user.departments.filter(active=True)


def has_department_field(model) -> bool:
    return any(field.name == "department" and field.related_model is Department for field in model._meta.fields)


def add_application_error(form, exc: ApplicationError) -> None:
    """Show a service's error on the form: on the fields it names, otherwise above the form."""
    matched = False
    for field, field_messages in (exc.errors or {}).items():
        if field in form.fields:
            form.add_error(field, [str(message) for message in field_messages])
            matched = True
    if not matched or exc.code != "VALIDATION_ERROR":
        form.add_error(None, exc.message)


class CapabilityAdminMixin:
    """Permissions from the role matrix: `capability` for view/add/change, `delete_capability`
    for delete (defaults to `capability`). With `department_field` set, users who may not see all
    departments only see rows of their own departments and only pick those in forms."""

    capability = "system.manage"
    delete_capability = ""
    department_field = ""

    def _user_can(self, request, capability: str) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.can(capability))

    def has_module_permission(self, request):
        return self._user_can(request, self.capability)

    def has_view_permission(self, request, obj=None):
        return self._user_can(request, self.capability)

    def has_add_permission(self, request, obj=None):
        return self._user_can(request, self.capability)

    def has_change_permission(self, request, obj=None):
        return self._user_can(request, self.capability)

    def has_delete_permission(self, request, obj=None):
        return self._user_can(request, self.delete_capability or self.capability)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.department_field and not request.user.can("departments.all"):
            queryset = queryset.filter(**{f"{self.department_field}__in": department_choices(request.user)})
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if self.department_field and related is Department:
            kwargs["queryset"] = department_choices(request.user)
        elif self.department_field and has_department_field(related):
            base = kwargs.get("queryset", related._default_manager.all())
            kwargs["queryset"] = base.filter(department__in=department_choices(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def adopt(target, saved) -> None:
    """The admin goes on with the instance its form built (log entry, redirect, inlines);
    give it what the service saved."""
    for model_field in target._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(saved, model_field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class DepartmentRecordAdminMixin:
    """Tools, consumables and workers: created in a department (the current one by default) and
    kept there, since their barcode lives in that department's registry; read-only in the trash."""

    record_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*self.record_fields, "department") if obj else self.record_fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = getattr(request, "department_scope", None)
        if scope and scope.department is not None:
            initial.setdefault("department", scope.department.pk)
        return initial

    def has_change_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "deleted_at", None) is not None:
            return False
        return super().has_change_permission(request, obj)


class ReadOnlyAdminMixin:
    """A list to look at: records written only by services elsewhere (history, movements, registry)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdminMixin:
    """Admin writes through services.

    `save_model`/`delete_model` call a service. When it raises ApplicationError, the admin's own
    transaction around the form has already been rolled back (nothing is saved half-way); the
    same POST is then shown again with the error on the form.
    """

    delete_confirmation_template = "admin/scandy/delete_confirmation.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            if request.method != "POST" or getattr(request, "_scandy_service_error", None) is not None:
                raise
            request._scandy_service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_scandy_service_error", None)
        if error is None:
            return form_class

        class ServiceErrorForm(form_class):
            def clean(self):
                cleaned = super().clean()
                add_application_error(self, error)
                return cleaned

        ServiceErrorForm.__name__ = form_class.__name__
        return ServiceErrorForm

    def save_formset(self, request, form, formset, change):
        if getattr(formset, "scandy_read_only", False):
            # Nothing to save; the admin's change message still asks what was.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def get_actions(self, request):
        # Django's bulk delete bypasses the services; the trash actions replace it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- delete = trash (or purge for a record already in the trash) --------------------------------

    def admin_url(self, view: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def is_trashed(self, obj) -> bool:
        return getattr(obj, "deleted_at", None) is not None

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(self.admin_url("change", object_id))

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        if objs and not any(self.is_trashed(obj) for obj in objs):
            # Moving to the trash touches nothing else.
            return [str(obj) for obj in objs], {self.opts.verbose_name_plural: len(objs)}, set(), []
        deleted, counts, _perms, protected = super().get_deleted_objects(objs, request)
        # Related rows (movements, maintenance) go with the record by the service's rules, not the
        # admin's per-model delete permissions; protected rows (lendings) still block it.
        return deleted, counts, set(), protected

    def render_delete_form(self, request, context):
        obj = context.get("object")
        context["trash_only"] = obj is not None and not self.is_trashed(obj)
        if context["trash_only"] and not context.get("protected"):
            context["title"] = gettext("Move to trash")
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        if self.is_trashed(obj):
            self.purge_object(request, obj)
        else:
            self.trash_object(request, obj)
            request._scandy_trashed = True

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_scandy_trashed", False):
            self.message_user(
                request, gettext("“%(object)s” was moved to the trash.") % {"object": obj_display}, messages.SUCCESS
            )
            return HttpResponseRedirect(self.admin_url("changelist"))
        return super().response_delete(request, obj_display, obj_id)

    def trash_object(self, request, obj) -> None:
        """Move `obj` to the trash through its service. Every admin of records with a trash (`deleted_at`)
        implements it; records without one count as trashed (`is_trashed`) and only reach `purge_object`."""
        raise NotImplementedError(f"{type(self).__name__} must say how its records go to the trash")

    def purge_object(self, request, obj) -> None:
        raise ApplicationError("VALIDATION_ERROR", gettext("This record cannot be deleted for good."))

    # --- actions ---------------------------------------------------------------------------------------

    def run_service(self, request, queryset, label: str, func) -> None:
        """Call `func(obj)` for each selected record, each in its own transaction; report what
        worked and, one by one, what the rules refused."""
        done, failed = 0, []
        for obj in queryset:
            try:
                func(obj)
            except ApplicationError as exc:
                failed.append(f"{obj}: {exc.message}")
            except ProtectedError:
                failed.append(f"{obj}: {gettext('still referenced (for example by lendings); it stays.')}")
            else:
                done += 1
        if done:
            items = self.opts.verbose_name if done == 1 else self.opts.verbose_name_plural
            self.message_user(
                request,
                gettext("%(action)s: %(count)d %(items)s.") % {"action": label, "count": done, "items": items},
                messages.SUCCESS,
            )
        for line in failed[:20]:
            self.message_user(request, line, messages.ERROR)
        if len(failed) > 20:
            self.message_user(
                request, gettext("… and %(count)d more refused.") % {"count": len(failed) - 20}, messages.ERROR
            )


class TrashFilter(admin.SimpleListFilter):
    """Records in the trash are hidden unless asked for."""

    title = _("trash")
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return (("active", _("Not in trash")), ("trash", _("In trash")), ("all", _("All")))

    def _current(self) -> str:
        return self.value() if self.value() in ("active", "trash", "all") else "active"

    def choices(self, changelist):
        current = self._current()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        current = self._current()
        if current == "trash":
            return queryset.filter(deleted_at__isnull=False)
        if current == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


def latest_only(formset_class, limit: int):
    """A formset class showing only the first `limit` rows of its (newest first) queryset."""

    class LatestOnly(formset_class):
        scandy_read_only = True

        def get_queryset(self):
            if not hasattr(self, "_scandy_limited"):
                self._scandy_limited = super().get_queryset()[:limit]
            return self._scandy_limited

    LatestOnly.__name__ = formset_class.__name__
    return LatestOnly


class ReadOnlyInlineMixin:
    """An inline to look at; visible to whoever may view the parent record."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return bool(parent_admin and parent_admin.has_view_permission(request, obj))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInlineMixin, GenericTabularInline):
    """The ChangeEvent rows of a record, newest first."""

    model = ChangeEvent
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = readonly_fields = ("at", "action", "change_summary", "shown_note", "user")
    verbose_name = _("history entry")
    verbose_name_plural = _("history (latest entries)")

    def get_formset(self, request, obj=None, **kwargs):
        return latest_only(super().get_formset(request, obj, **kwargs), INLINE_HISTORY_LIMIT)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").order_by("-id")

    @admin.display(description=_("changes"))
    def change_summary(self, event):
        return change_summary(event)

    @admin.display(description=_("note"))
    def shown_note(self, event):
        return event.shown_note


def change_summary(event: ChangeEvent):
    """`Status: Available → Lent`, one line per changed field, labels and values as the pages show them."""
    if not event.changes:
        return "–"
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()  # cached: no query per row
    return format_html_join(
        mark_safe("<br>"),
        "{}: {} → {}",
        (
            (field_label(field, model), change_value(model, field, old), change_value(model, field, new))
            for field, (old, new) in sorted(event.changes.items())
        ),
    )
