"""Each workflow's table is the one description of its transitions: everything else is derived from it."""
import pytest

from apps.api.serializers import TransitionSerializer
from apps.authorizations.models import Application
from apps.authorizations.workflow import APPLICATION, State
from apps.reporting.models import Report
from apps.reporting.workflow import REPORT
from apps.web.forms import transition_form
from apps.webhooks.services import EVENT_TYPES


@pytest.mark.parametrize("workflow,model", [(APPLICATION, Application), (REPORT, Report)])
def test_the_state_machine_is_the_table(workflow, model):
    # A row whose end the object decides has django-fsm pick among exactly the row's targets.
    machine = {(t.name, t.source, tuple(getattr(t.target, "allowed_states", None) or (t.target,)))
               for t in model(state="draft").get_all_state_transitions()}
    table = {(row.name, source, row.targets) for row in workflow for source in row.source}
    assert machine == table


@pytest.mark.parametrize("workflow", [APPLICATION, REPORT])
def test_every_row_has_one_service_and_an_audit_event_of_its_own(workflow):
    import apps.authorizations.services  # noqa: F401  (the services register themselves)
    import apps.reporting.services  # noqa: F401

    assert set(workflow.services) == set(workflow.names)
    assert workflow.event_types == [f"{workflow.name}.{name}" for name in workflow.names]


def test_the_api_webhooks_and_forms_offer_what_the_table_says():
    assert set(TransitionSerializer().fields["transition"].choices) == set(APPLICATION.names)
    assert EVENT_TYPES == [*APPLICATION.event_types, "ping"]
    application = Application(state=State.LOA_REVIEW, requested_quantity=500, vintage_from=2026, vintage_to=2028)
    form = transition_form("issue_loa", application)
    assert [name for name in form.fields if name not in ("comment", "seen_state")] == list(APPLICATION["issue_loa"].parameter_names)
    assert form.fields["authorized_quantity"].widget.attrs["max"] == 500
    assert str(transition_form("reject", application).fields["comment"].label) == "Reason for rejecting"
