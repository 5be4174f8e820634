"""Ledger endpoints: issue, transfer, use, cancel, and the corresponding adjustment of a Party-year."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authorizations.models import Application, Document
from apps.authorizations.selectors import visible_applications
from apps.governance.models import Party
from apps.ledger import services
from apps.ledger.models import Action, MonitoringReport, Verification
from apps.ledger.selectors import adjustments_for, first_transfer_actions, ndc_use_actions
from apps.permissions import holds_itmos_of, sees_ledger_of

from .fields import StrictIntegerField


class ActionSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    party = serializers.CharField(source="party_id")
    first_transferring_party = serializers.CharField(source="first_transferring_party_id")
    acquiring_party = serializers.CharField(source="acquiring_party_id", allow_null=True)
    transferring_party = serializers.CharField(source="transferring_party_id", allow_null=True)

    class Meta:
        model = Action
        fields = ["id", "action_type", "subtype", "party", "application", "registry_id", "first_id", "last_id", "quantity",
                  "cooperative_approach_id", "first_transferring_party", "vintage", "transferring_party", "acquiring_party",
                  "purpose", "year_used", "at"]


class PartyField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Party.objects.all(), **kwargs)


class QuantityInput(serializers.Serializer):
    vintage = StrictIntegerField(min_value=1990, max_value=2100)
    quantity = StrictIntegerField(min_value=1)


class IssuanceInput(QuantityInput):
    cooperative_approach_id = serializers.RegexField(r"^CA\d{4}$", required=False,
                                                     error_messages={"invalid": "Use CA followed by 4 digits."})
    monitoring_report = serializers.IntegerField(required=False, min_value=1,
                                                 help_text="The verified monitoring report to issue against (default: the oldest unissued one of the vintage that covers the quantity).")


class MonitoringReportInput(serializers.Serializer):
    vintage = serializers.IntegerField(min_value=1990, max_value=2100)
    period_from = serializers.DateField(help_text="ISO date, first day monitored.")
    period_to = serializers.DateField(help_text="ISO date, last day monitored.")
    quantity = serializers.IntegerField(min_value=1, max_value=10**12, help_text="tCO2e claimed for the vintage.")
    document = serializers.IntegerField(required=False, min_value=1, help_text="An uploaded document of the application.")
    file = serializers.FileField(required=False, help_text="The monitoring report itself (multipart; PDF, PNG or JPEG).")


class VerificationInput(serializers.Serializer):
    verifier = serializers.CharField(max_length=200, help_text="The accredited verifier's name.")
    accreditation = serializers.CharField(max_length=100, help_text="The verifier's accreditation reference.")
    verified_quantity = serializers.IntegerField(min_value=1, max_value=10**12)
    document = serializers.IntegerField(required=False, min_value=1, help_text="The verification report, an uploaded document of the application.")
    file = serializers.FileField(required=False, help_text="The verification report itself (multipart; PDF, PNG or JPEG).")


class VerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Verification
        fields = ["id", "verifier", "accreditation", "verified_quantity", "document", "recorded_at"]


class MonitoringReportSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    verification = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringReport
        fields = ["id", "application", "vintage", "period_from", "period_to", "quantity", "document", "submitted_at", "verification"]

    def get_verification(self, report) -> dict | None:
        verification = Verification.objects.filter(monitoring_report=report).first()
        return VerificationSerializer(verification).data if verification else None


def _document_of(application: Application, pk: int | None):
    if pk is None:
        return None
    document = Document.objects.filter(pk=pk, application=application).first()
    if document is None:
        raise serializers.ValidationError({"document": [_("No document %(id)s on this application.") % {"id": pk}]})
    return document


class MovementInput(QuantityInput):
    application = serializers.CharField(help_text="The application's reference.")


class TransferInput(MovementInput):
    to_party = PartyField(help_text="Acquiring Party, ISO 3166-1 alpha-3.")
    from_party = PartyField(required=False, help_text="Transferring Party (default: the host Party).")


class UseInput(MovementInput):
    party = PartyField(required=False, help_text="The Party using the ITMOs (default: the host Party).")
    purpose = serializers.CharField(required=False, default="NDC", max_length=60)
    year_used = StrictIntegerField(required=False, min_value=1990, max_value=2100)


class CancellationInput(MovementInput):
    party = PartyField(required=False, help_text="The Party cancelling the ITMOs (default: the host Party).")
    voluntary = serializers.BooleanField(required=False, default=False)
    purpose = serializers.CharField(required=False, default="", allow_blank=True, max_length=60)


def _visible_application(user, reference: str) -> Application:
    return get_object_or_404(visible_applications(user, Application.objects.select_related("jurisdiction")), reference=reference)


def _created(actions) -> Response:
    return Response({"actions": ActionSerializer(actions, many=True).data}, status=status.HTTP_201_CREATED)


ACTIONS_RESPONSE = inline_serializer("LedgerActions", {"actions": ActionSerializer(many=True)})


class IssuanceView(APIView):
    """Issue ITMOs of a vintage under an authorized application (approvers of the CA approval holder)."""

    @extend_schema(request=IssuanceInput, responses={201: ACTIONS_RESPONSE}, operation_id="ledger_issue")
    def post(self, request, reference: str):
        data = IssuanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = _visible_application(request.user, reference)
        values = dict(data.validated_data)
        if "monitoring_report" in values:
            values["monitoring_report"] = MonitoringReport.objects.filter(pk=values["monitoring_report"], application=application).first()
            if values["monitoring_report"] is None:
                raise serializers.ValidationError({"monitoring_report": [_("No monitoring report %(id)s on this application.")
                                                                         % {"id": data.validated_data["monitoring_report"]}]})
        return _created(services.issue_itmos(application=application, acting_user=request.user, **values))


class MonitoringReportView(APIView):
    """The proponent submits a monitoring report: the quantity claimed for one vintage over a monitoring period."""

    @extend_schema(request=MonitoringReportInput, responses={201: MonitoringReportSerializer}, operation_id="ledger_monitoring_report")
    def post(self, request, reference: str):
        data = MonitoringReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = _visible_application(request.user, reference)
        values = dict(data.validated_data)
        values["document"] = _document_of(application, values.pop("document", None))
        values["upload"] = values.pop("file", None)
        report = services.submit_monitoring_report(application=application, acting_user=request.user, **values)
        return Response(MonitoringReportSerializer(report).data, status=status.HTTP_201_CREATED)


class VerificationView(APIView):
    """The CA approval holder's approver records the accredited verifier's result for a monitoring report."""

    @extend_schema(request=VerificationInput, responses={201: VerificationSerializer}, operation_id="ledger_verification")
    def post(self, request, pk: int):
        data = VerificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        visible = visible_applications(request.user, Application.objects.all())
        report = MonitoringReport.objects.filter(pk=pk, application__in=visible).select_related("application").first()
        if report is None:
            raise NotFound(_("No monitoring report %(id)s.") % {"id": pk})
        values = dict(data.validated_data)
        values["document"] = _document_of(report.application, values.pop("document", None))
        values["upload"] = values.pop("file", None)
        verification = services.record_verification(monitoring_report=report, acting_user=request.user, **values)
        return Response(VerificationSerializer(verification).data, status=status.HTTP_201_CREATED)


class TransferView(APIView):
    """Transfer ITMOs to another Party's account; a first international transfer is recorded as First transfer."""

    @extend_schema(request=TransferInput, responses={201: ACTIONS_RESPONSE}, operation_id="ledger_transfer")
    def post(self, request):
        data = TransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = _application_for_holder(request.user, values.pop("application"))
        return _created(services.transfer_itmos(application=application, acting_user=request.user, **values))


class UseView(APIView):
    """Use ITMOs towards the Party's NDC (for `year_used`) or an OIMP (`purpose`)."""

    @extend_schema(request=UseInput, responses={201: ACTIONS_RESPONSE}, operation_id="ledger_use")
    def post(self, request):
        data = UseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = _application_for_holder(request.user, values.pop("application"))
        values["party"] = values.get("party") or application.host_party
        return _created(services.use_itmos(application=application, acting_user=request.user, **values))


class CancellationView(APIView):
    """Cancel ITMOs (`voluntary` for a voluntary cancellation)."""

    @extend_schema(request=CancellationInput, responses={201: ACTIONS_RESPONSE}, operation_id="ledger_cancel")
    def post(self, request):
        data = CancellationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = _application_for_holder(request.user, values.pop("application"))
        values["party"] = values.get("party") or application.host_party
        return _created(services.cancel_itmos(application=application, acting_user=request.user, **values))


def _application_for_holder(user, reference: str) -> Application:
    """The application if the caller sees it in the workflow, or operates a registry holding its ITMOs
    (an acquiring Party's operator); otherwise 404, the same answer as for an unknown reference."""
    applications = Application.objects.select_related("jurisdiction")
    application = visible_applications(user, applications).filter(reference=reference).first()
    if application is not None:
        return application
    application = applications.filter(reference=reference).first()
    if application is not None and holds_itmos_of(user, application):
        return application
    raise NotFound(_("No application %(reference)s.") % {"reference": reference})


class AdjustmentView(APIView):
    """The corresponding adjustment of a Party for a year, with the actions behind each figure."""

    @extend_schema(operation_id="ledger_adjustment", responses={200: inline_serializer("CorrespondingAdjustment", {
        "party": serializers.CharField(), "year": serializers.IntegerField(), "accounting": serializers.CharField(),
        "first_transferred": serializers.IntegerField(), "used": serializers.IntegerField(),
        "corresponding_adjustment": serializers.IntegerField(), "cumulative": serializers.IntegerField(),
        "average_annual": serializers.FloatField(allow_null=True),
        "first_transfer_actions": ActionSerializer(many=True), "use_actions": ActionSerializer(many=True),
    })})
    def get(self, request, party: str, year: int):
        party_obj = Party.objects.filter(code=party.upper()).first()
        if party_obj is None:
            raise NotFound(_("No Party %(code)s.") % {"code": party})
        if not sees_ledger_of(request.user, party_obj):
            raise PermissionDenied(_("Only staff of %(party)s's registry operator or report approver see its ledger.") % {"party": party_obj.code})
        figures = adjustments_for(party_obj).for_year(year)
        related = ("application",)
        return Response({
            "party": party_obj.code, "year": year, "accounting": party_obj.ndc_accounting,
            "first_transferred": figures.first_transferred, "used": figures.used,
            "corresponding_adjustment": figures.corresponding_adjustment, "cumulative": figures.cumulative,
            "average_annual": figures.average_annual,
            "first_transfer_actions": ActionSerializer(first_transfer_actions(party_obj.code, year).select_related(*related)[:500], many=True).data,
            "use_actions": ActionSerializer(ndc_use_actions(party_obj.code, year).select_related(*related)[:500], many=True).data,
        })
