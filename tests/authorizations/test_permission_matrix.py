"""The one permission matrix, checked against the API for every role × tier × transition × own/other jurisdiction."""
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from apps.authorizations import matrix
from apps.authorizations.models import Application
from apps.authorizations.workflow import APPLICATION
from apps.governance.models import Authority, Duty, Membership, Role

from ..api.test_transition_matrix import PARAMETERS, application_in
from ..factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# For a Sabah application: the authority holding each duty, and one at the same tier elsewhere.
AUTHORITY = {(Duty.LOA_ISSUANCE, True): "MY-12", (Duty.LOA_ISSUANCE, False): "MY-13",
             (Duty.CA_APPROVAL, True): "MY", (Duty.CA_APPROVAL, False): "ID",
             # The application names Korea; Switzerland is an acquiring Party it does not name.
             (Duty.ACQUIRING_AUTHORIZATION, True): "KR", (Duty.ACQUIRING_AUTHORIZATION, False): "CH"}
CASES = [(transition, state) for transition in APPLICATION.names for state in matrix.sources(transition)]
HOLDERS = (
    [(role, tier, own) for role in matrix.OFFICER_ROLES for tier in matrix.TIERS for own in (True, False)]
    + [(matrix.PROPONENT, None, True), (matrix.PROPONENT, None, False), (matrix.ADMINISTRATOR, None, False)]
)


def holder(role: str, tier, own: bool):
    user = UserFactory(is_staff=role == matrix.ADMINISTRATOR, is_superuser=role == matrix.ADMINISTRATOR)
    if role == matrix.PROPONENT:
        organisation = get_user_model().objects.get(username="proponent").organisations.first() if own else OrganisationFactory()
        organisation.members.add(user)
    elif role in matrix.OFFICER_ROLES:
        Membership.objects.create(user=user, authority=Authority.objects.get(jurisdiction_id=AUTHORITY[(tier, own)]), role=role)
    return user


def test_every_rule_has_a_row_in_the_matrix():
    assert {t.permission.name for t in APPLICATION} <= set(matrix.GRANTS)
    assert {t for t, _, _ in matrix.rows()} == set(APPLICATION.names)


@pytest.mark.parametrize("role,tier,own", HOLDERS, ids=lambda v: str(v))
@pytest.mark.parametrize("transition,state", CASES)
def test_the_api_obeys_the_matrix(api, transition, state, role, tier, own, proponent, sabah_approver):
    application = application_in(state, proponent, sabah_approver)
    user = holder(role, tier, own)
    expected = matrix.allowed(transition=transition, state=state, role=role, tier=tier, own=own)
    response = api(user).post(f"/api/v1/applications/{application.reference}/transitions/",
                              {"transition": transition, **PARAMETERS}, format="json")
    if expected:
        assert response.status_code == 200, (transition, state, role, tier, own, response.json())
        assert Application.objects.get(pk=application.pk).state != state
        return
    sees = (role == matrix.PROPONENT and own) or (role in matrix.OFFICER_ROLES and own and state != "draft")
    assert response.status_code == (403 if sees else 404), (transition, state, role, tier, own, response.json())
    assert Application.objects.get(pk=application.pk).state == state


def web_transition_url(reference: str, transition: str) -> str:
    from django.urls import reverse

    return reverse("application-transition", kwargs={"reference": reference, "name": transition})


@pytest.mark.parametrize("role,tier,own", HOLDERS, ids=lambda v: str(v))
@pytest.mark.parametrize("transition,state", CASES)
def test_the_web_pages_obey_the_matrix(transition, state, role, tier, own, proponent, sabah_approver):
    application = application_in(state, proponent, sabah_approver)
    url = web_transition_url(application.reference, transition)
    user = holder(role, tier, own)
    client = Client()
    client.force_login(user)
    expected = matrix.allowed(transition=transition, state=state, role=role, tier=tier, own=own)
    # The page's decision forms are prefixed with the transition's name (one form per transition on the page).
    fields = {**PARAMETERS, "vintage_from": application.vintage_from, "vintage_to": application.vintage_to, "seen_state": state}
    response = client.post(url, {f"{transition}-{key}": value for key, value in fields.items()})
    after = Application.objects.get(pk=application.pk).state
    if expected:
        assert after != state, (transition, state, role, tier, own, response.status_code)
        return
    assert after == state, (transition, state, role, tier, own)
    sees = (role == matrix.PROPONENT and own) or (role in matrix.OFFICER_ROLES and own and state != "draft")
    if not sees:
        assert response.status_code == 404, (transition, state, role, tier, own, response.status_code)


def test_the_command_prints_the_table_the_readme_shows():
    out = StringIO()
    call_command("permission_matrix", stdout=out)
    assert out.getvalue().strip() == matrix.as_markdown().strip()
    assert "| issue_loa | loa_review | — | — | ✓ | — | — | — | — | — |" in out.getvalue()


def test_a_superuser_decides_only_once_given_the_role(api, proponent, sabah_approver, admin_user):
    application = application_in("loa_review", proponent, sabah_approver)
    url = f"/api/v1/applications/{application.reference}/transitions/"
    assert api(admin_user).post(url, {"transition": "issue_loa", **PARAMETERS}, format="json").status_code == 404
    Membership.objects.create(user=admin_user, authority=Authority.objects.get(jurisdiction_id="MY-12"), role=Role.APPROVER)
    assert api(admin_user).post(url, {"transition": "issue_loa", **PARAMETERS}, format="json").status_code == 200


def test_the_admin_cannot_edit_applications_or_letters(admin_user):
    from django.test import RequestFactory

    from apps.authorizations.models import LetterOfAuthorization

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model in (Application, LetterOfAuthorization):
        model_admin = admin.site._registry.get(model)
        assert model_admin is None or not model_admin.has_change_permission(request), model


def test_a_user_removed_from_an_authority_loses_access_on_the_next_request(proponent, sabah_approver):
    application = application_in("loa_review", proponent, sabah_approver)
    client = Client()
    client.force_login(sabah_approver)
    url = f"/api/v1/applications/{application.reference}/"
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=sabah_approver).delete()
    assert client.get(url).status_code == 404
    response = client.post(f"{url}transitions/", {"transition": "issue_loa", **PARAMETERS}, content_type="application/json")
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).state == "loa_review"


def test_the_readme_shows_the_matrix_in_code():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert matrix.as_markdown().strip() in readme
