"""Table-driven: every transition from every state, and every persona that may or may not fire it."""
import pytest

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, State

from ..factories import make_application

pytestmark = pytest.mark.django_db

SOURCES = {
    "submit": {"draft"},
    "request_changes": {"participation_review", "cdm_transition_review", "loa_review", "ca_review"},
    "resubmit": {"changes_requested"},
    "approve_participation": {"participation_review", "cdm_transition_review"},
    "approve_without_authorization": {"participation_review", "cdm_transition_review"},
    "issue_loa": {"loa_review"},
    "approve_ca": {"ca_review"},
    "authorize_acquisition": {"acquirer_review"},
    "refuse_acquisition": {"acquirer_review"},
    "reject": {"participation_review", "cdm_transition_review", "loa_review", "ca_review"},
    "withdraw": {"draft", "participation_review", "cdm_transition_review", "loa_review", "changes_requested"},
    "revoke": {"ca_review", "authorized", "amendment_loa_review", "amendment_ca_review"},
    "request_amendment": {"authorized"},
    "endorse_amendment": {"amendment_loa_review"},
    "approve_amendment": {"amendment_ca_review"},
    "refuse_amendment": {"amendment_loa_review", "amendment_ca_review"},
}
PARAMETERS = {"comment": "Because the record says so.", "authorized_quantity": 10, "requested_quantity": 90_000}


def application_in(state: str, proponent, sabah_approver):
    """An application driven through the services into `state`."""
    from apps.authorizations import services

    reachable = {"draft": "draft", "loa_review": "loa_review", "ca_review": "ca_review", "authorized": "authorized"}
    if state in reachable:
        return make_application(proponent, state=state)
    if state in ("participation_review", "cdm_transition_review", "approved_for_mechanism"):
        # A Sabah Article 6.4 activity: Malaysia's federal ministry holds both Article 6.4 approvals.
        application = make_application(proponent, mechanism="article_6_4",
                                       cdm_reference="CDM 4321" if state == "cdm_transition_review" else "")
        services.submit_application(application, acting_user=proponent)
        if state == "approved_for_mechanism":
            from django.contrib.auth import get_user_model

            services.approve_without_authorization(Application.objects.get(pk=application.pk),
                                                   acting_user=get_user_model().objects.get(username="federal.approver"))
        return Application.objects.get(pk=application.pk)
    application = make_application(proponent, state="loa_review")
    if state == "changes_requested":
        services.request_changes(application, acting_user=sabah_approver, comment="Add the map.")
    elif state == "rejected":
        services.reject_application(application, acting_user=sabah_approver, comment="Outside the permanent forest estate.")
    elif state == "withdrawn":
        services.withdraw_application(application, acting_user=proponent)
    elif state == "revoked":
        application = make_application(proponent, state="authorized")
        from django.contrib.auth import get_user_model

        services.revoke_authorization(application, acting_user=get_user_model().objects.get(username="federal.approver"), comment="Fraud found.")
    elif state == "acquirer_review":
        from apps.governance.models import CooperativeApproach

        approach = CooperativeApproach.objects.create(code="mys-kor-test", name="Sabah–Korea test approach", host_party_id="MYS",
                                                      acquirer_authorization_required=True)
        approach.acquiring_parties.set(["KOR"])
        application = make_application(proponent, state="ca_review")
        Application.objects.filter(pk=application.pk).update(approach=approach)
        from django.contrib.auth import get_user_model

        services.approve_ca(Application.objects.get(pk=application.pk),
                            acting_user=get_user_model().objects.get(username="federal.approver"))
    elif state in ("amendment_loa_review", "amendment_ca_review"):
        application = make_application(proponent, state="authorized")
        services.request_amendment(application, acting_user=proponent, comment="Two more vintages.", vintage_to=2032)
        if state == "amendment_ca_review":
            services.endorse_amendment(Application.objects.get(pk=application.pk), acting_user=sabah_approver,
                                       authorized_quantity=50_000)
    return Application.objects.get(pk=application.pk)


NOT_ALLOWED = [(name, state) for name, sources in SOURCES.items() for state in State.values if state not in sources]


@pytest.mark.parametrize("transition,state", NOT_ALLOWED)
def test_a_transition_from_a_state_it_does_not_leave_gives_409_and_changes_nothing(api, transition, state, proponent, sabah_approver, federal_approver):
    application = application_in(state, proponent, sabah_approver)
    events_before = AuditEvent.objects.count()
    # The persona best placed to try it: the proponent for their own transitions and for drafts (which only
    # the proponent sees), otherwise an approver who acts at that stage.
    actor = proponent if transition in {"submit", "resubmit", "withdraw"} or state == "draft" else (
        federal_approver if state in {"ca_review", "authorized", "revoked"} else sabah_approver)
    response = api(actor).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": transition, **PARAMETERS}, format="json")
    assert response.status_code == 409, (transition, state, response.json())
    assert response.json()["code"] == "conflict"
    assert Application.objects.get(pk=application.pk).state == state
    assert AuditEvent.objects.count() == events_before


# Who may fire each transition from its first source state, among the personas that can see a Sabah application.
PERSONAS = ["proponent", "sabah.reviewer", "sabah.approver", "sabah.supervisor", "federal.approver", "federal.supervisor", "admin"]
ALLOWED = {
    ("submit", "draft"): {"proponent"},
    ("withdraw", "draft"): {"proponent"},
    ("withdraw", "loa_review"): {"proponent"},
    ("resubmit", "changes_requested"): {"proponent"},
    ("approve_participation", "participation_review"): {"federal.approver"},
    ("approve_without_authorization", "participation_review"): {"federal.approver"},
    ("approve_participation", "cdm_transition_review"): {"federal.approver"},
    ("request_changes", "participation_review"): {"federal.approver"},
    ("reject", "cdm_transition_review"): {"federal.approver"},
    ("withdraw", "participation_review"): {"proponent"},
    ("request_changes", "loa_review"): {"sabah.reviewer", "sabah.approver"},
    ("request_changes", "ca_review"): {"federal.approver"},
    ("issue_loa", "loa_review"): {"sabah.approver"},
    ("approve_ca", "ca_review"): {"federal.approver"},
    ("reject", "loa_review"): {"sabah.approver"},
    ("reject", "ca_review"): {"federal.approver"},
    ("revoke", "ca_review"): {"sabah.approver", "federal.approver"},
    ("revoke", "authorized"): {"sabah.approver", "federal.approver"},
    ("request_amendment", "authorized"): {"proponent"},
    ("endorse_amendment", "amendment_loa_review"): {"sabah.approver"},
    ("approve_amendment", "amendment_ca_review"): {"federal.approver"},
    ("refuse_amendment", "amendment_loa_review"): {"sabah.approver"},
    ("refuse_amendment", "amendment_ca_review"): {"federal.approver"},
    ("revoke", "amendment_loa_review"): {"sabah.approver", "federal.approver"},
    ("revoke", "amendment_ca_review"): {"sabah.approver", "federal.approver"},
}
MATRIX = [(transition, state, persona) for (transition, state) in ALLOWED for persona in PERSONAS]


@pytest.mark.parametrize("transition,state,persona", MATRIX)
def test_only_the_right_role_at_the_right_authority_may_fire_a_transition(api, transition, state, persona, proponent, sabah_approver):
    from django.contrib.auth import get_user_model

    application = application_in(state, proponent, sabah_approver)
    actor = get_user_model().objects.get(username=persona)
    response = api(actor).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": transition, **PARAMETERS}, format="json")
    if persona in ALLOWED[(transition, state)]:
        assert response.status_code == 200, (transition, state, persona, response.json())
        assert response.json()["state"] != state
        return
    # Officers do not see drafts, and administrators see no application: both get 404, the others 403.
    cannot_see = persona == "admin" or (state == "draft" and persona != "proponent")
    assert response.status_code == (404 if cannot_see else 403), (transition, state, persona, response.json())
    assert Application.objects.get(pk=application.pk).state == state


@pytest.mark.parametrize("persona", ["sarawak.approver", "indonesia.approver", "thailand.approver"])
@pytest.mark.parametrize("transition,state", sorted(ALLOWED))
def test_officers_of_other_jurisdictions_get_404(api, transition, state, persona, proponent, sabah_approver):
    from django.contrib.auth import get_user_model

    application = application_in(state, proponent, sabah_approver)
    actor = get_user_model().objects.get(username=persona)
    response = api(actor).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": transition, **PARAMETERS}, format="json")
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).state == state
