"""Server processes render a specimen letter at start, so the first real letter is not the slow one."""
import io

import pytest
from pypdf import PdfReader

from apps.authorizations.letters import _specimen_letter, render_letter_pdf, warm_letter_rendering

pytestmark = pytest.mark.django_db


def test_the_warm_up_renders_the_real_letter_template_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        pdf = render_letter_pdf(_specimen_letter())
        seconds = warm_letter_rendering()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Letter of Authorization" in text and "Specimen Party" in text
    assert seconds > 0
