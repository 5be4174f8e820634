"""No sequence of decisions breaks an application: random transitions by every demo actor, through the API, on PostgreSQL.

After every step: never a 5xx; a refusal is a 4xx that changed nothing; never more than one live letter version;
never a letter in force without an approved corresponding adjustment, nor an authorized application without one.
`make test` runs a bounded number of sequences; `TIERFLOW_RANDOM_DECISIONS=500 make test PYTEST_ARGS=tests/authorizations/
test_random_decisions.py` runs 500 (each up to 15 decisions long).
"""
import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, LetterOfAuthorization
from apps.authorizations.workflow import APPLICATION

from ..factories import make_application

pytestmark = pytest.mark.django_db
ACTORS = ["proponent", "sabah.reviewer", "sabah.approver", "sabah.supervisor", "federal.approver", "federal.supervisor",
          "sarawak.approver", "admin"]
SEQUENCES = int(os.environ.get("TIERFLOW_RANDOM_DECISIONS", "20"))


class Decisions(RuleBasedStateMachine):
    """One application per sequence, and the decisions anyone might try on it."""

    def __init__(self):
        super().__init__()
        users = get_user_model().objects
        self.clients = {}
        for username in ACTORS:
            client = APIClient()
            client.force_authenticate(user=users.get(username=username))
            self.clients[username] = client
        self.application = make_application(users.get(username="proponent"))
        self.url = f"/api/v1/applications/{self.application.reference}/transitions/"

    @rule(actor=st.sampled_from(ACTORS), name=st.sampled_from(APPLICATION.names),
          comment=st.sampled_from(["", "Because the record says so."]),
          quantity=st.sampled_from([None, 1, 50_000, 100_000, 100_001]))
    def decide(self, actor, name, comment, quantity):
        before = Application.objects.get(pk=self.application.pk).state
        events = AuditEvent.objects.count()
        body = {"transition": name, "comment": comment}
        if quantity is not None:
            body["authorized_quantity"] = quantity
        response = self.clients[actor].post(self.url, body, format="json")
        assert response.status_code < 500, (actor, name, body, response.content[:300])
        if response.status_code >= 400:
            assert Application.objects.get(pk=self.application.pk).state == before, (actor, name, response.json())
            assert AuditEvent.objects.count() == events
        else:
            assert response.status_code == 200 and response.json()["state"] != before

    @invariant()
    def one_live_letter_and_in_force_only_with_the_adjustment(self):
        application = Application.objects.get(pk=self.application.pk)
        letters = list(LetterOfAuthorization.objects.filter(application=application).order_by("version"))
        assert [letter.version for letter in letters] == list(range(1, len(letters) + 1))
        assert len([letter for letter in letters if letter.status != "superseded"]) <= 1
        if letters:
            assert application.loa_id == letters[-1].pk
        for letter in letters:
            if letter.status == "in_force":
                assert application.state == "authorized" and letter.ca_approved_at is not None
        if application.state == "authorized":
            assert application.loa.status == "in_force"


def test_no_sequence_of_decisions_breaks_an_application(db):
    run_state_machine_as_test(Decisions, settings=settings(
        max_examples=SEQUENCES, stateful_step_count=15, deadline=None, derandomize=SEQUENCES <= 20,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
