"""Officers claim, assign and release a case within the authority whose stage it is, and keep notes the proponent never sees."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from apps.audit.models import AuditEvent
from apps.authorizations import services as workflow
from apps.authorizations.models import Application, Stage
from apps.casework import services
from apps.casework.models import CaseAssignment
from apps.notifications.models import Notification

from ..factories import make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_claims_an_approver_reassigns_and_each_is_an_audit_event(sabah_reviewer, sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    services.claim_case(application, acting_user=sabah_reviewer)
    assert CaseAssignment.objects.get(stage__application=application).assignee == sabah_reviewer
    services.assign_case(application, acting_user=sabah_approver, assignee_id=sabah_approver.pk)
    assert CaseAssignment.objects.get(stage__application=application).assignee == sabah_approver
    events = list(AuditEvent.objects.filter(subject_id=application.reference, event__startswith="case.").values_list("event", flat=True))
    assert events == ["case.claimed", "case.assigned"]
    assert AuditEvent.objects.get(event="case.assigned", subject_id=application.reference).data["previous"] == "sabah.reviewer"


def test_a_reviewer_may_not_assign_and_nobody_outside_the_authority_may_hold_it(sabah_reviewer, sabah_approver,
                                                                               sarawak_approver, proponent):
    application = make_application(proponent, state="loa_review")
    with pytest.raises(PermissionDenied):
        services.assign_case(application, acting_user=sabah_reviewer, assignee_id=sabah_approver.pk)
    with pytest.raises(PermissionDenied):
        services.claim_case(application, acting_user=sarawak_approver)
    with pytest.raises(ValidationError):
        services.assign_case(application, acting_user=sabah_approver, assignee_id=sarawak_approver.pk)
    assert not CaseAssignment.objects.exists()


def test_the_assignee_is_told_and_the_next_stage_starts_with_nobody(sabah_reviewer, sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    services.assign_case(application, acting_user=sabah_approver, assignee_id=sabah_reviewer.pk)
    told = Notification.objects.get(recipient=sabah_reviewer, event="case_assigned", channel="in_app")
    assert told.subject == f"Aminah Binti Yusof gave you {application.title}"
    workflow.issue_loa(Application.objects.get(pk=application.pk), acting_user=sabah_approver, authorized_quantity=10)
    assert not CaseAssignment.objects.filter(stage__application=application, stage__closed_at__isnull=True).exists()


def test_a_supervisor_reassigns_escalated_work_from_the_application_page(sabah_supervisor, sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    Stage.objects.filter(application=application, closed_at__isnull=True).update(escalation_level=1)  # overdue: called to supervisors
    client = signed_in(sabah_supervisor)
    assert application.reference in client.get("/queue/").content.decode()
    page = client.get(f"/applications/{application.reference}/").content.decode()
    assert "Who has this case" in page and 'id="assign-case"' in page
    response = client.post(f"/applications/{application.reference}/case/assign/", {"assignee": sabah_approver.pk}, follow=True)
    assert "Case assigned." in response.content.decode()
    assert CaseAssignment.objects.get(stage__application=application).assignee == sabah_approver
    mine = signed_in(sabah_approver).get("/cases/mine/").content.decode()
    assert application.reference in mine


def test_internal_notes_are_for_officers_and_never_reach_the_proponent(sabah_reviewer, proponent, api):
    application = make_application(proponent, state="loa_review")
    signed_in(sabah_reviewer).post(f"/applications/{application.reference}/case/notes/", {"text": "Map boundary disputed by the village."})
    assert "Map boundary disputed" in signed_in(sabah_reviewer).get(f"/applications/{application.reference}/").content.decode()
    assert "Map boundary disputed" not in signed_in(proponent).get(f"/applications/{application.reference}/").content.decode()
    assert "Map boundary disputed" not in api(proponent).get(f"/api/v1/applications/{application.reference}/").content.decode()
    with pytest.raises(PermissionDenied):
        services.add_internal_note(application, acting_user=proponent, text="Let me in")
    assert AuditEvent.objects.filter(event="case.noted", subject_id=application.reference).count() == 1


def overdue(application, level: int) -> Stage:
    Stage.objects.filter(application=application, closed_at__isnull=True).update(escalation_level=level)
    return Stage.objects.get(application=application, closed_at__isnull=True)


def test_a_supervisor_nudges_the_staff_of_overdue_work_from_the_application_page(sabah_supervisor, sabah_reviewer,
                                                                                  sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    overdue(application, 1)
    client = signed_in(sabah_supervisor)
    page = client.get(f"/applications/{application.reference}/").content.decode()
    assert 'id="nudge-case"' in page
    response = client.post(f"/applications/{application.reference}/case/nudge/",
                           {"message": "The proponent has waited three weeks."}, follow=True)
    assert "The staff have been nudged." in response.content.decode()
    told = Notification.objects.filter(event="case_nudged", channel="in_app")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["sabah.approver", "sabah.reviewer"]
    note = told.get(recipient=sabah_reviewer)
    assert note.subject == f"Jeffrey Lajungan asks you to act on {application.title}: it is overdue"
    assert "Jeffrey Lajungan: The proponent has waited three weeks." in note.body
    assert f"/applications/{application.reference}/" in note.body and "(Asia/Kuala_Lumpur)" in note.body
    event = AuditEvent.objects.get(event="case.nudged", subject_id=application.reference)
    assert (event.actor_username, event.data["recipients"]) == ("sabah.supervisor", 2)
    assert "The proponent has waited" not in str(event.data)  # the message goes to the staff, not into the audit chain


def test_the_officer_who_has_the_case_is_nudged_even_from_another_authority_role(sabah_supervisor, sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    services.assign_case(application, acting_user=sabah_approver, assignee_id=sabah_supervisor.pk)
    overdue(application, 1)
    services.nudge_case(Application.objects.get(pk=application.pk), acting_user=sabah_supervisor)
    # the supervisor holding the case is not told of their own nudge
    assert not Notification.objects.filter(event="case_nudged", recipient=sabah_supervisor).exists()


def test_only_supervisors_nudge_and_only_overdue_work(sabah_supervisor, sabah_approver, federal_supervisor, proponent):
    application = make_application(proponent, state="loa_review")
    with pytest.raises(PermissionDenied):
        services.nudge_case(application, acting_user=sabah_supervisor)  # on time
    assert 'id="nudge-case"' not in signed_in(sabah_supervisor).get(f"/applications/{application.reference}/").content.decode()
    stage = overdue(application, 1)
    with pytest.raises(PermissionDenied):
        services.nudge_case(application, acting_user=sabah_approver)
    with pytest.raises(PermissionDenied):
        services.nudge_case(application, acting_user=federal_supervisor)  # not yet the next tier's work
    response = signed_in(sabah_approver).post(f"/applications/{application.reference}/case/nudge/", follow=True)
    assert response.status_code == 200 and "Only a supervisor may nudge" in response.content.decode()
    assert stage.escalation_authority_id is not None
    overdue(application, 2)
    page = signed_in(federal_supervisor).get(f"/applications/{application.reference}/").content.decode()
    assert 'id="nudge-case"' in page
    services.nudge_case(Application.objects.get(pk=application.pk), acting_user=federal_supervisor)
    assert AuditEvent.objects.filter(event="case.nudged", actor_username="federal.supervisor").count() == 1
    with pytest.raises(ValidationError):
        services.nudge_case(Application.objects.get(pk=application.pk), acting_user=federal_supervisor, message="x" * 501)
