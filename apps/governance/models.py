"""How a Party governs Article 6: its tiers, jurisdictions, authorities, duties and rules.

Everything here is configuration that administrators edit in the admin; the
workflow reads it and never hard-codes a country.
"""
from __future__ import annotations

import re
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA time zones this machine's tz database knows, for the admin's select."""
    return [(name, name) for name in sorted(_time_zone_names())]


def validate_time_zone(value: str) -> None:
    # Checked in clean(), not as a field validator: the history tables copy field validators into migrations.
    # An unknown name saved here would make every page of the Party fail on ZoneInfo(name).
    if value and value not in _time_zone_names():
        raise ValidationError(_("%(value)s is not an IANA time zone; choose one such as Asia/Kuala_Lumpur."),
                              code="invalid_time_zone", params={"value": value})


class Duty(models.TextChoices):
    LOA_ISSUANCE = "loa_issuance", _("Letter of Authorization issuance")
    CA_APPROVAL = "ca_approval", _("Corresponding adjustment approval")
    REPORT_APPROVAL = "report_approval", _("UNFCCC report approval")
    # The acquiring Party's own authorization, where its cooperative approach asks for one before first transfer.
    ACQUIRING_AUTHORIZATION = "acquiring_authorization", _("Acquiring Party's authorization")
    # The host's approval of an Article 6.4 activity, and of a CDM activity's transition to the mechanism (both in the
    # mechanism's rules, decision 3/CMA.3 annex); a Party that assigns neither takes no Article 6.4 activities.
    MECHANISM_APPROVAL = "mechanism_approval", _("Approval of an Article 6.4 activity")
    CDM_TRANSITION_APPROVAL = "cdm_transition_approval", _("Approval of a CDM activity's transition")


HOST_DUTIES = (Duty.LOA_ISSUANCE, Duty.CA_APPROVAL, Duty.REPORT_APPROVAL)
MECHANISM_DUTIES = (Duty.MECHANISM_APPROVAL, Duty.CDM_TRANSITION_APPROVAL)


class Role(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    SUPERVISOR = "supervisor", _("Supervisor")


class EscalationLevel(models.IntegerChoices):
    """How far an overdue stage has gone: on time, the holder's supervisors called in, the next tier up called in."""

    ON_TIME = 0, _("On time")
    SUPERVISORS = 1, _("Overdue: supervisors called in")
    NEXT_TIER = 2, _("Escalated to the next tier up")


class NDCAccounting(models.TextChoices):
    SINGLE_YEAR = "single_year", _("Single-year NDC")
    MULTI_YEAR = "multi_year", _("Multi-year NDC")


class RegisterPublication(models.TextChoices):
    """Which of a Party's letters its public register shows (letters only: never applications, documents or people)."""

    NONE = "none", _("Not published")
    DECIDED = "decided", _("Letters in force and revoked letters")
    ALL = "all", _("Every issued letter, also those pending the corresponding adjustment, lapsed and superseded")


class Party(models.Model):
    """A Party to the Paris Agreement, identified by ISO 3166-1 alpha-3 (EU: EUE)."""

    code = models.CharField(_("alpha-3 code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    is_host = models.BooleanField(_("host Party"), default=False)
    is_acquiring = models.BooleanField(_("acquiring Party"), default=False)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # How the Party's NDC applies corresponding adjustments (decision 2/CMA.3 annex, para 7):
    # a single-year NDC (one target year) or a multi-year NDC (every year of the period).
    ndc_accounting = models.CharField(_("NDC accounting"), max_length=12, choices=NDCAccounting.choices,
                                      default=NDCAccounting.SINGLE_YEAR)
    ndc_first_year = models.PositiveSmallIntegerField(_("first year of the NDC implementation period"), default=2021)
    ndc_last_year = models.PositiveSmallIntegerField(_("last year of the NDC implementation period"), default=2030)
    # Whether an Article 6.2 issuance must draw on a verified monitoring report (Article 6.4 always must):
    # decision 2/CMA.3 leaves the cooperative approach's MRV to the Parties.
    issuance_requires_verification = models.BooleanField(
        _("Article 6.2 issuance requires a verified monitoring report"), default=False,
        help_text=_("Article 6.4 activities always need one; this decides for cooperative approaches."))
    letter_language = models.CharField(
        _("letter language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The host Party's official language, printed beside English on its Letters of Authorization; "
                    "blank prints English only."))
    register_publication = models.CharField(
        _("public register"), max_length=10, choices=RegisterPublication.choices, default=RegisterPublication.DECIDED,
        help_text=_("Which of the Party's Letters of Authorization anyone may read at /register/ and in its open data."))

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        errors = {}
        if self.code and (len(self.code) != 3 or not self.code.isalpha() or not self.code.isupper()):
            errors["code"] = _("Use the three capital letters of ISO 3166-1 alpha-3 (EU: EUE).")
        try:
            validate_time_zone(self.timezone)
        except ValidationError as error:
            errors["timezone"] = error
        if errors:
            raise ValidationError(errors)


class Tier(models.Model):
    """One level of government inside a Party; order 1 is the top (national or federal)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("1 is the top tier; larger numbers sit below it."))

    class Meta:
        ordering = ["party__code", "order"]
        constraints = [
            models.UniqueConstraint(fields=["party", "order"], name="tier_order_unique_per_party"),
            models.UniqueConstraint(fields=["party", "name"], name="tier_name_unique_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} · {self.name}"


class Jurisdiction(models.Model):
    """A node of a Party's tree: the Party itself at the top tier, its subdivisions below.

    `path` is the codes from the root down ("MY/MY-12/"), kept so that "everything
    under this node" is one indexed prefix query.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="jurisdictions")
    code = models.CharField(_("ISO 3166-2 code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="jurisdictions")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.tier_id and self.party_id and self.tier.party_id != self.party_id:
            errors["tier"] = _("The tier must belong to the jurisdiction's Party.")
        if self.parent_id:
            parent = self.parent
            if parent.party_id != self.party_id:
                errors["parent"] = _("The parent must belong to the same Party.")
            elif self.tier_id and self.tier.order <= parent.tier.order:
                errors["tier"] = _("A jurisdiction must sit at a tier below its parent's tier (%(tier)s).") % {
                    "tier": parent.tier.name
                }
        elif self.tier_id and self.tier.order != 1:
            errors["parent"] = _("Only a top-tier jurisdiction may have no parent.")
        try:
            validate_time_zone(self.timezone)
        except ValidationError as error:
            errors["timezone"] = error
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()  # re-derives the child's path, and so on down

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.party.timezone


class Authority(models.Model):
    """The government body that acts for one jurisdiction (one per jurisdiction)."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.PROTECT, related_name="authority")
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["jurisdiction__code"]
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    """A person's role at an authority. Deleting the row removes their access at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "authority", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.authority}"


class DutyAssignment(models.Model):
    """Which tier of a Party holds a duty, and the deadline and escalation policy for its stage."""

    class Calendar(models.TextChoices):
        CALENDAR_DAYS = "calendar", _("Calendar days")
        WORKING_DAYS = "working", _("Working days of the holder's jurisdiction")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="duty_assignments")
    duty = models.CharField(_("duty"), max_length=30, choices=Duty.choices)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="duty_assignments")
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"), default=30)
    calendar = models.CharField(_("SLA counts"), max_length=10, choices=Calendar.choices, default=Calendar.WORKING_DAYS)
    reminder_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("reminder at (% of the SLA)"), default=50, validators=[MaxValueValidator(99)],
        help_text=_("Remind the holder's reviewers and approvers once this share of the SLA has passed; 0 sends no reminder."),
    )
    escalation_grace_days = models.PositiveSmallIntegerField(
        _("escalation grace (days)"), default=5, help_text=_("Days after the due time before the next tier up is called in.")
    )
    next_tier_may_act = models.BooleanField(
        _("next tier up may act"), default=False, help_text=_("After the grace period, approvers of the next tier up may decide the stage.")
    )

    class Meta:
        ordering = ["party__code", "duty"]
        constraints = [models.UniqueConstraint(fields=["party", "duty"], name="duty_assigned_once_per_party")]

    def __str__(self) -> str:
        return f"{self.party.code} · {self.get_duty_display()} → {self.tier.name}"

    def clean(self) -> None:
        if self.tier_id and self.party_id and self.tier.party_id != self.party_id:
            raise ValidationError({"tier": _("The tier must belong to the same Party.")})


class AgreementKind(models.TextChoices):
    IMPLEMENTING_AGREEMENT = "implementing_agreement", _("Implementing agreement")
    MOU = "mou", _("Memorandum of understanding")
    JCM_PARTNERSHIP = "jcm_partnership", _("JCM partnership")


class Programme(models.TextChoices):
    """The crediting programme or standard an activity is registered under, where it has one."""

    T_VER = "t_ver", _("T-VER (Thailand Voluntary Emission Reduction Program)")
    PREMIUM_T_VER = "premium_t_ver", _("Premium T-VER")
    GOLD_STANDARD = "gold_standard", _("Gold Standard for the Global Goals")
    VERRA_VCS = "verra_vcs", _("Verra Verified Carbon Standard (VCS)")
    JCM = "jcm", _("Joint Crediting Mechanism (JCM)")
    ARTICLE_6_4 = "article_6_4", _("Article 6.4 mechanism (PACM)")
    OTHER = "other", _("Other")


# Registry identifiers whose format the programme publishes: Verra's and Gold Standard's registries number
# projects (VCS 1477, GS 7539), which proponents write with or without the prefix.
PROGRAMME_REGISTRY_ID_FORMATS = {
    Programme.VERRA_VCS: (r"(VCS ?)?[0-9]{1,6}", _("a Verra project ID is its number, e.g. 1477 or VCS 1477")),
    Programme.GOLD_STANDARD: (r"(GS ?)?[0-9]{1,6}", _("a Gold Standard project ID is its number, e.g. 7539 or GS7539")),
}


class Requirement(models.Model):
    """A condition a Party sets before a transition may happen, with the message users see.

    A requirement belongs to one Party and applies when that Party hosts the activity (`side` host) or when the
    application names it among the acquiring Parties (`side` acquiring).
    """

    class Kind(models.TextChoices):
        FIELD_REQUIRED = "field_required", _("A field must be filled in")
        FIELD_PATTERN = "field_pattern", _("A field, when filled in, must match a pattern")
        PROGRAMME_IN = "programme_in", _("The activity's programme must be one of a list")
        PROGRAMME_EXCLUDED = "programme_excluded", _("The activity's programme must not be one of a list")
        BILATERAL_AGREEMENT = "bilateral_agreement", _("NDC use needs a bilateral agreement with each acquiring Party")
        AGREEMENT_KIND = "agreement_kind", _("NDC use needs an agreement of a given kind in force between the Parties")

    class Applies(models.TextChoices):
        ALL = "all", _("Every proponent")
        FOREIGN = "foreign", _("Proponents incorporated outside the host Party")

    class Side(models.TextChoices):
        HOST = "host", _("When the Party hosts the activity")
        ACQUIRING = "acquiring", _("When the application names the Party as an acquiring Party")

    FIELD_CHOICES = [
        ("host_registry_id", _("Host registry ID")),
        ("local_partner", _("Local partner")),
        ("benefit_sharing_plan", _("Benefit-sharing plan")),
        ("description", _("Description")),
        ("programme", _("Programme")),
        ("programme_registry_id", _("Programme registry ID")),
    ]
    FIELD_KINDS = (Kind.FIELD_REQUIRED, Kind.FIELD_PATTERN)
    PROGRAMME_KINDS = (Kind.PROGRAMME_IN, Kind.PROGRAMME_EXCLUDED)

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="requirements")
    side = models.CharField(_("applies"), max_length=10, choices=Side.choices, default=Side.HOST)
    transition = models.CharField(_("before transition"), max_length=20, default="submit",
                                  choices=[("submit", "submit"), ("resubmit", "resubmit")])
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=40, choices=FIELD_CHOICES, blank=True)
    pattern = models.CharField(_("pattern"), max_length=200, blank=True,
                               help_text=_("A regular expression the whole value must match, e.g. [A-Z]{3}-[0-9]{4}."))
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    agreement_kind = models.CharField(_("agreement kind"), max_length=30, choices=AgreementKind.choices, blank=True)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=Applies.choices, default=Applies.ALL)
    message = models.CharField(_("message"), max_length=300)
    source = models.TextField(_("source"), blank=True)
    source_verified = models.BooleanField(
        _("the source confirms the rule"), default=True,
        help_text=_("Untick where the source describes the rule only in part or second-hand; the rule still applies."))

    class Meta:
        ordering = ["party__code", "id"]

    def __str__(self) -> str:
        return f"{self.party.code}: {self.message}"

    def clean(self) -> None:
        errors = {}
        if self.kind in self.FIELD_KINDS and not self.field:
            errors["field"] = _("Name the field the requirement checks.")
        if self.kind == self.Kind.FIELD_PATTERN:
            try:
                re.compile(self.pattern)
            except re.error as error:
                errors["pattern"] = _("This is not a regular expression: %(error)s.") % {"error": error}
            if not self.pattern:
                errors["pattern"] = _("Give the pattern the field must match.")
        if self.kind in self.PROGRAMME_KINDS:
            unknown = [code for code in (self.programmes or []) if code not in Programme.values]
            if not isinstance(self.programmes, list) or not self.programmes or unknown:
                errors["programmes"] = _("Choose one or more programmes.")
        if self.kind == self.Kind.AGREEMENT_KIND and not self.agreement_kind:
            errors["agreement_kind"] = _("Choose the kind of agreement that must be in force.")
        if errors:
            raise ValidationError(errors)


class BilateralAgreementQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Agreements in force on the day: from entry into force (or, where the source gives only a signature, from
        signature) until the end date; an undated agreement is never in force."""
        on = on or timezone.localdate()
        started = models.Q(entry_into_force__lte=on) | models.Q(entry_into_force__isnull=True, date_signed__lte=on)
        return self.filter(started).filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=on))



class BilateralAgreement(models.Model):
    """An agreement under which an acquiring Party may use a host Party's ITMOs towards its NDC."""

    acquiring_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="agreements_as_acquirer")
    host_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="agreements_as_host")
    instrument = models.CharField(_("instrument"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices, default=AgreementKind.IMPLEMENTING_AGREEMENT)
    date_signed = models.DateField(_("signed"), null=True, blank=True)
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = BilateralAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["acquiring_party__code", "host_party__code"]

    def __str__(self) -> str:
        return f"{self.acquiring_party.code}–{self.host_party.code}: {self.instrument}"

    def clean(self) -> None:
        if self.acquiring_party_id and self.acquiring_party_id == self.host_party_id:
            raise ValidationError(_("An agreement needs two different Parties."))


class CooperativeApproachStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    INITIAL_REPORT_SUBMITTED = "initial_report_submitted", _("Initial report submitted")
    OPERATIONAL = "operational", _("Operational")
    ENDED = "ended", _("Ended")


class CooperativeApproach(models.Model):
    """An Article 6.2 cooperative approach: the Parties taking part, the agreements it implements, its initial report.

    `code` is stable and ours; the UNFCCC identifier (CA followed by 4 digits) is recorded once the
    secretariat assigns it, and until then the ledger and the AEF carry the code, marked provisional.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unfccc_id = models.CharField(_("UNFCCC identifier"), max_length=6, blank=True,
                                 help_text=_("CA followed by 4 digits, once the UNFCCC has assigned it."))
    host_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="approaches_as_host")
    acquiring_parties = models.ManyToManyField(Party, related_name="approaches_as_acquirer", blank=True)
    agreements = models.ManyToManyField(BilateralAgreement, related_name="cooperative_approaches", blank=True)
    # Which uses the approach covers: the application's purposes must be among them ("" = any).
    purposes = models.CharField(_("purposes covered"), max_length=20, blank=True,
                                choices=[("NDC", "NDC"), ("OIMP", "OIMP"), ("NDC and OIMP", "NDC and OIMP")])
    initial_report_date = models.DateField(_("initial report submitted"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=30, choices=CooperativeApproachStatus.choices,
                              default=CooperativeApproachStatus.PLANNED)
    acquirer_authorization_required = models.BooleanField(
        _("the acquiring Party's authorization is required"), default=False,
        help_text=_("After the host's corresponding adjustment approval, each acquiring Party's authority must authorize "
                    "the acquisition before the first transfer."))
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("cooperative approaches")
        constraints = [models.CheckConstraint(condition=models.Q(unfccc_id="") | models.Q(unfccc_id__regex=r"^CA[0-9]{4}$"),
                                              name="cooperative_approach_unfccc_id_format")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def identifier(self) -> str:
        """What the ledger and the AEF carry: the UNFCCC identifier, or until it is recorded the approach's own code."""
        return self.unfccc_id or self.code

    @property
    def identifier_is_provisional(self) -> bool:
        return not self.unfccc_id

    def clean(self) -> None:
        if self.unfccc_id and not re.fullmatch(r"CA\d{4}", self.unfccc_id):
            raise ValidationError({"unfccc_id": _("Use CA followed by 4 digits, as the UNFCCC assigned it.")})


class ProponentOrganisation(models.Model):
    """A project developer; `country` is where it is incorporated (ISO 3166-1 alpha-3)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country of incorporation"), max_length=3)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organisations", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
