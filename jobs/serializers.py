from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.serializers import TextField

from . import selectors
from .models import Job, JobApplication


class ApplicationSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(source="job_id", read_only=True)
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    applicant_name = serializers.CharField(read_only=True)
    applicant_email = serializers.EmailField(source="applicant.email", read_only=True)
    can_withdraw = serializers.BooleanField(read_only=True)

    class Meta:
        model = JobApplication
        fields = ["id", "job", "applicant", "applicant_name", "applicant_email", "message", "phone", "status",
                  "can_withdraw", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class ApplicationInputSerializer(serializers.Serializer):
    message = TextField(max_length=5000, help_text=_("Why you are interested; the contact person reads it."))
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ApplicationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JobApplication.Status.choices)


class JobSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    my_application = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "title", "description", "location", "employment_type", "contact_email", "closing_date",
                  "status", "is_open", "department", "created_by", "my_application", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ApplicationSerializer(allow_null=True))
    def get_my_application(self, obj) -> dict | None:
        mine = selectors.my_application(obj)
        return ApplicationSerializer(mine).data if mine is not None else None


class JobInputSerializer(serializers.Serializer):
    """Create: `title`, `description`, `contact_email` and `employment_type` are needed; `status` starts as
    `draft`. PATCH changes only the fields sent."""

    title = TextField(max_length=200)
    description = TextField(max_length=20000)
    location = TextField(max_length=200, required=False, allow_blank=True)
    employment_type = serializers.ChoiceField(choices=Job.EmploymentType.choices)
    contact_email = serializers.EmailField(max_length=254)
    closing_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Job.Status.choices, required=False)
