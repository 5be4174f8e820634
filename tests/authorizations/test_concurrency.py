"""Two officers deciding the same stage at once: exactly one wins (real PostgreSQL, real threads)."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.audit.services import verify_chain
from apps.authorizations.models import Application, LetterOfAuthorization, Stage
from apps.governance.models import Authority, Membership, Role

from ..factories import make_application


def decide_at_once(requests: list[tuple[object, dict]], reference: str) -> list[int]:
    """Fire the requests from separate threads released together; return their status codes."""
    barrier = threading.Barrier(len(requests))
    codes: list[int] = [0] * len(requests)

    def worker(index: int, user, body: dict) -> None:
        client = APIClient()
        client.force_authenticate(user=get_user_model().objects.get(pk=user.pk))
        barrier.wait()
        try:
            codes[index] = client.post(f"/api/v1/applications/{reference}/transitions/", body, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, user, body)) for i, (user, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return codes


@pytest.fixture
def second_sabah_approver(seeded_transactional_db):
    colleague = get_user_model().objects.create_user("sabah.approver2", password="x")
    Membership.objects.create(user=colleague, authority=Authority.objects.get(jurisdiction_id="MY-12"), role=Role.APPROVER)
    return colleague


@pytest.mark.parametrize("round_", range(3))
def test_two_approvers_issuing_the_same_letter_at_once_one_wins_and_the_other_gets_409(second_sabah_approver, round_):
    proponent = get_user_model().objects.get(username="proponent")
    approver = get_user_model().objects.get(username="sabah.approver")
    application = make_application(proponent, state="loa_review")
    events_before = AuditEvent.objects.filter(event="application.issue_loa").count()
    codes = decide_at_once([
        (approver, {"transition": "issue_loa", "authorized_quantity": 1000}),
        (second_sabah_approver, {"transition": "issue_loa", "authorized_quantity": 2000}),
    ], application.reference)
    assert sorted(codes) == [200, 409]
    assert Application.objects.get(pk=application.pk).state == "ca_review"
    assert LetterOfAuthorization.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(event="application.issue_loa").count() == events_before + 1
    assert Stage.objects.filter(application=application, closed_at__isnull=True).count() == 1
    assert verify_chain()[1] is None


def test_an_issue_and_a_reject_at_once_leave_one_decision(second_sabah_approver):
    proponent = get_user_model().objects.get(username="proponent")
    approver = get_user_model().objects.get(username="sabah.approver")
    application = make_application(proponent, state="loa_review")
    codes = decide_at_once([
        (approver, {"transition": "issue_loa", "authorized_quantity": 1000}),
        (second_sabah_approver, {"transition": "reject", "comment": "Overlaps a protected area."}),
    ], application.reference)
    # The loser gets 409 when it read the application before the winner committed. When the letter won and the
    # rejecting officer's request read the application only after that, it met a ca_review application, whose CA
    # stage the State's approvers do not hold: 403 is then the right answer to that request.
    winner, loser = sorted(codes)
    assert winner == 200 and loser in {403, 409}, codes
    final = Application.objects.get(pk=application.pk).state
    assert final in {"ca_review", "rejected"}
    assert loser == 409 or final == "ca_review"
    assert LetterOfAuthorization.objects.filter(application=application).exists() == (final == "ca_review")
    decisions = AuditEvent.objects.filter(subject_id=application.reference, event__in=["application.issue_loa", "application.reject"])
    assert decisions.count() == 1
