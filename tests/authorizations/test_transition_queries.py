"""A transition costs the same few SQL statements however many people it notifies.

Counted with CaptureQueriesContext. Inside a test the service's durable transaction is a
SAVEPOINT/RELEASE pair; outside a test it is BEGIN/COMMIT, which Django does not log, so the
pair is left out of the count: what remains is what the service sends in production.
"""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.services import verify_chain
from apps.authorizations import services
from apps.authorizations.models import Application, Stage
from apps.governance.models import Authority, Membership, Role
from apps.notifications.models import Notification

from ..factories import make_application

pytestmark = pytest.mark.django_db

BUDGET = 10
User = get_user_model()


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def add_colleagues(count: int) -> None:
    """`count` more reviewers at each authority the chain meets (Sabah and the federal ministry)."""
    users = User.objects.bulk_create([User(username=f"colleague{i}") for i in range(count * 2)])
    sabah, federal = Authority.objects.get(jurisdiction_id="MY-12"), Authority.objects.get(jurisdiction_id="MY")
    Membership.objects.bulk_create(
        [Membership(user=u, authority=sabah, role=Role.REVIEWER) for u in users[:count]]
        + [Membership(user=u, authority=federal, role=Role.REVIEWER) for u in users[count:]]
    )


def run_chain(proponent) -> dict[str, tuple[int, int]]:
    """submit → issue_loa → approve_ca; for each, (statements, notifications written)."""
    application = make_application(proponent)
    steps = [
        ("submit", services.submit_application, "proponent", {}),
        ("issue_loa", services.issue_loa, "sabah.approver", {"authorized_quantity": 1000}),
        ("approve_ca", services.approve_ca, "federal.approver", {}),
    ]
    counts = {}
    for name, service, username, parameters in steps:
        fresh, actor = Application.objects.get(pk=application.pk), User.objects.get(username=username)
        before = Notification.objects.count()
        with CaptureQueriesContext(connection) as captured:
            service(fresh, acting_user=actor, **parameters)
        counts[name] = (len(statements(captured.captured_queries)), Notification.objects.count() - before)
    assert Application.objects.get(pk=application.pk).state == "authorized"
    return counts


def test_each_transition_of_the_chain_stays_within_ten_statements(proponent):
    counts = run_chain(proponent)
    assert {name: n for name, (n, _) in counts.items() if n > BUDGET} == {}


def test_twenty_recipients_cost_the_same_statements_as_one(proponent):
    few = run_chain(proponent)
    add_colleagues(20)
    many = run_chain(proponent)
    assert {name: n for name, (n, _) in many.items()} == {name: n for name, (n, _) in few.items()}
    # The second chain did notify the twenty more reviewers at each stage-holding authority.
    assert many["submit"][1] == few["submit"][1] + 20
    assert many["issue_loa"][1] == few["issue_loa"][1] + 20


def test_webhook_endpoints_cost_no_statement_more_and_get_their_deliveries_in_the_transaction(proponent, settings):
    """The webhook outbox rows are one INSERT … SELECT in the transition, whether zero or three endpoints want them."""
    from apps.webhooks.models import Delivery
    from apps.webhooks.services import create_endpoint

    settings.DEBUG = True  # local endpoint addresses
    none = run_chain(proponent)
    for n in range(3):
        create_endpoint(acting_user=proponent, organisation=proponent.organisations.first(),
                        url=f"http://127.0.0.1:9/hook{n}", events=[])
    three = run_chain(proponent)
    assert {name: n for name, (n, _) in three.items()} == {name: n for name, (n, _) in none.items()}
    assert Delivery.objects.count() == 3 * 3  # three transitions, three endpoints, written before any commit


def test_the_chain_written_this_way_still_verifies(proponent):
    run_chain(proponent)
    assert verify_chain()[1] is None
    open_stages = Stage.objects.filter(closed_at__isnull=True, application__reference__startswith="MYS-")
    assert not open_stages.filter(application__state="authorized").exists()


def test_the_budget_holds_with_the_second_factor_enforced(proponent, settings):
    """Production checks the approvers' TOTP device on every decision; that check is inside the budget."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.TIERFLOW_REQUIRE_2FA = True
    for username in ("sabah.approver", "federal.approver"):
        TOTPDevice.objects.create(user=User.objects.get(username=username), name="phone", confirmed=True)
    counts = run_chain(proponent)
    assert {name: n for name, (n, _) in counts.items() if n > BUDGET} == {}
