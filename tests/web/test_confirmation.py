"""Check and confirm: a decision nobody can take back first shows what will happen; only the confirmation records it."""
import html as html_lib
import re

import pytest
from django.test import Client

from apps.authorizations import services
from apps.authorizations.models import Application, LetterOfAuthorization, State
from apps.governance.models import Authority

from ..factories import make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def confirm_form(page: str) -> tuple[str, dict]:
    """The confirmation form's action and its hidden fields, as the browser would post them."""
    form = re.search(r'<form method="post" action="([^"]+)" class="form confirm-decision.*?</form>', page, re.S)
    assert form, "no confirmation form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    fields.pop("csrfmiddlewaretoken", None)
    return form.group(1), {name: html_lib.unescape(value) for name, value in fields.items()}


def test_issuing_a_letter_shows_what_will_happen_and_records_nothing_until_confirmed(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    client = signed_in(sabah_approver)
    detail = client.get(f"/applications/{application.reference}/").content.decode()
    assert f'action="/applications/{application.reference}/transitions/issue_loa/review/"' in detail

    review = client.post(f"/applications/{application.reference}/transitions/issue_loa/review/", {
        "issue_loa-authorized_quantity": "1000", "issue_loa-vintage_from": "2026", "issue_loa-vintage_to": "2027",
        "issue_loa-comment": "Within the State's forest carbon quota.", "issue_loa-seen_state": "loa_review"})
    assert review.status_code == 200
    page = review.content.decode()
    assert "Check before you issue the Letter of Authorization" in page
    assert "Sabah Forestry Department issues a numbered Letter of Authorization for 1,000 tCO2e, vintages 2026–2027." in page
    assert "cannot be changed once issued" in page
    assert "to approve the corresponding adjustment" in page
    assert not LetterOfAuthorization.objects.filter(application=application).exists()
    assert Application.objects.get(pk=application.pk).state == State.LOA_REVIEW

    action, fields = confirm_form(page)
    assert action == f"/applications/{application.reference}/transitions/issue_loa/"
    assert fields["issue_loa-comment"] == "Within the State's forest carbon quota."
    confirmed = client.post(action, fields)
    assert confirmed.status_code == 302
    letter = LetterOfAuthorization.objects.get(application=application)
    assert (letter.authorized_quantity, letter.vintage_from, letter.vintage_to) == (1000, 2026, 2027)


def test_withdrawing_is_checked_first_and_cancel_leaves_the_application(proponent):
    application = make_application(proponent, state="loa_review")
    client = signed_in(proponent)
    review = client.post(f"/applications/{application.reference}/transitions/withdraw/review/", {"withdraw-seen_state": "loa_review"})
    page = review.content.decode()
    assert review.status_code == 200 and "Check before you withdraw the application" in page
    assert "This cannot be undone" in page
    assert f'href="/applications/{application.reference}/">Cancel and go back to the application' in page
    assert Application.objects.get(pk=application.pk).state == State.LOA_REVIEW
    action, fields = confirm_form(page)
    assert client.post(action, fields).status_code == 302
    assert Application.objects.get(pk=application.pk).state == State.WITHDRAWN


def test_a_submit_is_checked_first_and_names_who_will_review_it(proponent):
    application = make_application(proponent)
    page = signed_in(proponent).post(f"/applications/{application.reference}/transitions/submit/review/",
                                     {"submit-seen_state": "draft"}).content.decode()
    assert "The application goes to Sabah Forestry Department for review of the Letter of Authorization." in page
    assert Application.objects.get(pk=application.pk).state == State.DRAFT


def test_a_bad_decision_is_refused_at_the_check_step_with_the_error_summary(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = signed_in(sabah_approver).post(f"/applications/{application.reference}/transitions/issue_loa/review/", {
        "issue_loa-authorized_quantity": "999999999", "issue_loa-seen_state": "loa_review"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and 'href="#id_issue_loa-authorized_quantity"' in page
    assert not LetterOfAuthorization.objects.filter(application=application).exists()


def test_a_check_page_left_open_while_a_colleague_decided_records_nothing(sabah_approver, federal_approver, proponent):
    application = make_application(proponent, state="ca_review")
    client = signed_in(federal_approver)
    page = client.post(f"/applications/{application.reference}/transitions/approve_ca/review/",
                       {"approve_ca-seen_state": "ca_review"}).content.decode()
    assert "Malaysia commits to apply corresponding adjustments for 100,000 tCO2e" in page
    action, fields = confirm_form(page)
    # The same decision recorded from another tab while this check page was open.
    services.approve_ca(Application.objects.get(pk=application.pk), acting_user=federal_approver)
    after = client.post(action, fields, follow=True).content.decode()
    assert "another decision on this application was recorded first" in after


def test_an_article_6_4_activity_is_sent_to_the_hosts_approval_and_the_check_page_says_so(proponent, federal_approver):
    application = make_application(proponent, mechanism="article_6_4")
    page = signed_in(proponent).post(f"/applications/{application.reference}/transitions/submit/review/",
                                     {"submit-seen_state": "draft"}).content.decode()
    assert "approves activities under the Article 6.4 mechanism" in page
    assert html_lib.escape(Authority.objects.get(jurisdiction_id="MY").name) in page  # the federal ministry, not the State
    action, fields = confirm_form(page)
    signed_in(proponent).post(action, fields)
    assert Application.objects.get(pk=application.pk).state == State.PARTICIPATION_REVIEW

    review = signed_in(federal_approver).post(
        f"/applications/{application.reference}/transitions/approve_without_authorization/review/",
        {"approve_without_authorization-seen_state": "participation_review"}).content.decode()
    assert "mitigation contribution A6.4ERs" in review and "This cannot be undone" in review
    assert Application.objects.get(pk=application.pk).state == State.PARTICIPATION_REVIEW  # nothing until confirmed
    review = signed_in(federal_approver).post(
        f"/applications/{application.reference}/transitions/approve_participation/review/",
        {"approve_participation-seen_state": "participation_review"}).content.decode()
    assert "to authorize its A6.4ERs with a Letter of Authorization" in review and "Sabah Forestry Department" in review
