"""Set up a Party on one page: the Party, its national tier and jurisdiction, the authority, its staff and every
duty at that tier, saved together or not at all. A federation's further tiers are added on the Party's page."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import (
    HOST_DUTIES, MECHANISM_DUTIES, Authority, Duty, DutyAssignment, Jurisdiction, Membership, Party, Role, Tier,
    time_zone_choices,
)
from .readiness import problems_of


class PartySetupForm(forms.Form):
    code = forms.CharField(label=_("alpha-3 code"), min_length=3, max_length=3,
                           help_text=_("ISO 3166-1 alpha-3, in capitals (EU: EUE)."))
    name = forms.CharField(label=_("name"), max_length=120)
    timezone = forms.TypedChoiceField(label=_("time zone"), choices=time_zone_choices)
    is_host = forms.BooleanField(label=_("host Party"), required=False)
    is_acquiring = forms.BooleanField(label=_("acquiring Party"), required=False)
    letter_language = forms.ChoiceField(label=_("letter language"), required=False,
                                        choices=[("", _("English only")), *settings.LANGUAGES])
    jurisdiction_code = forms.CharField(label=_("code of the Party's own jurisdiction"), max_length=10,
                                        help_text=_("ISO 3166-1 alpha-2, e.g. PH; its subdivisions are added later."))
    authority_name = forms.CharField(label=_("national authority"), max_length=200)
    authority_short_name = forms.CharField(label=_("short name"), max_length=40, required=False)
    authority_email = forms.EmailField(label=_("email"), required=False)
    sla_days = forms.IntegerField(label=_("SLA (days) of every duty"), min_value=1, max_value=365, initial=30)
    takes_article_6_4 = forms.BooleanField(
        label=_("takes Article 6.4 activities"), required=False, initial=True,
        help_text=_("Assigns the approval of Article 6.4 activities and of CDM transitions to the national authority."))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not (code.isalpha() and code.isupper()):
            raise ValidationError(_("Use the three capital letters of ISO 3166-1 alpha-3 (EU: EUE)."))
        if Party.objects.filter(pk=code).exists():
            raise ValidationError(_("%(code)s is already set up: change it on its own page.") % {"code": code})
        return code

    def clean_jurisdiction_code(self) -> str:
        code = self.cleaned_data["jurisdiction_code"].strip().upper()
        if Jurisdiction.objects.filter(pk=code).exists():
            raise ValidationError(_("The jurisdiction %(code)s exists already.") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        if not data.get("is_host") and not data.get("is_acquiring"):
            raise ValidationError(_("Say whether the Party hosts activities, acquires their outcomes, or both."))
        return data


class StaffForm(forms.Form):
    username = forms.CharField(label=_("username"), max_length=150, validators=[UnicodeUsernameValidator()])
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    # The select's first choice as the initial: a row left empty then counts as unchanged and is skipped.
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.REVIEWER)


class BaseStaffFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            key = (form.cleaned_data.get("username"), form.cleaned_data.get("role"))
            if key[0] and key in seen:
                form.add_error("username", _("This person is listed twice in the same role."))
            seen.add(key)


StaffFormSet = forms.formset_factory(StaffForm, formset=BaseStaffFormSet, extra=3, max_num=50, validate_max=True)


@dataclass(frozen=True)
class SetUp:
    party: Party
    created: list  # every object written, for the admin's log and the audit chain
    new_users: list


@transaction.atomic
def set_up_party(data: dict, staff: list[dict]) -> SetUp:
    """Write the Party and everything it needs to take applications; refuse (ValidationError, nothing written) a
    host that would not be ready."""
    User = get_user_model()
    party = Party(code=data["code"], name=data["name"], timezone=data["timezone"], is_host=data["is_host"],
                  is_acquiring=data["is_acquiring"], letter_language=data["letter_language"])
    party.full_clean()
    party.save()
    tier = Tier.objects.create(party=party, name="National", order=1)
    root = Jurisdiction(code=data["jurisdiction_code"], name=data["name"], party=party, tier=tier)
    root.full_clean()
    root.save()
    authority = Authority.objects.create(jurisdiction=root, name=data["authority_name"],
                                         short_name=data["authority_short_name"], email=data["authority_email"])
    duties = []
    if data["is_host"]:
        duties += [*HOST_DUTIES, *(MECHANISM_DUTIES if data["takes_article_6_4"] else ())]
    if data["is_acquiring"]:
        duties.append(Duty.ACQUIRING_AUTHORIZATION)
    assignments = [DutyAssignment.objects.create(party=party, duty=duty, tier=tier, sla_days=data["sla_days"]) for duty in duties]
    created, new_users = [party, tier, root, authority, *assignments], []
    for row in staff:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(username=row["username"], first_name=row["first_name"], last_name=row["last_name"], email=row["email"])
            user.set_unusable_password()  # they choose one through the password reset, or an administrator sets it
            user.save()
            new_users.append(user)
        created.append(Membership.objects.create(user=user, authority=authority, role=row["role"]))
    problems = problems_of(party) if party.is_host else []
    if problems:
        raise ValidationError([_("The Party would not be ready to take applications:"), *[p.message for p in problems]])
    return SetUp(party=party, created=created, new_users=new_users)
