"""Reference data (read-only, for everyone signed in) and the officer's queue."""
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authorizations.models import Stage
from apps.authorizations.selectors import actionable_stages

from ..factories import make_application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["parties", "tiers", "jurisdictions", "authorities", "duty-assignments"])
def test_reference_lists_are_readable_and_not_writable(api, proponent, path):
    response = api(proponent).get(f"/api/v1/{path}/")
    assert response.status_code == 200 and response.json()
    assert api(proponent).post(f"/api/v1/{path}/", {}, format="json").status_code == 405
    assert api(None).get(f"/api/v1/{path}/").status_code == 401


def test_a_developer_sees_who_decides_and_how_long_it_may_take(api, proponent):
    client = api(proponent)
    assert client.get("/api/v1/parties/MYS/").json()["is_host"] is True
    assert client.get("/api/v1/jurisdictions/MY-12/").json()["parent"] == "MY"
    duties = client.get("/api/v1/duty-assignments/?party=MYS").json()
    assert {d["duty"] for d in duties} >= {"loa_issuance", "ca_approval"}
    assert all(d["sla_days"] > 0 for d in duties)
    assert client.get("/api/v1/parties/XXX/").status_code == 404


def test_the_queue_lists_stages_i_may_act_on(api, proponent, sabah_reviewer, sabah_approver, federal_approver, sarawak_approver):
    review = make_application(proponent, state="loa_review")
    ca = make_application(proponent, state="ca_review")
    make_application(proponent)  # a draft is nobody's work yet
    assert [e["reference"] for e in api(sabah_reviewer).get("/api/v1/queue/").json()["results"]] == [review.reference]
    assert [e["reference"] for e in api(sabah_approver).get("/api/v1/queue/").json()["results"]] == [review.reference]
    entries = api(federal_approver).get("/api/v1/queue/").json()["results"]
    assert [(e["reference"], e["duty"]) for e in entries] == [(ca.reference, "ca_approval")]
    assert api(sarawak_approver).get("/api/v1/queue/").json()["results"] == []
    assert api(proponent).get("/api/v1/queue/").json()["results"] == []


def test_the_next_tier_sees_an_escalated_stage_it_may_step_into(proponent, federal_approver):
    application = make_application(proponent, state="loa_review")
    assert not actionable_stages(federal_approver).filter(application=application).exists()
    Stage.objects.filter(application=application).update(
        escalation_level=2, next_tier_may_act=True, due_at=timezone.now() - timedelta(days=9))
    assert actionable_stages(federal_approver).filter(application=application).exists()
