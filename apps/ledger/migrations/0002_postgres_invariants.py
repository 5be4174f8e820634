"""Invariants PostgreSQL enforces itself (skipped on SQLite, where `make run` still works).

- Live blocks of one registry never overlap: an exclusion constraint over int8range (btree_gist
  lets the registry ID take part with `=`).
- A serial is first-transferred at most once: First transfer actions of one registry never overlap.
"""
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [("ledger", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        PostgresOnlySQL(
            sql="""
            ALTER TABLE ledger_block ADD CONSTRAINT block_serials_never_overlap
              EXCLUDE USING gist (registry_id WITH =, int8range(first_id, last_id, '[]') WITH &&);
            ALTER TABLE ledger_action ADD CONSTRAINT first_transfer_at_most_once
              EXCLUDE USING gist (registry_id WITH =, int8range(first_id, last_id, '[]') WITH &&)
              WHERE (action_type = 'First transfer');
            """,
            reverse_sql="""
            ALTER TABLE ledger_block DROP CONSTRAINT block_serials_never_overlap;
            ALTER TABLE ledger_action DROP CONSTRAINT first_transfer_at_most_once;
            """,
        ),
    ]
