"""Test-only views (PARITY_TEST_VIEWS=1): what an application built on drf-sso does with
sessions and users, for the edge session-state tests. Bound to 127.0.0.1 by the tests."""
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    """The server's verdict on a token: JWTAuthentication.authenticate in full."""
    return Response({"uid": request.user.pk, "sid": request.auth.get("sid"), "token": request.auth.get("token")})


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def logout(request):
    """Revokes the request's session now (drf-sso has no logout view of its own)."""
    session = request.auth.session_token
    session.revoked_at = timezone.now()
    session.save(update_fields=["revoked_at"])
    return Response({"revoked": str(session.pk)})


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def deactivate(request):
    """Sets is_active of a user (as an administrator would)."""
    user = get_user_model().objects.get(username=request.data["username"])
    user.is_active = bool(request.data.get("active", False))
    user.save(update_fields=["is_active"])
    return Response({"username": user.username, "is_active": user.is_active})
