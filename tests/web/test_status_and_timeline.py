"""The status panel repeats the reason of the decision that put the case where it is; the timeline says what an edit changed."""
import pytest
from django.test import Client

from apps.authorizations import services
from apps.authorizations.models import Application
from apps.casework.services import add_internal_note, claim_case

from ..factories import application_input, make_application

pytestmark = pytest.mark.django_db


def page_of(user, application) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/applications/{application.reference}/").content.decode()


def test_returned_for_changes_shows_what_must_change_in_the_status_panel(sabah_reviewer, proponent):
    application = make_application(proponent, state="loa_review")
    services.request_changes(Application.objects.get(pk=application.pk), acting_user=sabah_reviewer,
                             comment="Add the community consent letter.")
    html = page_of(proponent, application)
    panel = html[html.index('class="status-box'):html.index("</section>", html.index('class="status-box'))]
    assert "What must change" in panel and "Add the community consent letter." in panel and "sabah.reviewer" in panel


def test_an_edit_names_the_fields_it_changed(proponent):
    application = make_application(proponent)
    services.update_application(application, acting_user=proponent, data=application_input(title="Ulu Segama, phase 2",
                                                                                            sector="Energy"))
    html = page_of(proponent, application)
    assert "Edited: Sector, Title" in html or "Edited: Title, Sector" in html


def test_the_proponent_s_timeline_does_not_show_the_internal_case_work(sabah_reviewer, proponent):
    application = make_application(proponent, state="loa_review")
    claim_case(application, acting_user=sabah_reviewer)
    add_internal_note(application, acting_user=sabah_reviewer, text="Check the boundary.")
    officer = page_of(sabah_reviewer, application)
    assert "Case claimed by sabah.reviewer" in officer and "Internal note added" in officer
    proponent_page = page_of(proponent, application)
    assert "Case claimed" not in proponent_page and "Internal note" not in proponent_page
