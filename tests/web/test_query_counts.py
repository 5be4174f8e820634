"""Queries per page stay constant as data grows (speed itself is `make bench`'s business)."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.authorizations import documents, services
from apps.authorizations.models import Application
from tests.factories import make_application
from ..pdf_corpus import CLEAN as CLEAN_PDF

pytestmark = pytest.mark.django_db


def queries_for(user, path: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(path)  # warm the session and any per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_queue_queries_do_not_grow_with_the_queue(sabah_approver, proponent):
    make_application(proponent, state="loa_review")
    small = queries_for(sabah_approver, "/queue/")
    for i in range(12):
        make_application(proponent, state="loa_review", title=f"More work {i}")
    assert queries_for(sabah_approver, "/queue/") == small
    assert small <= 8


def test_application_page_queries_do_not_grow_with_documents_or_history(sabah_approver, federal_approver, proponent):
    application = make_application(proponent, state="loa_review")
    path = f"/applications/{application.reference}/"
    small = queries_for(sabah_approver, path)
    big = make_application(proponent, title="Busy one")
    for i in range(6):
        documents.attach_document(big, acting_user=proponent, title=f"Annex {i}",
                                  upload=SimpleUploadedFile(f"a{i}.pdf", CLEAN_PDF, "application/pdf"))
    services.submit_application(Application.objects.get(pk=big.pk), acting_user=proponent)
    services.request_changes(Application.objects.get(pk=big.pk), acting_user=sabah_approver, comment="More please.")
    services.resubmit_application(Application.objects.get(pk=big.pk), acting_user=proponent)
    assert queries_for(sabah_approver, f"/applications/{big.reference}/") == small
    assert small <= 16


def test_applications_list_queries_do_not_grow(proponent):
    make_application(proponent)
    small = queries_for(proponent, "/applications/")
    for i in range(10):
        make_application(proponent, title=f"Draft {i}")
    assert queries_for(proponent, "/applications/") == small
