"""Who must use a second factor (TOTP, django-otp) and the check the decision services make."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.governance.models import Role
from apps.permissions import seats_of

ROLES_REQUIRING_2FA = {Role.APPROVER, Role.SUPERVISOR}


def two_factor_enforced() -> bool:
    return bool(getattr(settings, "TIERFLOW_REQUIRE_2FA", False))


def two_factor_required(user) -> bool:
    """Approvers, supervisors and staff admins must use TOTP when enforcement is on; proponents may."""
    if not two_factor_enforced() or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(seat.role in ROLES_REQUIRING_2FA for seat in seats_of(user))


def has_confirmed_device(user) -> bool:
    """Read with the user's seats when enforcement is on (`seats_of`), else asked here."""
    cached = getattr(user, "_tierflow_has_device", None)
    if cached is not None:
        return cached
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_satisfied(user) -> bool:
    """The user has the second factor they must have (or need none)."""
    return not two_factor_required(user) or has_confirmed_device(user)


def require_second_factor(user) -> None:
    """Raise PermissionDenied when the user must have a confirmed TOTP device and has none."""
    if two_factor_required(user) and not has_confirmed_device(user):
        raise PermissionDenied(_("Set up two-factor authentication (Account → Two-factor) before taking decisions."))
