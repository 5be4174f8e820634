"""Logins, logouts, failed logins and lockouts go into the audit chain; each login opens a listed session."""
from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from apps.audit.events import Event
from apps.audit.services import record_event

from .addresses import client_address
from .languages import remember_first_language
from .lockout import is_delay
from .models import UserSession


@receiver(user_logged_in, dispatch_uid="tierflow_audit_login")
def on_login(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        record_event(event=Event.AUTH_LOGIN, subject_type="user", subject_id=user.username, acting_user=user,
                     data={"address": client_address(request), "path": getattr(request, "path", "")})
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            UserSession.objects.update_or_create(session_key=session.session_key, defaults={
                "user": user, "ip_address": client_address(request),
                "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:300]})
    if request is not None:
        remember_first_language(user, request)


@receiver(user_logged_out, dispatch_uid="tierflow_audit_logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    with transaction.atomic():
        record_event(event=Event.AUTH_LOGOUT, subject_type="user", subject_id=user.username, acting_user=user)
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            UserSession.objects.filter(session_key=session.session_key).delete()


@receiver(user_login_failed, dispatch_uid="tierflow_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:64]
    with transaction.atomic():
        record_event(event=Event.AUTH_LOGIN_FAILED, subject_type="user", subject_id=username,
                     data={"address": client_address(request), "path": getattr(request, "path", "")})


@receiver(user_locked_out, dispatch_uid="tierflow_audit_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if is_delay(request):  # a try refused during the delay after a failure: not a lockout
        return
    with transaction.atomic():
        record_event(event=Event.AUTH_LOCKED_OUT, subject_type="user", subject_id=str(username or "")[:64],
                     data={"address": ip_address})
