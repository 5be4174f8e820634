"""Applications made through the services, as a proponent would; factory_boy for plain organisations and users."""
from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from apps.authorizations import services
from apps.authorizations.models import Application
from apps.authorizations.workflow import HOST_APPROVAL_STATES
from apps.governance.models import Jurisdiction, Party, ProponentOrganisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProponentOrganisation

    name = factory.Sequence(lambda n: f"Developer {n} Ltd")
    country = "MYS"


def application_payload(**overrides) -> dict:
    """The API body of a valid Sabah application (as JSON)."""
    payload = {
        "title": "Ulu Segama forest restoration",
        "description": "Restoring 10,000 ha of logged-over dipterocarp forest.",
        "host_party": "MYS",
        "jurisdiction": "MY-12",
        "acquiring_parties": ["KOR"],
        "sector": "Forestry and other land use",
        "mitigation_type": "Removal",
        "activity_type": "Afforestation, reforestation and revegetation",
        "requested_quantity": 100_000,
        "vintage_from": 2026,
        "vintage_to": 2030,
        "purposes": "NDC",
        "first_transfer_definition": "First international transfer",
    }
    payload.update(overrides)
    return payload


def application_input(**overrides) -> services.ApplicationInput:
    payload = application_payload(**overrides)
    payload["host_party"] = Party.objects.get(code=payload["host_party"])
    payload["jurisdiction"] = Jurisdiction.objects.get(code=payload["jurisdiction"])
    payload["acquiring_parties"] = list(Party.objects.filter(code__in=payload["acquiring_parties"]))
    return services.ApplicationInput(**payload)


def make_application(proponent, *, state: str = "draft", actors: dict | None = None, **overrides) -> Application:
    """An application driven through the real services to `state` (draft, loa_review, ca_review, authorized)."""
    organisation = proponent.organisations.first()
    application = services.create_application(acting_user=proponent, organisation=organisation, data=application_input(**overrides))
    steps = ["draft", "loa_review", "ca_review", "authorized"]
    actors = actors or {}
    User = get_user_model()
    target = steps.index(state)
    if target >= 1:
        services.submit_application(application, acting_user=proponent)
        if _fresh(application).state in HOST_APPROVAL_STATES:  # an Article 6.4 activity: the host approves it first
            approver = actors.get("mechanism") or approver_of_open_stage(application)
            services.approve_participation(_fresh(application), acting_user=_fresh_user(approver))
    if target >= 2:
        approver = actors.get("loa") or User.objects.get(username="sabah.approver")
        services.issue_loa(_fresh(application), acting_user=_fresh_user(approver), authorized_quantity=application.requested_quantity)
    if target >= 3:
        approver = actors.get("ca") or User.objects.get(username="federal.approver")
        services.approve_ca(_fresh(application), acting_user=_fresh_user(approver))
    return _fresh(application)


def approver_of_open_stage(application: Application):
    """An approver of the authority holding the application's open stage."""
    from apps.governance.models import Membership, Role

    stage = application.stages.get(closed_at__isnull=True)
    return Membership.objects.filter(authority_id=stage.authority_id, role=Role.APPROVER).order_by("pk").first().user


def _fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def _fresh_user(user):
    return get_user_model().objects.get(pk=user.pk)


def verified_report(application: Application, *, vintage: int, quantity: int):
    """A monitoring report of the vintage and its verification for `quantity`, written straight to the tables
    (the monitoring and verification services have tests of their own)."""
    from datetime import date

    from django.utils import timezone

    from apps.ledger.models import MonitoringReport, Verification

    report = MonitoringReport.objects.create(
        application=application, vintage=vintage, period_from=date(vintage, 1, 1), period_to=date(vintage, 12, 31),
        quantity=quantity, submitted_by=application.created_by, submitted_at=timezone.now())
    Verification.objects.create(monitoring_report=report, verifier="Test verification body", accreditation="TEST-1",
                                verified_quantity=quantity, recorded_by=application.created_by, recorded_at=timezone.now())
    return report


def issue_verified(*, application: Application, acting_user, vintage, quantity, **options):
    """Issue as the ledger services do, after a verification covering exactly this issuance."""
    from apps.ledger.services import issue_itmos

    if isinstance(vintage, int) and isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0:
        verified_report(application, vintage=vintage, quantity=quantity)
    return issue_itmos(application=application, acting_user=acting_user, vintage=vintage, quantity=quantity, **options)
