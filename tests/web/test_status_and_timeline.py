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


def test_an_edit_shows_each_changed_field_old_and_new(proponent, sabah_reviewer):
    from apps.audit.models import AuditEvent

    application = make_application(proponent)
    services.update_application(application, acting_user=proponent, data=application_input(
        title="Ulu Segama, phase 2", requested_quantity=80_000, acquiring_parties=["KOR", "SGP"]))
    event = AuditEvent.objects.get(event="application.updated", subject_id=application.reference)
    assert event.data["values"] == {"title": ["Ulu Segama forest restoration", "Ulu Segama, phase 2"],
                                    "requested_quantity": [100_000, 80_000], "acquiring_parties": ["KOR", "KOR, SGP"]}
    assert event.data["changed"] == ["acquiring_parties", "requested_quantity", "title"]
    services.submit_application(Application.objects.get(pk=application.pk), acting_user=proponent)
    for html in (page_of(proponent, application), page_of(sabah_reviewer, application)):
        assert "Title: <del>Ulu Segama forest restoration</del> → <ins>Ulu Segama, phase 2</ins>" in html
        assert "<del>100,000</del> → <ins>80,000</ins>" in html
        assert "<del>KOR</del> → <ins>KOR, SGP</ins>" in html


def test_an_edit_recorded_before_values_were_kept_still_names_its_fields(proponent):
    from apps.audit.models import AuditEvent
    from apps.audit.services import record_event

    application = make_application(proponent)
    record_event(event="application.updated", subject_type="application", subject_id=application.reference,
                 acting_user=proponent, party="MYS", data={"changed": ["title"]})
    assert AuditEvent.objects.filter(event="application.updated", subject_id=application.reference).count() == 1
    html = page_of(proponent, application)
    assert "Edited: Title" in html and "edit-values" not in html


def test_the_proponent_s_timeline_does_not_show_the_internal_case_work(sabah_reviewer, proponent):
    application = make_application(proponent, state="loa_review")
    claim_case(application, acting_user=sabah_reviewer)
    add_internal_note(application, acting_user=sabah_reviewer, text="Check the boundary.")
    officer = page_of(sabah_reviewer, application)
    assert "Case claimed by sabah.reviewer" in officer and "Internal note added" in officer
    proponent_page = page_of(proponent, application)
    assert "Case claimed" not in proponent_page and "Internal note" not in proponent_page


def test_an_acquiring_party_s_refusal_shows_its_reason_in_the_status_panel(proponent):
    from django.contrib.auth import get_user_model

    from ..api.test_transition_matrix import application_in

    application = application_in("acquirer_review", proponent, get_user_model().objects.get(username="sabah.approver"))
    korea = get_user_model().objects.get(username="korea.approver")
    services.refuse_acquisition(application, acting_user=korea, comment="The activity is outside our 2030 target sectors.")
    page = page_of(proponent, application)
    panel = page.split('id="last-decision"')[1].split("</div>")[0]
    assert "The reason given" in panel and "The activity is outside our 2030 target sectors." in panel
