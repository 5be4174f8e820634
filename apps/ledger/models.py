"""The ITMO ledger: registry accounts, serial blocks and the immutable actions that moved them.

Blocks are the current position (who holds which serials); actions are the
history. Every balance can be recomputed from the actions (`check_ledger`).
On PostgreSQL the database itself refuses overlapping live blocks, a serial
first-transferred twice, non-positive quantities, and any edit of an action
(see the migrations: an exclusion constraint over int8range with btree_gist).
"""
from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.authorizations.models import Application, Document
from apps.governance.models import Party, ProponentOrganisation


class AccountKind(models.TextChoices):
    PARTY_HOLDING = "party", _("Party holding account")
    ENTITY_HOLDING = "entity", _("Authorized entity holding account")
    RETIREMENT = "retirement", _("Use and cancellation account")
    ADAPTATION_FUND = "adaptation_fund", _("Adaptation Fund account (Article 6.4 share of proceeds)")
    MECHANISM_HOLDING = "mechanism", _("Mechanism registry holding account")
    OMGE_CANCELLATION = "omge", _("Mechanism registry cancellation account for OMGE")


HOLDING_KINDS = (AccountKind.PARTY_HOLDING, AccountKind.ENTITY_HOLDING)
MECHANISM_KINDS = (AccountKind.MECHANISM_HOLDING, AccountKind.ADAPTATION_FUND, AccountKind.OMGE_CANCELLATION)


class RegistryAccount(models.Model):
    """An account in a Party's ITMO registry (or the mechanism's Adaptation Fund account)."""

    key = models.CharField(max_length=40, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="registry_accounts")
    organisation = models.ForeignKey(ProponentOrganisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="registry_accounts")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class SerialCounter(models.Model):
    """The last serial handed out per Party registry; locked while a block is issued, so serials never repeat."""

    registry_id = models.CharField(max_length=5, unique=True)
    last_id = models.BigIntegerField(default=0)


class ActionType(models.TextChoices):
    """The ledger's actions; all but Issuance are the AEF action types (Issuance is reported as Authorization)."""

    ISSUANCE = "Issuance", _("Issuance")
    FIRST_TRANSFER = "First transfer", _("First transfer")
    TRANSFER = "Transfer", _("Transfer")
    ACQUISITION = "Acquisition", _("Acquisition")
    USE = "Use", _("Use")
    CANCELLATION = "Cancellation", _("Cancellation")
    VOLUNTARY_CANCELLATION = "Voluntary Cancellation", _("Voluntary Cancellation")
    # Ledger-only: authorized A6.4ERs moved from the mechanism registry into the host's national registry.
    FORWARDING = "Forwarding", _("Forwarding to the national registry")


AEF_ACTION_TYPES = [t for t in ActionType if t != ActionType.FORWARDING]


class Subtype(models.TextChoices):
    """AEF action subtypes (controlled values of aef_tables.json)."""

    NONE = "", ""
    FIRST_TRANSFER_TO_PARTY = "First transfer to another Party", "First transfer to another Party"
    AUTHORIZATION = "Authorization", "Authorization"
    ISSUANCE = "Issuance", "Issuance"
    USE_OR_CANCELLATION = "Use or cancellation", "Use or cancellation"
    ADAPTATION_FUND = "Mandatory transfer to the Adaptation Fund (A6.4 ERs)", "Mandatory transfer to the Adaptation Fund (A6.4 ERs)"
    OMGE = "Mandatory cancellation to deliver OMGE", "Mandatory cancellation to deliver OMGE"
    OTHER_CANCELLATION = "Other cancellations", "Other cancellations"


class Block(models.Model):
    """A contiguous run of ITMO serials (first_id..last_id inclusive) held by one account.

    A partial transfer takes the front of a block: the block keeps the rest
    (its first_id moves up) and a new block holds what moved.
    """

    registry_id = models.CharField(_("Party ITMO registry ID"), max_length=5)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    quantity = models.BigIntegerField()
    account = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="blocks")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="itmo_blocks")
    cooperative_approach_id = models.CharField(max_length=40)  # a UNFCCC CA identifier, or the approach code until one is recorded
    first_transferring_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    first_transferred = models.BooleanField(default=False)
    # A6.4ERs the host did not authorize for international use: no CA, never first-transferred.
    mitigation_contribution = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["registry_id", "first_id"]
        indexes = [models.Index(fields=["account", "application", "vintage", "first_id"], name="block_holding_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="block_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity=F("last_id") - F("first_id") + 1), name="block_quantity_matches_serials"),
            models.CheckConstraint(condition=Q(first_id__gt=0), name="block_serials_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.registry_id} {self.first_id}–{self.last_id}"


class Action(models.Model):
    """One immutable ledger action over a serial range, reported by `party`.

    `from_account`/`to_account` say how it moved holdings (both null for a
    record that moves nothing: an Acquisition mirrors the transferring Party's
    transfer; a First transfer marked at authorization, issuance or use).
    """

    action_type = models.CharField(max_length=30, choices=ActionType.choices)
    subtype = models.CharField(max_length=60, choices=Subtype.choices, blank=True, default="")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="ledger_actions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="ledger_actions")
    registry_id = models.CharField(max_length=5)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    quantity = models.BigIntegerField()
    cooperative_approach_id = models.CharField(max_length=40)
    first_transferring_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    from_account = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_account = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    transferring_party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    acquiring_party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Use and cancellation: what for ("NDC" or an OIMP such as "CORSIA"), and the NDC year a Use counts towards.
    purpose = models.CharField(max_length=60, blank=True)
    year_used = models.PositiveSmallIntegerField(null=True, blank=True)
    using_entity = models.ForeignKey(ProponentOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    mitigation_contribution = models.BooleanField(default=False, db_default=False)
    # The verification an Issuance drew on; each verification backs one issuance only.
    verification = models.ForeignKey("Verification", on_delete=models.PROTECT, null=True, blank=True, related_name="issuances")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["party", "at"], name="action_party_at_idx"),
            models.Index(fields=["application", "action_type"], name="action_application_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="action_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity=F("last_id") - F("first_id") + 1), name="action_quantity_matches_serials"),
            models.UniqueConstraint(fields=["verification"], condition=Q(action_type="Issuance"),
                                    name="one_issuance_per_verification"),
        ]
        triggers = [pgtrigger.Protect(name="ledger_action_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action_type} {self.registry_id} {self.first_id}–{self.last_id}"

    @property
    def moves(self) -> bool:
        return self.from_account_id is not None or self.to_account_id is not None


class MonitoringReport(models.Model):
    """The proponent's claim of what one activity achieved in a monitoring period, for one vintage year."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="monitoring_reports")
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    period_from = models.DateField(_("monitoring period from"))
    period_to = models.DateField(_("monitoring period to"))
    quantity = models.BigIntegerField(_("quantity claimed (tCO2e)"))
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "vintage", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="monitoring_quantity_positive"),
            models.CheckConstraint(condition=Q(period_to__gte=F("period_from")), name="monitoring_period_ordered"),
        ]
        triggers = [pgtrigger.Protect(name="monitoring_report_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.application_id} {self.vintage} {self.period_from}–{self.period_to}"


class Verification(models.Model):
    """An accredited third party's verification of a monitoring report: what may be issued for it, once."""

    monitoring_report = models.OneToOneField(MonitoringReport, on_delete=models.PROTECT, related_name="verification")
    verifier = models.CharField(_("verifier"), max_length=200)
    accreditation = models.CharField(_("accreditation reference"), max_length=100)
    verified_quantity = models.BigIntegerField(_("verified quantity (tCO2e)"))
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(verified_quantity__gt=0), name="verified_quantity_positive")]
        triggers = [pgtrigger.Protect(name="verification_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.verifier} ({self.accreditation}): {self.verified_quantity}"
