"""A corpus of PDFs that would make a reader act by itself, each refused after parsing, however it is spelled or packed."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.authorizations.documents import attach_document
from apps.authorizations.models import Document

from ..factories import make_application
from ..pdf_corpus import CLEAN, HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_pdf_is_refused_and_nothing_is_stored(case, proponent):
    application = make_application(proponent)
    with pytest.raises(ValidationError) as refused:
        attach_document(application, acting_user=proponent, upload=SimpleUploadedFile("plan.pdf", HOSTILE[case]))
    assert "are not accepted (found /" in str(refused.value.message_dict["file"])
    assert not Document.objects.exists()


def test_the_same_document_without_active_content_is_accepted(proponent):
    document = attach_document(make_application(proponent), acting_user=proponent, upload=SimpleUploadedFile("plan.pdf", CLEAN))
    assert document.content_type == "application/pdf"


def test_a_pdf_the_parser_cannot_read_is_refused_as_damaged(proponent):
    with pytest.raises(ValidationError, match="damaged or encrypted"):
        attach_document(make_application(proponent), acting_user=proponent,
                        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n garbage \n%%EOF\n"))


def test_the_api_refuses_javascript_hidden_by_name_escapes(api, proponent, sabah_application):
    response = api(proponent).post(f"/api/v1/applications/{sabah_application.reference}/documents/", {
        "file": SimpleUploadedFile("plan.pdf", HOSTILE["JavaScript behind name escapes"])}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
