"""JSON shapes of the public API contract (README, REST API). Parsing only: the rules live in the services."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.authorizations.models import Application, Document, FirstTransferDefinition, LetterOfAuthorization, Mechanism, Purpose, State
from apps.authorizations.selectors import available_transitions
from apps.authorizations.services import ApplicationInput
from apps.authorizations.workflow import APPLICATION
from apps.permissions import REVIEWER_OR_APPROVER, open_acquiring_stage_of, open_stage_of
from apps.governance.models import Authority, DutyAssignment, Jurisdiction, Party, Programme, Tier

from .fields import CodeListField, StrictIntegerField


class ApplicationInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    host_party = serializers.SlugRelatedField(slug_field="code", queryset=Party.objects.all())
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.all())
    acquiring_parties = CodeListField(queryset=Party.objects.all(), required=False, default=list)
    sector = serializers.CharField(max_length=100)
    mitigation_type = serializers.CharField(max_length=100)
    activity_type = serializers.CharField(max_length=100)
    requested_quantity = StrictIntegerField(min_value=1, max_value=10**12)
    vintage_from = StrictIntegerField(min_value=2021, max_value=2100)
    vintage_to = StrictIntegerField(min_value=2021, max_value=2100)
    purposes = serializers.ChoiceField(choices=Purpose.choices)
    first_transfer_definition = serializers.ChoiceField(
        choices=FirstTransferDefinition.choices, required=False, allow_blank=True, default="",
        help_text="Required, and one of the OIMP choices, when OIMP is among the purposes; for NDC use leave it "
                  "out: the first transfer is the first international transfer.")
    host_registry_id = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    local_partner = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    benefit_sharing_plan = serializers.CharField(required=False, allow_blank=True, default="")
    mechanism = serializers.ChoiceField(choices=Mechanism.choices, required=False, default=Mechanism.ARTICLE_6_2)
    programme = serializers.ChoiceField(choices=Programme.choices, required=False, allow_blank=True, default="",
                                        help_text="The crediting programme or standard, where the activity has one.")
    programme_registry_id = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                                  help_text="The activity's ID in the programme's registry.")
    cdm_reference = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="",
        help_text="For an Article 6.4 activity that was a CDM activity and requests transition: its CDM registration reference.")
    cooperative_approach = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="",
        help_text="The code of the cooperative approach; left out, the only one fitting host, acquiring Parties and purposes.")

    def to_input(self) -> ApplicationInput:
        return ApplicationInput(**self.validated_data)


class StageSerializer(serializers.Serializer):
    duty = serializers.CharField()
    authority = serializers.CharField(source="authority.name")
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField()
    acquiring_party = serializers.CharField(source="acquiring_party_id", allow_null=True,
                                            help_text="The acquiring Party whose authority holds the stage; null for the host's stages.")

    def get_overdue(self, stage) -> bool:
        return stage.closed_at is None and stage.due_at <= timezone.now()


class LetterVersionSerializer(serializers.ModelSerializer):
    """One version of the letter, as the `versions` list shows it (newest last)."""

    class Meta:
        model = LetterOfAuthorization
        fields = ["version", "number", "status", "issued_at", "authorized_quantity", "vintage_from", "vintage_to", "fingerprint"]


class LetterSerializer(serializers.ModelSerializer):
    """The current version of the application's letter, and every version issued."""

    issuing_authority = serializers.CharField(source="issuing_authority.name")
    issued_by = serializers.CharField(source="issued_by.username")
    in_force = serializers.BooleanField(help_text="True only while the status is `in_force` (corresponding adjustment approved).")
    ca_approved_by = serializers.CharField(source="ca_approved_by_authority.name", default=None, allow_null=True)
    versions = serializers.SerializerMethodField()

    class Meta:
        model = LetterOfAuthorization
        fields = ["number", "version", "status", "issued_at", "issuing_authority", "issued_by", "authorized_quantity",
                  "vintage_from", "vintage_to", "purposes", "first_transfer_definition", "acquiring_parties", "fingerprint",
                  "in_force", "ca_approved_by", "ca_approved_at", "revoked_at", "versions"]

    @extend_schema_field(LetterVersionSerializer(many=True))
    def get_versions(self, letter) -> list[dict]:
        application = self.context.get("application") or letter.application
        cache = getattr(application, "_prefetched_objects_cache", {})
        letters = cache["letters"] if "letters" in cache else application.letters.all()
        return LetterVersionSerializer(sorted(letters, key=lambda v: v.version), many=True).data


class HistoryEntrySerializer(serializers.Serializer):
    transition = serializers.CharField(source="data.transition")
    from_ = serializers.CharField(source="data.from")
    to = serializers.CharField(source="data.to")
    actor = serializers.CharField(source="actor_username")
    at = serializers.DateTimeField()
    comment = serializers.CharField(source="data.comment")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ApplicationSerializer(serializers.ModelSerializer):
    host_party = serializers.CharField(source="host_party_id")
    jurisdiction = serializers.CharField(source="jurisdiction_id")
    acquiring_parties = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name")
    current_stage = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    loa = serializers.SerializerMethodField()
    cooperative_approach = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["reference", "title", "description", "state", "organisation", "host_party", "jurisdiction",
                  "acquiring_parties", "sector", "mitigation_type", "activity_type", "requested_quantity",
                  "vintage_from", "vintage_to", "purposes", "first_transfer_definition", "host_registry_id",
                  "local_partner", "benefit_sharing_plan", "mechanism", "programme", "programme_registry_id", "cdm_reference", "cooperative_approach", "current_stage",
                  "available_transitions", "history", "loa", "host_approved_at", "created_at", "updated_at"]

    def get_acquiring_parties(self, application) -> list[str]:
        return sorted(party.pk for party in application.acquiring_parties.all())

    def get_cooperative_approach(self, application) -> dict | None:
        return approach_data(application.approach)

    def get_current_stage(self, application) -> dict | None:
        stage = _current_stage(application, self.context["request"].user)
        return StageSerializer(stage).data if stage is not None else None

    def get_available_transitions(self, application) -> list[str]:
        return available_transitions(self.context["request"].user, application)

    def get_history(self, application) -> list[dict]:
        events = self.context.get("history", {}).get(application.reference, [])
        return HistoryEntrySerializer(events, many=True).data

    @extend_schema_field(LetterSerializer(allow_null=True))
    def get_loa(self, application) -> dict | None:
        if application.loa is None:
            return None
        return LetterSerializer(application.loa, context={"application": application}).data


def _current_stage(application, user):
    """The open stage; while acquiring Parties review side by side, the caller's own Party's one if it has one."""
    if application.state == State.ACQUIRER_REVIEW:
        return open_acquiring_stage_of(user, application, REVIEWER_OR_APPROVER) or open_stage_of(application)
    return open_stage_of(application)


def approach_data(approach) -> dict | None:
    """The cooperative approach as the application and `/cooperative-approaches/` show it."""
    if approach is None:
        return None
    return {"code": approach.code, "name": approach.name, "unfccc_id": approach.unfccc_id or None,
            "identifier": approach.identifier, "identifier_provisional": approach.identifier_is_provisional,
            "host_party": approach.host_party_id,
            "acquiring_parties": sorted(party.pk for party in approach.acquiring_parties.all()),
            "agreements": [agreement.instrument for agreement in approach.agreements.all()],
            "initial_report_date": approach.initial_report_date.isoformat() if approach.initial_report_date else None,
            "status": approach.status, "acquirer_authorization_required": approach.acquirer_authorization_required}


_DATETIME = serializers.DateTimeField()  # stateless: one instance formats every timestamp as DRF would
_TEXT_FIELDS = ["reference", "title", "description", "state"]
_ACTIVITY_FIELDS = ["sector", "mitigation_type", "activity_type"]
_INTEGER_FIELDS = ["requested_quantity", "vintage_from", "vintage_to"]
_USE_FIELDS = ["purposes", "first_transfer_definition", "host_registry_id", "local_partner", "benefit_sharing_plan", "mechanism",
               "programme", "programme_registry_id", "cdm_reference"]


def _text(value):
    return None if value is None else str(value)


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


_VERSION_TEXT = ["number", "status", "fingerprint"]
_VERSION_INTEGERS = ["version", "authorized_quantity", "vintage_from", "vintage_to"]


def _version_data(letter) -> dict:
    data = {name: _text(getattr(letter, name)) for name in _VERSION_TEXT}
    data.update({name: int(getattr(letter, name)) for name in _VERSION_INTEGERS})
    data["issued_at"] = _when(letter.issued_at)
    return {name: data[name] for name in LetterVersionSerializer.Meta.fields}


def letter_data(letter, versions) -> dict:
    """LetterSerializer's output, built directly: two ModelSerializers' field construction cost more than the read."""
    data = _version_data(letter)
    data.update({
        "issuing_authority": _text(letter.issuing_authority.name), "issued_by": _text(letter.issued_by.username),
        "purposes": _text(letter.purposes), "first_transfer_definition": _text(letter.first_transfer_definition),
        "acquiring_parties": letter.acquiring_parties, "in_force": bool(letter.in_force),
        "ca_approved_by": None if letter.ca_approved_by_authority is None else _text(letter.ca_approved_by_authority.name),
        "ca_approved_at": _when(letter.ca_approved_at), "revoked_at": _when(letter.revoked_at),
        "versions": [_version_data(version) for version in sorted(versions, key=lambda v: v.version)]})
    return {name: data[name] for name in LetterSerializer.Meta.fields}


def application_detail_data(application, user) -> dict:
    """ApplicationSerializer's output for one application, without building ~50 DRF fields per request.

    For the detail read (apps/api/selectors.py has loaded everything it shows); the list keeps the
    serializer, and tests/api/test_detail_read.py asserts the two give the same body.
    """
    data = {name: _text(getattr(application, name)) for name in _TEXT_FIELDS}
    data["organisation"] = _text(application.organisation.name)
    data["host_party"] = _text(application.host_party_id)
    data["jurisdiction"] = _text(application.jurisdiction_id)
    codes = getattr(application, "acquiring_codes", None)
    data["acquiring_parties"] = codes if codes is not None else sorted(party.pk for party in application.acquiring_parties.all())
    data.update({name: _text(getattr(application, name)) for name in _ACTIVITY_FIELDS})
    data.update({name: None if getattr(application, name) is None else int(getattr(application, name)) for name in _INTEGER_FIELDS})
    data.update({name: _text(getattr(application, name)) for name in _USE_FIELDS})
    data["cooperative_approach"] = approach_data(application.approach)
    stage = _current_stage(application, user)
    data["current_stage"] = None if stage is None else {
        "duty": _text(stage.duty), "authority": _text(stage.authority.name), "due_at": _when(stage.due_at),
        "overdue": stage.closed_at is None and stage.due_at <= timezone.now(), "escalation_level": int(stage.escalation_level),
        "acquiring_party": stage.acquiring_party_id}
    data["available_transitions"] = available_transitions(user, application)
    data["history"] = [{"transition": _text(event["data"]["transition"]), "from": _text(event["data"]["from"]),
                        "to": _text(event["data"]["to"]), "actor": _text(event["actor_username"]), "at": _when(event["at"]),
                        "comment": _text(event["data"]["comment"])} for event in application.transition_history]
    letter = application.loa
    data["loa"] = None if letter is None else letter_data(letter, application.letters.all())
    data["host_approved_at"] = _when(application.host_approved_at)
    data["created_at"] = _when(application.created_at)
    data["updated_at"] = _when(application.updated_at)
    return data


class TransitionSerializer(serializers.Serializer):
    """`{"transition": NAME, "comment": ..., ...}`: the names and parameters of the transition table."""

    transition = serializers.ChoiceField(choices=sorted(APPLICATION.names))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def get_fields(self):
        fields = super().get_fields()
        # Each parameter once, however many transitions take it; the service says which are missing.
        for parameter in {p.name: p for t in APPLICATION for p in t.parameters}.values():
            fields[parameter.name] = StrictIntegerField(required=False, min_value=parameter.min_value,
                                                        max_value=parameter.max_value)
        return fields


class ApplicationUpdateSerializer(ApplicationInputSerializer):
    """PATCH: any subset of the proponent's fields; the rest keep their values. The host Party cannot change."""


class HistoryEventSerializer(serializers.Serializer):
    """Every recorded event of the application, oldest first (creation, edits, transitions, documents)."""

    seq = serializers.IntegerField()
    event = serializers.CharField()
    actor = serializers.CharField(source="actor_username")
    at = serializers.DateTimeField()
    transition = serializers.CharField(source="data.transition", default=None, allow_null=True)
    from_ = serializers.CharField(source="data.from", default=None, allow_null=True)
    to = serializers.CharField(source="data.to", default=None, allow_null=True)
    comment = serializers.CharField(source="data.comment", default=None, allow_null=True)
    hash = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "title", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at", "download"]

    def get_download(self, document) -> str:
        return f"/api/v1/applications/{document.application.reference}/documents/{document.pk}/"


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG or JPEG (checked by content), at most 10 MB.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QueueEntrySerializer(serializers.Serializer):
    """One open stage I may act on, with its application."""

    reference = serializers.CharField(source="application.reference")
    title = serializers.CharField(source="application.title")
    state = serializers.CharField(source="application.state")
    jurisdiction = serializers.CharField(source="application.jurisdiction_id")
    duty = serializers.CharField()
    authority = serializers.CharField(source="authority.name")
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField()
    acquiring_party = serializers.CharField(source="acquiring_party_id", allow_null=True,
                                            help_text="The acquiring Party whose authority holds the stage; null for the host's stages.")

    def get_overdue(self, stage) -> bool:
        return stage.due_at <= timezone.now()


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["code", "name", "is_host", "is_acquiring", "timezone"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "party", "name", "order"]


class JurisdictionSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.name")

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "party", "tier", "parent", "timezone"]


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["id", "name", "short_name", "jurisdiction", "email"]


class DutyAssignmentSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.name")
    tier_order = serializers.IntegerField(source="tier.order")

    class Meta:
        model = DutyAssignment
        fields = ["id", "party", "duty", "tier", "tier_order", "sla_days", "calendar", "escalation_grace_days",
                  "next_tier_may_act"]
