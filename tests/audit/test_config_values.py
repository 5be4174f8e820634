"""A configuration change made in the admin says field by field what it was and what it is now, in the audit chain
and on the object's history page; secrets say only that they changed."""
import pytest

from apps.audit.models import AuditEvent
from apps.governance.models import Authority, Membership, Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def last_change():
    return AuditEvent.objects.filter(event="config.changed").order_by("seq").last()


def test_a_role_change_shows_old_and_new_in_the_audit_event_and_the_history_page(client, admin_user):
    client.force_login(admin_user)
    newcomer = UserFactory()
    authority = Authority.objects.get(jurisdiction_id="MY-12")
    membership = Membership.objects.create(user=newcomer, authority=authority, role=Role.REVIEWER)
    response = client.post(f"/admin/governance/membership/{membership.pk}/change/",
                           {"user": newcomer.pk, "authority": authority.pk, "role": Role.APPROVER})
    assert response.status_code == 302, response.content.decode()[:2000]
    values = last_change().data["values"]
    assert [(v["field"], v["old"], v["new"]) for v in values] == [("role", "Reviewer", "Approver")]

    page = client.get(f"/admin/governance/membership/{membership.pk}/history/").content.decode()
    assert "Role: Reviewer → Approver" in page


def test_a_related_object_is_shown_by_name_and_an_unchanged_save_lists_nothing(client, admin_user):
    client.force_login(admin_user)
    newcomer = UserFactory()
    sabah, federal = Authority.objects.get(jurisdiction_id="MY-12"), Authority.objects.get(jurisdiction_id="MY")
    membership = Membership.objects.create(user=newcomer, authority=sabah, role=Role.REVIEWER)
    client.post(f"/admin/governance/membership/{membership.pk}/change/", {"user": newcomer.pk, "authority": federal.pk, "role": Role.REVIEWER})
    assert [(v["field"], v["old"], v["new"]) for v in last_change().data["values"]] == [("authority", str(sabah), str(federal))]
    page = client.get(f"/admin/governance/membership/{membership.pk}/history/").content.decode()
    assert f"Authority: {sabah} → {federal}" in page

    before = AuditEvent.objects.filter(event="config.changed").count()
    client.post(f"/admin/governance/membership/{membership.pk}/change/", {"user": newcomer.pk, "authority": federal.pk, "role": Role.REVIEWER})
    assert AuditEvent.objects.filter(event="config.changed").count() == before + 1
    assert last_change().data["values"] == []


def test_a_user_change_names_the_flag_and_never_copies_the_password_hash(client, admin_user, proponent):
    client.force_login(admin_user)
    proponent.set_password("correct horse battery")
    proponent.save()
    response = client.post(f"/admin/auth/user/{proponent.pk}/change/", {
        "username": "proponent", "first_name": "Nur", "last_name": "Aisyah", "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = last_change()
    changed = {v["field"]: (v["old"], v["new"]) for v in event.data["values"]}
    assert changed["is_staff"] == ("False", "True")
    assert changed["first_name"] == ("Project", "Nur")
    proponent.refresh_from_db()
    assert proponent.password not in str(event.data)
    page = client.get(f"/admin/auth/user/{proponent.pk}/history/").content.decode()
    assert "First name: Project → Nur" in page


def form_data(response) -> dict:
    """What the browser would post back unchanged: the change form's and every inline's current values."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_a_staff_member_changed_on_the_authority_page_is_listed_under_that_membership(client, admin_user):
    client.force_login(admin_user)
    authority = Authority.objects.get(jurisdiction_id="MY-12")
    newcomer = UserFactory(username="new.sabah.officer")
    membership = Membership.objects.create(user=newcomer, authority=authority, role=Role.REVIEWER)
    url = f"/admin/governance/authority/{authority.pk}/change/"
    data = form_data(client.get(url))
    row = next(key for key, value in data.items() if key.endswith("-id") and str(value) == str(membership.pk))
    data[row.replace("-id", "-role")] = Role.SUPERVISOR
    data["email"] = "forestry@sabah.example.gov.my"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    values = {(v["object"], v["field"]): (v["old"], v["new"]) for v in last_change().data["values"]}
    assert values[(str(authority), "email")][1] == "forestry@sabah.example.gov.my"
    assert values[(str(Membership.objects.get(pk=membership.pk)), "role")] == ("Reviewer", "Supervisor")
    page = client.get(f"/admin/governance/authority/{authority.pk}/history/").content.decode()
    assert "Role: Reviewer → Supervisor" in page and "new.sabah.officer" in page
