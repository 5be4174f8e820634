"""An authorization application, its stages in the host Party's tiers, and the Letter of Authorization."""
from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from apps.governance.models import Authority, CooperativeApproach, Duty, EscalationLevel, Jurisdiction, Party, Programme, ProponentOrganisation

from .workflow import APPLICATION, STAGE_DUTY, LetterStatus, State  # noqa: F401  (re-exported for callers)


class Purpose(models.TextChoices):
    """AEF vocabulary for the authorized use of the mitigation outcomes."""

    NDC = "NDC", "NDC"
    OIMP = "OIMP", "OIMP"
    NDC_AND_OIMP = "NDC and OIMP", "NDC and OIMP"


class Mechanism(models.TextChoices):
    """Under which Article 6 route the activity runs: a cooperative approach (6.2) or the mechanism (6.4, PACM)."""

    ARTICLE_6_2 = "article_6_2", _("Article 6.2 cooperative approach")
    ARTICLE_6_4 = "article_6_4", _("Article 6.4 mechanism (PACM)")


class FirstTransferDefinition(models.TextChoices):
    """When a mitigation outcome is first transferred (decision 2/CMA.3 annex, para 2(b))."""

    INTERNATIONAL_TRANSFER = "First international transfer", _("First international transfer (NDC use)")
    AUTHORIZATION = "Authorization", _("Authorization")
    ISSUANCE = "Issuance", _("Issuance")
    USE_OR_CANCELLATION = "Use or cancellation", _("Use or cancellation")


class Application(APPLICATION.fsm_methods("state"), ConcurrentTransitionMixin, models.Model):
    """A proponent's request for the host Party's authorization of ITMOs from one activity.

    `state` is protected: only the transitions of `workflow.APPLICATION` change it (django-fsm methods
    made from the table), and only the services call them, through the workflow engine (permission,
    audit, stage and notifications in one transaction). ConcurrentTransitionMixin makes the save
    conditional on the state read, so two officers cannot both win.
    """

    reference = models.CharField(max_length=32, unique=True, editable=False)
    organisation = models.ForeignKey(ProponentOrganisation, on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    host_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="hosted_applications")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="applications")
    acquiring_parties = models.ManyToManyField(Party, related_name="acquiring_applications", blank=True)
    sector = models.CharField(_("sector"), max_length=100)
    mitigation_type = models.CharField(_("mitigation type"), max_length=100)
    activity_type = models.CharField(_("activity type"), max_length=100)
    requested_quantity = models.PositiveBigIntegerField(_("requested quantity (tCO2e)"), validators=[MinValueValidator(1)])
    vintage_from = models.PositiveSmallIntegerField(_("first vintage"))
    vintage_to = models.PositiveSmallIntegerField(_("last vintage"))
    purposes = models.CharField(_("purposes"), max_length=20, choices=Purpose.choices)
    first_transfer_definition = models.CharField(
        _("first transfer definition"), max_length=40, choices=FirstTransferDefinition.choices
    )
    host_registry_id = models.CharField(_("host registry ID"), max_length=60, blank=True)
    local_partner = models.CharField(_("local partner"), max_length=200, blank=True)
    benefit_sharing_plan = models.TextField(_("benefit-sharing plan"), blank=True)
    # The AEF's cooperative approach ID, and the mechanism (6.4: share of proceeds and OMGE at issuance).
    cooperative_approach_id = models.CharField(_("cooperative approach ID"), max_length=6, blank=True,
                                               help_text=_("CA followed by 4 digits, as the UNFCCC assigned it."))
    mechanism = models.CharField(_("mechanism"), max_length=12, choices=Mechanism.choices, default=Mechanism.ARTICLE_6_2)
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices, blank=True)
    programme_registry_id = models.CharField(_("programme registry ID"), max_length=60, blank=True)
    # An Article 6.4 activity that was a CDM activity and asks to transition: its CDM registration reference.
    cdm_reference = models.CharField(_("CDM registration reference"), max_length=40, blank=True)
    # When the host approved the Article 6.4 activity (or the CDM activity's transition); a resubmission then goes
    # straight to the letter, and the state says whether its units were authorized.
    host_approved_at = models.DateTimeField(_("host approval"), null=True, blank=True, editable=False)
    # The cooperative approach the activity runs under (determined from host, acquirers and purposes, or named).
    approach = models.ForeignKey(CooperativeApproach, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="applications", verbose_name=_("cooperative approach"))
    # The current letter version (null until the first is issued): at most one is current, by construction.
    loa = models.OneToOneField("LetterOfAuthorization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               editable=False)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="application_jur_state_idx"),
            models.Index(fields=["organisation", "-created_at"], name="application_org_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(vintage_from__lte=models.F("vintage_to")), name="application_vintages_ordered"),
            models.CheckConstraint(condition=Q(requested_quantity__gt=0), name="application_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def article_6_4(self) -> bool:
        return self.mechanism == Mechanism.ARTICLE_6_4

    @property
    def approach_identifier(self) -> str:
        """The cooperative approach as reported: its UNFCCC identifier, or its own code until one is recorded."""
        return self.approach.identifier if self.approach_id else self.cooperative_approach_id

    @property
    def open_amendment(self) -> "Amendment | None":
        """The amendment now running through the tiers, if any (read once per object)."""
        if not hasattr(self, "_open_amendment"):
            self._open_amendment = self.amendments.filter(status=AmendmentStatus.OPEN).first() if self.pk else None
        return self._open_amendment


def document_path(document: "Document", filename: str) -> str:
    return f"documents/{document.application.reference}/{filename}"


class Document(models.Model):
    """A supporting document, stored under MEDIA_ROOT (never served directly) with a random name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    original_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_path, max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ReferenceCounter(models.Model):
    """The last number handed out per prefix; locked while a number is taken, so none is reused."""

    prefix = models.CharField(max_length=24, unique=True)
    last_number = models.PositiveIntegerField(default=0)


class StageQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Stage(models.Model):
    """The time an application spends with one duty holder, with its deadline and escalation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stages")
    duty = models.CharField(max_length=30, choices=Duty.choices)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="stages")
    # The acquiring Party whose authority holds an `acquiring_authorization` stage (null: the host's own stages).
    acquiring_party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalation_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField()
    # When the holder's reviewers and approvers are reminded (null: the policy sends no reminder).
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    # Past due_at plus the policy's grace, the next tier up is called in.
    escalate_at = models.DateTimeField()
    # When the sweep must next look at this stage; null once nothing more can happen.
    next_check_at = models.DateTimeField(null=True)
    escalation_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices, default=EscalationLevel.ON_TIME)
    next_tier_may_act = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            # One open stage of the host's, or one per acquiring Party while they authorize side by side.
            models.UniqueConstraint(fields=["application", "acquiring_party"], condition=Q(closed_at__isnull=True),
                                    nulls_distinct=False, name="one_open_stage_per_application_and_party"),
        ]
        indexes = [
            # The sweep reads only open stages that are due: cost follows the due, not the open.
            models.Index(fields=["next_check_at"], condition=Q(closed_at__isnull=True, next_check_at__isnull=False), name="stage_due_open_idx"),
            models.Index(fields=["authority", "due_at"], condition=Q(closed_at__isnull=True), name="stage_queue_idx"),
            # The queue's escalated branch: stages called up to the next tier, in due order.
            models.Index(fields=["escalation_authority", "due_at"], condition=Q(closed_at__isnull=True, escalation_level__gte=EscalationLevel.NEXT_TIER),
                         name="stage_escalated_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.duty} · {self.authority}"

    @property
    def timezone_name(self) -> str:
        """The time zone of the jurisdiction holding the duty: deadlines are shown in it, stored in UTC."""
        jurisdiction = self.authority.jurisdiction
        return jurisdiction.timezone or jurisdiction.party.timezone or "UTC"

    @property
    def due_at_local(self):
        from zoneinfo import ZoneInfo

        return self.due_at.astimezone(ZoneInfo(self.timezone_name))


class AmendmentStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    ENDED = "ended", _("Ended by revocation")


class Amendment(models.Model):
    """A change to an authorized application (quantity, vintages), asked by the proponent and decided by both tiers.

    Approval issues the next letter version with the endorsed terms; refusal leaves the current version in force.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="amendments")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField()
    requested_quantity = models.PositiveBigIntegerField()
    vintage_from = models.PositiveSmallIntegerField()
    vintage_to = models.PositiveSmallIntegerField()
    # The LoA holder's endorsement: the terms of the next version, and in whose name.
    authorized_quantity = models.PositiveBigIntegerField(null=True, blank=True)
    authorized_vintage_from = models.PositiveSmallIntegerField(null=True, blank=True)
    authorized_vintage_to = models.PositiveSmallIntegerField(null=True, blank=True)
    endorsed_by_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    letter = models.ForeignKey("LetterOfAuthorization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="open"), name="one_open_amendment_per_application"),
            models.CheckConstraint(condition=Q(vintage_from__lte=models.F("vintage_to")), name="amendment_vintages_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} amendment {self.pk}"


class LetterOfAuthorization(models.Model):
    """One numbered, immutable version of the host Party's consent; only its status may change after issue.

    An application's letters are versions 1, 2, …; the application points at its current one
    (`Application.loa`), so there is never more than one. Version 1 is `LOA-<reference>`, later
    versions `LOA-<reference>-<version>`.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="letters")
    version = models.PositiveSmallIntegerField(default=1)
    number = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=40, choices=LetterStatus.choices, default=LetterStatus.PENDING_CORRESPONDING_ADJUSTMENT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    issuing_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="letters")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    authorized_quantity = models.PositiveBigIntegerField()
    vintage_from = models.PositiveSmallIntegerField()
    vintage_to = models.PositiveSmallIntegerField()
    purposes = models.CharField(max_length=20, choices=Purpose.choices)
    first_transfer_definition = models.CharField(max_length=40, choices=FirstTransferDefinition.choices)
    acquiring_parties = models.JSONField(default=list)
    fingerprint = models.CharField(max_length=64, unique=True)
    # The corresponding adjustment's approval, once the CA holder gave it (the letter's second page).
    ca_approved_by_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ca_approved_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(authorized_quantity__gt=0), name="loa_quantity_positive"),
            models.UniqueConstraint(fields=["application", "version"], name="loa_one_number_per_version"),
        ]
        # The public register's keyset orders (column, id) and its conditional GET's latest status change.
        indexes = [
            models.Index(fields=["issued_at", "id"], name="loa_issued_keyset_idx"),
            models.Index(fields=["authorized_quantity", "id"], name="loa_quantity_keyset_idx"),
            models.Index(fields=["status_changed_at"], name="loa_status_changed_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="loa_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="loa_content_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(
                    exclude=["status", "status_changed_at", "ca_approved_by_authority", "ca_approved_at", "revoked_at"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def in_force(self) -> bool:
        return self.status == LetterStatus.IN_FORCE
