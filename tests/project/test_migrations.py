"""The models and the migrations describe the same schema."""
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # --check exits non-zero when a migration would be written
        pytest.fail(f"models changed without a migration (exit {exit_.code}):\n{out.getvalue()}")


def test_no_migration_is_named_for_a_merge_or_a_work_item():
    from pathlib import Path

    names = [p.name for p in Path(__file__).resolve().parents[2].glob("apps/*/migrations/0*.py")]
    assert names, "no migrations found"
    assert [n for n in names if "merge" in n or "issue" in n] == []
