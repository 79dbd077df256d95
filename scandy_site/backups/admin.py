"""The backup pages of the back office (`/admin/backups/backupfile/`): list, create, upload,
download, verify, restore (after confirmation) and delete. Admins only; every action is a service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import CapabilityAdminMixin, ReadOnlyAdminMixin
from scandy_site.core.errors import ApplicationError

from . import services, storage
from .models import BackupFile


class BackupCreateForm(forms.Form):
    include_media = forms.BooleanField(label=_("Include media files"), required=False, initial=True)


class BackupUploadForm(forms.Form):
    file = forms.FileField(label=_("Backup file (.zip)"))


class RestoreConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that all current data and media files are replaced by the backup's."), required=True
    )


@admin.register(BackupFile)
class BackupAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Django's add/change/delete views do not apply (no table); the views below do the work."""

    capability = "system.manage"

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name=f"{prefix}_changelist"),
            path("create/", wrap(self.create_view), name=f"{prefix}_create"),
            path("upload/", wrap(self.upload_view), name=f"{prefix}_upload"),
            path("<str:name>/download/", wrap(self.download_view), name=f"{prefix}_download"),
            path("<str:name>/verify/", wrap(self.verify_view), name=f"{prefix}_verify"),
            path("<str:name>/restore/", wrap(self.restore_view), name=f"{prefix}_restore"),
            path("<str:name>/delete/", wrap(self.delete_backup_view), name=f"{prefix}_delete"),
        ]

    # --- helpers -------------------------------------------------------------------------------------

    def _check(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _url(self, view: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}", args=args)

    def _render(self, request, template: str, title: str, **context):
        self._check(request)
        return TemplateResponse(
            request,
            f"admin/backups/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def _back_to_list(self):
        return HttpResponseRedirect(self._url("changelist"))

    def _post_only(self, request) -> None:
        self._check(request)
        if request.method != "POST":
            raise PermissionDenied

    # --- views ---------------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        return self._render(
            request,
            "list.html",
            gettext("Backups"),
            backups=services.backup_list(),
            create_form=BackupCreateForm(),
            upload_form=BackupUploadForm(),
            location=storage.display_location(""),
        )

    def create_view(self, request):
        self._post_only(request)
        form = BackupCreateForm(request.POST)
        include_media = form.is_valid() and form.cleaned_data["include_media"]
        try:
            created = services.backup_create(include_media=include_media)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, gettext("Backup %(name)s created.") % {"name": created.name}, messages.SUCCESS)
        return self._back_to_list()

    def upload_view(self, request):
        self._post_only(request)
        form = BackupUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            self.message_user(request, gettext("Choose a backup file to upload."), messages.ERROR)
            return self._back_to_list()
        try:
            info = services.backup_upload(uploaded=form.cleaned_data["file"])
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request, gettext("Backup %(name)s uploaded and verified.") % {"name": info.name}, messages.SUCCESS
            )
        return self._back_to_list()

    def download_view(self, request, name):
        self._check(request)
        handle = services.backup_open(name=name)
        return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")

    def verify_view(self, request, name):
        self._check(request)
        info = storage.info_for(name)
        report = services.backup_verify(source=name)
        return self._render(request, "verify.html", gettext("Verify backup"), info=info, report=report)

    def restore_view(self, request, name):
        self._check(request)
        info = storage.info_for(name)
        form = RestoreConfirmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.backup_restore(source=name, user=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return self._back_to_list()
            self.message_user(
                request,
                gettext("Restored %(name)s. The state before the restore is saved as %(safety)s.")
                % {"name": result.name, "safety": result.safety_backup},
                messages.SUCCESS,
            )
            # The restored users may differ from the current ones: the admin index asks to sign in if so.
            return HttpResponseRedirect(reverse(f"{self.admin_site.name}:index"))
        try:
            manifest = services.backup_manifest(name=name)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return self._back_to_list()
        return self._render(
            request,
            "restore_confirm.html",
            gettext("Restore backup"),
            info=info,
            manifest=manifest,
            rows=sum(manifest.get("row_counts", {}).values()),
            form=form,
        )

    def delete_backup_view(self, request, name):
        self._check(request)
        info = storage.info_for(name)
        if request.method == "POST":
            services.backup_delete(name=name)
            self.message_user(request, gettext("Backup %(name)s deleted.") % {"name": name}, messages.SUCCESS)
            return self._back_to_list()
        return self._render(request, "delete_confirm.html", gettext("Delete backup"), info=info)
