"""/account/tokens/: the browser page for personal API tokens."""
import pytest

from apps.api.models import PersonalToken

pytestmark = pytest.mark.django_db


def test_create_shows_the_token_once_then_revoke(client, proponent):
    client.force_login(proponent)
    created = client.post("/account/tokens/", {"name": "Laptop script"})
    token = PersonalToken.objects.get()
    raw = created.context["new_token"]
    assert created.status_code == 200 and raw.encode() in created.content and raw.startswith(token.prefix)
    listed = client.get("/account/tokens/")
    assert b"Laptop script" in listed.content and raw.encode() not in listed.content
    revoked = client.post("/account/tokens/", {"revoke": token.pk}, follow=True)
    assert "revoked" in revoked.content.decode()
    assert PersonalToken.objects.get().revoked_at is not None


def test_a_blank_name_is_refused_with_a_message(client, proponent):
    client.force_login(proponent)
    response = client.post("/account/tokens/", {"name": ""})
    assert response.status_code == 400 and b"Name the token" in response.content
    assert not PersonalToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(client, proponent, sabah_approver):
    client.force_login(proponent)
    client.post("/account/tokens/", {"name": "mine"})
    client.force_login(sabah_approver)
    assert client.post("/account/tokens/", {"revoke": PersonalToken.objects.get().pk}).status_code == 404
    assert PersonalToken.objects.get().revoked_at is None


def test_anonymous_is_sent_to_login(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
