"""Report endpoints: open a report, run its transitions, correct a cell, download the AEF."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.governance.models import Party
from apps.permissions import parties_seen_by
from apps.reporting import services
from apps.reporting.aef import AEFBuilder, validate
from apps.reporting.exports import EXPORTS, aef_file_response
from apps.reporting.models import Report
from apps.reporting.workflow import REPORT
from config.converters import FIRST_YEAR, LAST_YEAR

from .fields import StrictIntegerField



class ReportSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="party_id")
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    available_transitions = serializers.SerializerMethodField()
    exports = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "party", "year", "version", "state", "created_at", "approved_by", "approved_at", "fingerprint",
                  "submitted_at", "available_transitions", "exports"]

    def get_available_transitions(self, report) -> list[str]:
        return services.available_transitions(self.context["request"].user, report)

    def get_exports(self, report) -> dict[str, str]:
        base = f"/api/v1/reports/{report.pk}/aef"
        return {"json": f"{base}.json", "xlsx": f"{base}.xlsx", "csv": f"{base}.csv.zip"}


class ReportInput(serializers.Serializer):
    party = serializers.SlugRelatedField(slug_field="code", queryset=Party.objects.all())
    year = StrictIntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class TransitionInput(serializers.Serializer):
    transition = serializers.ChoiceField(choices=REPORT.names)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionInput(serializers.Serializer):
    table = serializers.CharField()
    row_key = serializers.CharField()
    column = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


def visible_reports(user):
    return Report.objects.filter(party_id__in=parties_seen_by(user)).select_related("approved_by")


class ReportListView(APIView):
    """Reports of the Parties whose reporting the caller takes part in; POST opens one."""

    # The list has the API's page shape; one Party has a report per year and version, so it is one page (200 at most).
    @extend_schema(responses={200: inline_serializer("ReportPage", {
        "results": ReportSerializer(many=True), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True)})}, operation_id="reports_list")
    def get(self, request):
        return Response({"results": ReportSerializer(visible_reports(request.user)[:200], many=True, context={"request": request}).data,
                         "next": None, "previous": None})

    @extend_schema(request=ReportInput, responses={201: ReportSerializer}, operation_id="reports_create")
    def post(self, request):
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.create_report(acting_user=request.user, **data.validated_data)
        return Response(ReportSerializer(report, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _report(request, pk: int) -> Report:
    return get_object_or_404(visible_reports(request.user), pk=pk)


class ReportDetailView(APIView):
    @extend_schema(responses={200: ReportSerializer}, operation_id="reports_retrieve")
    def get(self, request, pk: int):
        report = _report(request, pk)
        body = ReportSerializer(report, context={"request": request}).data
        body["validation"] = [str(issue) for issue in validate(AEFBuilder(report))] if report.state == "draft" else []
        return Response(body)


class ReportTransitionView(APIView):
    """Run `submit_for_review`, `return_to_draft` (comment required), `approve` or `mark_submitted`."""

    @extend_schema(request=TransitionInput, responses={200: ReportSerializer}, operation_id="reports_transition")
    def post(self, request, pk: int):
        report = _report(request, pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.TRANSITION_SERVICES[data.validated_data["transition"]]
        report = service(report, acting_user=request.user, comment=data.validated_data["comment"])
        return Response(ReportSerializer(report, context={"request": request}).data)


class ReportCorrectionView(APIView):
    """Set one AEF cell of a draft report (what validation flagged)."""

    @extend_schema(request=CorrectionInput, responses={201: inline_serializer("Correction", {"ok": serializers.BooleanField()})},
                   operation_id="reports_correct")
    def post(self, request, pk: int):
        report = _report(request, pk)
        data = CorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_correction(report, acting_user=request.user, **data.validated_data)
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


class _ReportExportView(APIView):
    fmt = "json"

    def get(self, request, pk: int):
        return aef_file_response(_report(request, pk), self.fmt, acting_user=request.user)


class ReportJSONView(_ReportExportView):
    """The AEF as one JSON object keyed by table name, each a list of rows keyed by the AEF headings."""

    fmt = "json"

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT}, operation_id="reports_aef_json")
    def get(self, request, pk: int):
        return super().get(request, pk)


class ReportXLSXView(_ReportExportView):
    """The AEF as an XLSX workbook, one sheet per table."""

    fmt = "xlsx"

    @extend_schema(responses={(200, EXPORTS["xlsx"][0]): OpenApiTypes.BINARY}, operation_id="reports_aef_xlsx")
    def get(self, request, pk: int):
        return super().get(request, pk)


class ReportCSVView(_ReportExportView):
    """The AEF as a zip of CSV files, one per table."""

    fmt = "csv"

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY}, operation_id="reports_aef_csv")
    def get(self, request, pk: int):
        return super().get(request, pk)
