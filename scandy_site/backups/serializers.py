from rest_framework import serializers


class BackupSerializer(serializers.Serializer):
    """A stored backup as the API lists it."""

    name = serializers.CharField()
    size = serializers.IntegerField(help_text="bytes")
    instance = serializers.CharField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="backup, pre-restore (the safety backup of a restore) or uploaded")


class BackupDetailSerializer(BackupSerializer):
    app_version = serializers.CharField()
    includes_media = serializers.BooleanField()
    media_files = serializers.IntegerField()
    media_bytes = serializers.IntegerField()
    row_counts = serializers.DictField(child=serializers.IntegerField())


class BackupCreateSerializer(serializers.Serializer):
    include_media = serializers.BooleanField(default=True)


class BackupCreatedSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    rows = serializers.IntegerField()
    media_files = serializers.IntegerField()
    media_bytes = serializers.IntegerField()


class BackupVerifySerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    rows = serializers.IntegerField()


class BackupRestoreSerializer(serializers.Serializer):
    name = serializers.CharField()
    safety_backup = serializers.CharField(help_text="the backup of the state before the restore")
    rows = serializers.IntegerField()
    media_files = serializers.IntegerField(allow_null=True, help_text="null: the backup has no media; media unchanged")
    tokens_kept = serializers.IntegerField(help_text="API tokens kept for users that exist after the restore")


def detail_payload(info, manifest: dict) -> dict:
    media = manifest.get("media") or {}
    return {
        **BackupSerializer(info).data,
        "app_version": manifest.get("app_version", ""),
        "includes_media": bool(manifest.get("includes_media")),
        "media_files": media.get("files", 0),
        "media_bytes": media.get("bytes", 0),
        "row_counts": manifest.get("row_counts", {}),
    }
