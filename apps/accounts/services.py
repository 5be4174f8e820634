"""A user's own sessions, tokens and second factor: listed, ended, enrolled; each change audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from apps.audit.events import Event
from apps.audit.services import record_event, record_token_event

from . import contract_tokens
from .models import UserSession


@dataclass(frozen=True)
class TokenRow:
    kind: str  # "api" (the DRF token from /api/v1/auth/token/) or "personal"
    id: str
    label: str
    created: datetime
    hint: str  # the first characters only: enough to recognise, not to use


def sessions_of(user):
    """The user's signed-in browsers whose session has not expired."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live)


def tokens_of(user) -> list[TokenRow]:
    rows = [TokenRow("api", "api", _("API token (/api/v1/auth/token/)"), t.created, contract_tokens.hint(t))
            for t in Token.objects.filter(user=user)]
    # Personal tokens live in apps.api, above this app: read through the user's reverse relation.
    for token in user.personal_tokens.filter(revoked_at__isnull=True).order_by("-id"):
        rows.append(TokenRow("personal", str(token.pk), token.name, token.created_at, token.prefix))
    return rows


@transaction.atomic(durable=True)
def revoke_session(*, acting_user, session_id: int) -> bool:
    """End one of the user's own sessions; False when it is not theirs (nothing changes)."""
    session = UserSession.objects.filter(user=acting_user, pk=session_id).first()
    if session is None:
        return False
    Session.objects.filter(session_key=session.session_key).delete()
    session.delete()
    record_event(event=Event.AUTH_SESSION_REVOKED, subject_type="user", subject_id=acting_user.username,
                 acting_user=acting_user, data={"session": session_id, "address": session.ip_address})
    return True


@transaction.atomic(durable=True)
def revoke_api_token(*, acting_user) -> bool:
    token = Token.objects.filter(user=acting_user).first()
    if token is None:
        return False
    hint = contract_tokens.hint(token)
    token.delete()
    record_token_event(event=Event.TOKEN_REVOKED, acting_user=acting_user, token_owner=acting_user, token_id="api",
                       label="API token", data={"hint": hint})
    return True


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device, made on first visit to the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic(durable=True)
def confirm_device(*, acting_user, device: TOTPDevice, token: str) -> bool:
    """Confirm the device when the code from the app matches; audited."""
    if device.user_id != acting_user.pk or not device.verify_token((token or "").strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    acting_user.__dict__.pop("_tierflow_has_device", None)  # read with the seats earlier in this request
    record_event(event=Event.AUTH_2FA_ENROLLED, subject_type="user", subject_id=acting_user.username,
                 acting_user=acting_user, data={"device": device.persistent_id})
    return True
