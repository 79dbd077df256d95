from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.accounts.departments import resolve_scope
from scandy_site.core.errors import ApplicationError


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenView(APIView):
    """`POST /api/auth/token {"username","password"}` → `{"token": ...}`."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    def get_throttles(self):
        from rest_framework.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()]

    @extend_schema(
        request=TokenInputSerializer,
        responses=inline_serializer(
            "TokenOutput",
            {"token": serializers.CharField(), "username": serializers.CharField(), "role": serializers.CharField()},
        ),
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None or not user.is_active:
            raise ApplicationError("NOT_AUTHENTICATED", _("Invalid username or password."))
        token, _created = Token.objects.get_or_create(user=user)
        response = Response({"token": token.key, "username": user.username, "role": user.effective_role})
        response.envelope_message = _("Authenticated.")
        return response


class MeView(APIView):
    """`GET /api/auth/me`: who am I, my role and my departments (handy for scanner stations)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("Me", {"username": serializers.CharField()}))
    def get(self, request):
        scope = resolve_scope(request, request.user)
        return Response(
            {
                "username": request.user.username,
                "role": request.user.effective_role,
                "department": None if scope.is_all else scope.department.code,
                "departments": [d.code for d in scope.allowed],
            }
        )
