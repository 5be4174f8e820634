"""Sign-in hashes passwords with Argon2id; a password stored under an older hasher is rehashed on sign-in."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

import config.settings as production

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def production_hashers(settings):
    # The suite hashes with MD5 for speed (tests/conftest.py); these tests need the deployed list.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def pbkdf2_user(username: str):
    user = get_user_model().objects.get(username=username)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    return user


def stored_hash(username: str) -> str:
    return get_user_model().objects.get(username=username).password


def test_a_new_password_is_stored_as_argon2id(production_hashers, proponent):
    proponent.set_password(PASSWORD)
    proponent.save()
    assert stored_hash("proponent").startswith("argon2$argon2id$v=19$m=47104,t=2,p=1$")


def test_a_pbkdf2_user_signing_in_on_the_web_ends_with_an_argon2_hash(production_hashers, client, proponent):
    pbkdf2_user("proponent")
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD})
    assert response.status_code == 302
    assert stored_hash("proponent").startswith("argon2$argon2id$")
    client.logout()
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD})  # the new hash verifies
    assert response.status_code == 302


def test_a_pbkdf2_user_obtaining_an_api_token_ends_with_an_argon2_hash(production_hashers, client, proponent):
    pbkdf2_user("proponent")
    response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200
    assert stored_hash("proponent").startswith("argon2$argon2id$")


def test_a_wrong_password_leaves_the_old_hash_alone(production_hashers, client, proponent):
    pbkdf2_user("proponent")
    before = stored_hash("proponent")
    response = client.post("/accounts/login/", {"username": "proponent", "password": "wrong"})
    assert response.status_code == 200
    assert stored_hash("proponent") == before


def test_an_argon2_hash_at_another_cost_is_rehashed_at_the_tuned_cost(production_hashers, client, proponent):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    proponent.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())  # Django's default cost
    proponent.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in stored_hash("proponent")
    assert client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}).status_code == 302
    assert "m=47104,t=2,p=1" in stored_hash("proponent")
