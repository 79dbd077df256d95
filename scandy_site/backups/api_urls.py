from django.urls import path

from . import api

# A backup name: scandy-backup-<instance>-<stamp>[-<label>].zip (checked again by the services).
NAME = "<str:name>"

urlpatterns = [
    path("backups", api.BackupListView.as_view(), name="api-backups"),
    path(f"backups/{NAME}", api.BackupDetailView.as_view(), name="api-backup-detail"),
    path(f"backups/{NAME}/verify", api.BackupVerifyView.as_view(), name="api-backup-verify"),
    path(f"backups/{NAME}/restore", api.BackupRestoreView.as_view(), name="api-backup-restore"),
]
