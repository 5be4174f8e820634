"""Configuration history (django-pghistory): PostgreSQL triggers copy every insert, update and delete
of the governance configuration into an event table, with the request's user and URL as context.

The event models live in this app so the governance app's own migrations stay untouched.
"""
import pghistory
from django.apps import apps
from django.db import models

from apps.governance import models as governance

TRACKED = [
    governance.Party, governance.Tier, governance.Jurisdiction, governance.Authority, governance.Membership,
    governance.DutyAssignment, governance.Requirement, governance.BilateralAgreement,
]

EVENT_MODELS = {}  # "Membership" -> MembershipEvent
for _model in TRACKED:
    pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        app_label="history", model_name=f"{_model.__name__}Event",
        obj_field=pghistory.ObjForeignKey(related_name="history_events", db_constraint=False, on_delete=models.DO_NOTHING),
    )(_model)
    EVENT_MODELS[_model.__name__] = apps.all_models["history"][f"{_model.__name__.lower()}event"]
