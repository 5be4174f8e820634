"""Authorized applications ready for the ledger, and the registry operators who act on them."""
from __future__ import annotations

import pytest

from apps.authorizations.models import Application

from ..conftest import user
from ..factories import make_application


def authorized(proponent, *, ca_id: str = "CA0001", article_6_4: bool = False, **overrides) -> Application:
    application = make_application(proponent, state="authorized", **overrides)
    Application.objects.filter(pk=application.pk).update(cooperative_approach_id=ca_id, mechanism="article_6_4" if article_6_4 else "article_6_2")
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def ndc_application(proponent):
    """Sabah, NDC purpose to Korea, 100,000 authorized for 2026–2030."""
    return authorized(proponent)


@pytest.fixture
def korea_operator(db):
    """The demo's approver at Korea's national authority: operates Korea's registry (uses, cancellations)."""
    return user("korea.approver")
