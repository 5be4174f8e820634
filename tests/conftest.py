"""Personas and helpers shared by the whole suite.

The reference configuration (the demo's Parties, tiers, authorities and accounts)
is the real `seed_demo` data, loaded once per session; tests that commit
(threads, workers) run last and load it again for themselves.
"""
from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.accounts.demo import seed_demo_accounts
from apps.governance.demo import seed_reference_data

from .factories import application_input, make_application


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_reference_data()
        seed_demo_accounts()


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """For tests whose threads or processes need committed data: the flush at the end removes it."""
    seed_reference_data()
    seed_demo_accounts()


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def proponent(db):
    return user("proponent")


@pytest.fixture
def sabah_reviewer(db):
    return user("sabah.reviewer")


@pytest.fixture
def sabah_approver(db):
    return user("sabah.approver")


@pytest.fixture
def sabah_supervisor(db):
    return user("sabah.supervisor")


@pytest.fixture
def sarawak_approver(db):
    return user("sarawak.approver")


@pytest.fixture
def federal_approver(db):
    return user("federal.approver")


@pytest.fixture
def federal_supervisor(db):
    return user("federal.supervisor")


@pytest.fixture
def indonesia_approver(db):
    return user("indonesia.approver")


@pytest.fixture
def admin_user(db):
    return user("admin")


@pytest.fixture
def api():
    """An API client acting as a persona: `api(persona).post(...)`; `api(None)` is anonymous."""

    def client_for(persona=None) -> APIClient:
        client = APIClient()
        if persona is not None:
            client.force_authenticate(user=get_user_model().objects.get(pk=persona.pk))
        return client

    return client_for


@pytest.fixture
def sabah_application(proponent):
    return make_application(proponent)


__all__ = ["application_input", "make_application"]


@pytest.fixture
def deliver_outbox(mailoutbox):
    """Deliver every pending notification as a worker would, for tests that run without one; returns the count."""
    from apps.notifications.models import Notification
    from apps.notifications.services import deliver_notification

    def deliver() -> int:
        ids = Notification.objects.filter(status="pending").order_by("id").values_list("pk", flat=True)
        return sum(deliver_notification(pk) == "delivered" for pk in list(ids))

    return deliver


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttles count per address in the cache, and every test client is 127.0.0.1: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset_after_each_test():
    """A page rendered in Malay leaves the thread's language active; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
