"""REST endpoints of the public contract. Each one parses, calls a service, and renders."""
from __future__ import annotations

import json
from collections import defaultdict

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from apps.audit.models import AuditEvent
from apps.authorizations.documents import attach_document, download_for
from apps.authorizations.letters import render_letter_pdf
from apps.authorizations.models import Application, Document, LetterOfAuthorization, Stage
from apps.authorizations.selectors import visible_applications
from apps.authorizations.services import TRANSITION_SERVICES, check_editable, create_application, update_application
from apps.authorizations.workflow import APPLICATION
from apps.permissions import filing_organisation_of

from .filters import ApplicationFilter
from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import idempotent
from .notifications import NotificationViewSet  # noqa: F401  (re-exported for the router)
from .pagination import CheckedCursorPagination
from .parsers import NulFreeFormParser, NulFreeMultiPartParser
from .selectors import application_detail
from .serializers import (
    ApplicationInputSerializer, ApplicationSerializer, ApplicationUpdateSerializer, DocumentSerializer,
    DocumentUploadSerializer, HistoryEventSerializer, LetterSerializer, TransitionSerializer, application_detail_data,
)


class NewestFirstCursor(CheckedCursorPagination):
    """Cursor pages ordered by a unique key: a client walking every page sees each row once even while others are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AnyBytesRenderer(BaseRenderer):
    """Lets a download answer whatever `Accept` the client sent; errors on it are still the JSON error body."""

    media_type = "*/*"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (bytes, str)):
            return data
        return json.dumps(data).encode()


def history_by_reference(references: list[str]) -> dict[str, list[AuditEvent]]:
    """Transition events for the given applications, oldest first, in one query."""
    history: dict[str, list[AuditEvent]] = defaultdict(list)
    events = AuditEvent.objects.filter(subject_type="application", subject_id__in=references, data__has_key="transition")
    for event in events.order_by("seq"):
        history[event.subject_id].append(event)
    return history


APPLICATION_EXAMPLE = OpenApiExample("Sabah forest restoration", request_only=True, value={
    "title": "Ulu Segama forest restoration", "description": "Restoring 10,000 ha of logged-over forest.",
    "host_party": "MYS", "jurisdiction": "MY-12", "acquiring_parties": ["KOR"],
    "sector": "Forestry and other land use", "mitigation_type": "Removal",
    "activity_type": "Afforestation, reforestation and revegetation", "requested_quantity": 100000,
    "vintage_from": 2026, "vintage_to": 2030, "purposes": "NDC",
    "first_transfer_definition": "First international transfer",
})
LETTER_VERSION = OpenApiParameter("version", int, OpenApiParameter.QUERY, required=False,
                                  description="A letter version (1, 2, …); the current one when omitted.")
TRANSITION_EXAMPLES = [
    OpenApiExample("Submit", request_only=True, value={"transition": "submit", "comment": ""}),
    OpenApiExample("Issue the LoA", request_only=True,
                   value={"transition": "issue_loa", "authorized_quantity": 80000, "vintage_from": 2026, "vintage_to": 2030}),
    OpenApiExample("Request changes", request_only=True,
                   value={"transition": "request_changes", "comment": "Attach the benefit-sharing plan."}),
]


@extend_schema_view(
    list=extend_schema(summary="Applications I may see", description=(
        "Newest first by default. Walk every page with `next`: cursor pages never skip or repeat an application "
        "while others are created. Use `updated_since` to sync only what changed.")),
    retrieve=extend_schema(summary="One application"),
)
class ApplicationViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications the caller may see: their organisation's, or those in their authorities' jurisdictions."""

    queryset = Application.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = ApplicationSerializer
    lookup_field = "reference"
    filterset_class = ApplicationFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "reference", "created_at"]
    ordering = "-id"
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        stages = Stage.objects.select_related("authority")
        queryset = Application.objects.select_related(
            "organisation", "jurisdiction", "loa__issuing_authority", "loa__issued_by", "loa__ca_approved_by_authority"
        ).prefetch_related("acquiring_parties", Prefetch("stages", queryset=stages), "letters")
        return visible_applications(self.request.user, queryset)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["history"] = getattr(self, "_history", {})
        return context

    def _render(self, applications, **kwargs):
        self._history = history_by_reference([a.reference for a in applications])
        return ApplicationSerializer(applications, context=self.get_serializer_context(), **kwargs).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._render(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        if connection.vendor != "postgresql":  # the SQLite of `make run` has no array subqueries: the list's reads
            return Response(self._render([self.get_object()], many=True)[0])
        # One row: the application, its open stage, LoA, stages, acquiring Parties and history (apps/api/selectors.py).
        application = application_detail(request.user, self.kwargs["reference"])
        if application is None:
            raise NotFound()
        return Response(application_detail_data(application, request.user))

    def _reload(self, reference: str) -> dict:
        return self._render([self.get_queryset().get(reference=reference)], many=True)[0]

    @extend_schema(summary="Create a draft", request=ApplicationInputSerializer, responses={201: ApplicationSerializer},
                   parameters=[IDEMPOTENCY_KEY], examples=[APPLICATION_EXAMPLE])
    def create(self, request, *args, **kwargs):
        organisation = filing_organisation_of(request.user)
        if organisation is None:
            raise PermissionDenied(_("Only members of a proponent organisation may create applications."))

        def create_once() -> Response:
            parsed = ApplicationInputSerializer(data=request.data)
            parsed.is_valid(raise_exception=True)
            application = create_application(acting_user=request.user, organisation=organisation, data=parsed.to_input())
            return Response(self._reload(application.reference), status=status.HTTP_201_CREATED)

        return idempotent(request, create_once)

    def _editable(self) -> Application:
        application = self.get_object()
        check_editable(self.request.user, application)
        return application

    def _update(self, request, *, partial: bool) -> Response:
        application = self._editable()
        data = request.data
        if partial:
            data = {
                "title": application.title, "description": application.description,
                "host_party": application.host_party_id, "jurisdiction": application.jurisdiction_id,
                "acquiring_parties": sorted(p.pk for p in application.acquiring_parties.all()),
                "sector": application.sector, "mitigation_type": application.mitigation_type,
                "activity_type": application.activity_type, "requested_quantity": application.requested_quantity,
                "vintage_from": application.vintage_from, "vintage_to": application.vintage_to,
                "purposes": application.purposes, "first_transfer_definition": application.first_transfer_definition,
                "host_registry_id": application.host_registry_id, "local_partner": application.local_partner,
                "benefit_sharing_plan": application.benefit_sharing_plan, "mechanism": application.mechanism,
                "programme": application.programme, "programme_registry_id": application.programme_registry_id,
                "cdm_reference": application.cdm_reference,
            }
            if hasattr(request.data, "lists"):
                data.update({k: (v if k == "acquiring_parties" else v[-1]) for k, v in request.data.lists()})
            elif isinstance(request.data, dict):
                data.update(request.data)
        parsed = ApplicationInputSerializer(data=data)
        parsed.is_valid(raise_exception=True)
        update_application(application, acting_user=request.user, data=parsed.to_input())
        return Response(self._reload(application.reference))

    @extend_schema(summary="Replace a draft's fields", request=ApplicationInputSerializer,
                   responses={200: ApplicationSerializer}, examples=[APPLICATION_EXAMPLE],
                   description="Only the proponent, only while `draft` or `changes_requested` (else 409).")
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(summary="Change some of a draft's fields", request=ApplicationUpdateSerializer(partial=True),
                   responses={200: ApplicationSerializer},
                   examples=[OpenApiExample("New quantity", request_only=True, value={"requested_quantity": 120000})],
                   description="Only the proponent, only while `draft` or `changes_requested` (else 409). "
                               "The host Party cannot change.")
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(summary="Run a transition", request=TransitionSerializer, responses={200: ApplicationSerializer},
                   examples=TRANSITION_EXAMPLES, description=(
                       "`available_transitions` on the application lists what the caller may run now. "
                       "409 when the transition is not available from the current state or another decision won; "
                       "403 when the caller may not run it; 400 for a missing comment or bad LoA terms."))
    @action(detail=True, methods=["post"])
    def transitions(self, request, reference=None):
        """Run a transition: `{"transition": NAME, "comment": ..., ...parameters}`."""
        application = self.get_object()
        parsed = TransitionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        name = parsed.validated_data["transition"]
        parameters = {key: parsed.validated_data.get(key) for key in APPLICATION[name].parameter_names}
        TRANSITION_SERVICES[name](application, acting_user=request.user, comment=parsed.validated_data["comment"], **parameters)
        return Response(self._reload(application.reference))

    @extend_schema(summary="Everything recorded about the application", responses={200: HistoryEventSerializer(many=True)},
                   filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, reference=None):
        application = self.get_object()
        events = AuditEvent.objects.filter(subject_type="application", subject_id=application.reference).order_by("seq")
        return Response(HistoryEventSerializer(events, many=True).data)

    @extend_schema(methods=["GET"], summary="Supporting documents", responses={200: DocumentSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], summary="Attach a supporting document", request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer}, description=(
                       "Proponent only, while `draft`, `changes_requested` or `loa_review`. PDF, PNG or JPEG, "
                       "recognised by content (not by name), at most 10 MB."))
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[],
            parser_classes=[NulFreeMultiPartParser, NulFreeFormParser])
    def documents(self, request, reference=None):
        application = self.get_object()
        if request.method == "GET":
            documents = application.documents.select_related("uploaded_by", "application")
            return Response(DocumentSerializer(documents, many=True).data)
        parsed = DocumentUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        document = attach_document(application, acting_user=request.user, upload=parsed.validated_data["file"],
                                   title=parsed.validated_data["title"])
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download a document", filters=False, responses={
        (200, "application/pdf"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
        (200, "image/jpeg"): OpenApiTypes.BINARY,
    }, parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9]+)", pagination_class=None,
            filter_backends=[], renderer_classes=[JSONRenderer, AnyBytesRenderer])
    def document(self, request, reference=None, document_id=None):
        application = self.get_object()
        document = Document.objects.filter(application=application, pk=document_id).first()
        if document is None:
            raise NotFound(_("This application has no such document."))
        return download_for(user=request.user, document=document)

    def _letter(self, version: str | None = None) -> LetterOfAuthorization:
        """The current version, or the one `?version=N` names; every version is readable by whoever sees the application."""
        application = self.get_object()
        if version in (None, ""):
            letter = application.loa
        elif not version.isdigit() or not 1 <= int(version) <= 32767:
            raise ValidationError({"version": [_("A letter version is a whole number from 1.")]})
        else:
            letter = application.letters.filter(version=int(version)).first()
        if letter is None:
            raise NotFound(_("No Letter of Authorization has been issued for this application.")) from None
        return letter

    @extend_schema(summary="The Letter of Authorization: its current version, with every version in `versions`",
                   responses={200: LetterSerializer}, filters=False, parameters=[LETTER_VERSION])
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def loa(self, request, reference=None):
        letter = self._letter(request.query_params.get("version"))
        return Response(LetterSerializer(letter, context={"application": letter.application}).data)

    @extend_schema(summary="The Letter of Authorization as PDF (the current version, or `?version=N`)", filters=False,
                   parameters=[LETTER_VERSION],
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The letter")})
    @action(detail=True, methods=["get"], url_path="loa/pdf", pagination_class=None, filter_backends=[],
            renderer_classes=[JSONRenderer, AnyBytesRenderer])
    def loa_pdf(self, request, reference=None):
        letter = self._letter(request.query_params.get("version"))
        response = HttpResponse(render_letter_pdf(letter, base_url=request.build_absolute_uri("/")), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter.number}.pdf"'
        return response

