"""The code paths `make run` takes on SQLite, where PostgreSQL gets a statement of its own.

`make test` runs this module twice: with the suite on PostgreSQL, and again alone on SQLite
(`-m sqlite`), so every `connection.vendor` branch runs in the suite.
"""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from apps.audit.models import AuditEvent
from apps.audit.services import verify_chain
from apps.authorizations import services
from apps.authorizations.models import Stage
from apps.notifications.models import Notification
from apps.webhooks.models import Delivery
from apps.webhooks.services import create_endpoint

from ..factories import make_application

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_a_journey_through_both_tiers_moves_the_stages_and_keeps_the_chain(proponent, sabah_approver, federal_approver):
    application = make_application(proponent, state="ca_review")
    services.request_changes(application, acting_user=federal_approver, comment="Align the vintages with the NDC period.")
    services.resubmit_application(application, acting_user=proponent)
    stages = list(Stage.objects.filter(application=application).order_by("opened_at", "id"))
    assert [s.duty for s in stages] == ["loa_issuance", "ca_approval", "loa_issuance"]
    assert [s.closed_at is None for s in stages] == [False, False, True]
    events = AuditEvent.objects.filter(subject_id=application.reference).order_by("seq").values_list("event", flat=True)
    assert list(events)[-3:] == ["application.issue_loa", "application.request_changes", "application.resubmit"]
    checked, broken = verify_chain()
    assert broken is None and checked >= 5


def test_a_transition_writes_the_webhook_delivery_on_commit(proponent, django_capture_on_commit_callbacks, settings):
    settings.DEBUG = True
    endpoint, _secret = create_endpoint(acting_user=proponent, organisation=proponent.organisations.first(),
                                        url="http://127.0.0.1:9/hook", events=[])
    with django_capture_on_commit_callbacks(execute=True):
        make_application(proponent, state="loa_review")
    assert list(Delivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True)) == ["application.submit"]


def test_the_sweep_escalates_an_overdue_stage_once(proponent, sabah_supervisor):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    for _ in range(2):
        call_command("sweep_deadlines", "--now", (stage.due_at + timedelta(hours=1)).isoformat(), stdout=StringIO())
    assert Notification.objects.filter(recipient=sabah_supervisor, event="escalated_level_1", channel="in_app").count() == 1


def test_the_dashboard_and_a_decision_through_the_pages(proponent, federal_approver, sabah_approver):
    application = make_application(proponent, state="loa_review")
    client = Client()
    client.force_login(sabah_approver)
    response = client.post(f"/applications/{application.reference}/transitions/issue_loa/",
                           {"issue_loa-authorized_quantity": "1000", "issue_loa-seen_state": "loa_review"})
    assert response.status_code == 302
    client.force_login(federal_approver)
    assert client.get("/dashboard/").status_code == 200
    application.refresh_from_db()
    assert application.state == "ca_review"


def test_this_module_knows_which_database_it_runs_on():
    assert connection.vendor in ("postgresql", "sqlite")
