"""`GET /api/cetec/customer` and `GET /api/cetec/mysql-status` (CONTRACT 3 and 5.3). Thin: validate the
query, call the selector, answer."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.accounts.permissions import HasCapability

from . import mysql
from .client import DEFAULT_COLUMNS, parse_columns
from .selectors import cetec_customer_list

CETEC = HasCapability.of("cetec.view")
COLUMNS_HELP = (
    f"Comma-separated CETEC columns (default: {','.join(DEFAULT_COLUMNS)}); techx_password is never passed on."
)


class CetecCustomerQuerySerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, max_value=2**53)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    external_key = serializers.CharField(required=False, allow_blank=True, max_length=200)
    columns = serializers.CharField(required=False, allow_blank=True, max_length=4000, trim_whitespace=True)

    def validate_columns(self, value):
        try:
            return parse_columns(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


CetecSummarySerializer = inline_serializer(
    "CetecSummary",
    {name: serializers.IntegerField() for name in ("total_customers", "existing_databases", "resident_hosting",
                                                   "itar_hosting", "invalid_domains", "no_database")},
)  # fmt: skip
CetecCustomersSerializer = inline_serializer(
    "CetecCustomers",
    {
        "customers": serializers.ListField(
            child=serializers.DictField(),
            help_text="CETEC's columns plus database_exists (true, false, resident_hosting, itar_hosting, "
            "unavailable, mysql_error, batch_timeout; null while CETEC_MYSQL_URL is unset) and lastPulled.",
        ),
        "metadata": inline_serializer(
            "CetecMetadata",
            {
                "total_customers": serializers.IntegerField(),
                "mysql_status": serializers.ChoiceField(["ok", "disabled", "skipped", "error", "timeout"]),
                "mysql_enabled": serializers.BooleanField(),
                "timestamp": serializers.DateTimeField(),
                "summary": CetecSummarySerializer,
            },
        ),
    },
)
MySQLStatusSerializer = inline_serializer(
    "CetecMySQLStatus",
    {
        "configured": serializers.BooleanField(),
        "reachable": serializers.BooleanField(),
        "mysql_status": serializers.ChoiceField(["ok", "disabled", "error", "timeout"]),
        "host": serializers.CharField(allow_null=True),
        "port": serializers.IntegerField(allow_null=True),
        "version": serializers.CharField(allow_null=True),
        "latency_ms": serializers.FloatField(allow_null=True),
        "budget_seconds": serializers.FloatField(),
        "message": serializers.CharField(),
    },
)


class CetecCustomerView(APIView):
    permission_classes = [CETEC]

    @extend_schema(
        parameters=[
            OpenApiParameter("id", int, description="CETEC customer id"),
            OpenApiParameter("name", str),
            OpenApiParameter("external_key", str),
            OpenApiParameter("columns", str, description=COLUMNS_HELP),
        ],
        responses={200: CetecCustomersSerializer},
    )
    def get(self, request):
        """CETEC customers that are ok to bill, each with the state of its backup database. The preshared
        token stays on the server; a failing CETEC answers 502 UPSTREAM_UNAVAILABLE."""
        query = CetecCustomerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        columns = params.pop("columns", None)
        lookup = cetec_customer_list(columns=columns, filters=params)
        response = Response(lookup.as_data())
        response.envelope_message = lookup.message
        return response


class CetecMySQLStatusView(APIView):
    permission_classes = [CETEC]

    @extend_schema(responses={200: MySQLStatusSerializer})
    def get(self, request):
        """Whether CETEC_MYSQL_URL is configured and answers (server version, round trip); no credentials.
        Always 200: `reachable` and `status` say how it went."""
        probe = mysql.mysql_probe()
        response = Response(probe)
        response.envelope_message = probe["message"]
        return response
