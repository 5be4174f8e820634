"""Working-day deadlines in the holder's jurisdiction (its weekend, its holidays), or calendar days by policy."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.authorizations.deadlines import deadlines_for, working_calendar
from apps.authorizations.models import Stage
from apps.governance.models import DutyAssignment, Jurisdiction

from ..factories import make_application

pytestmark = pytest.mark.django_db
KL = ZoneInfo("Asia/Kuala_Lumpur")


def policy(sla_days=1, calendar=DutyAssignment.Calendar.WORKING_DAYS, grace=0, reminder=0) -> DutyAssignment:
    return DutyAssignment(sla_days=sla_days, calendar=calendar, escalation_grace_days=grace, reminder_percent=reminder)


def due(code: str, opened_local: datetime, **kwargs) -> datetime:
    return deadlines_for(policy(**kwargs), Jurisdiction.objects.get(code=code), opened_local.astimezone(ZoneInfo("UTC"))).due_at


def test_kelantan_rests_on_friday_and_saturday_so_a_thursday_stage_is_due_at_the_end_of_sunday():
    assert due("MY-03", datetime(2026, 12, 3, 10, 0, tzinfo=KL)).astimezone(KL) == datetime(2026, 12, 6, 23, 59, 59, tzinfo=KL)


def test_selangor_rests_on_saturday_and_sunday_so_the_same_stage_is_due_at_the_end_of_friday():
    assert due("MY-10", datetime(2026, 12, 3, 10, 0, tzinfo=KL)).astimezone(KL) == datetime(2026, 12, 4, 23, 59, 59, tzinfo=KL)


def test_kedah_and_terengganu_also_rest_on_friday_and_saturday():
    for code in ("MY-02", "MY-11"):
        assert due(code, datetime(2026, 12, 3, 10, 0, tzinfo=KL)).date() == datetime(2026, 12, 6).date(), code


def test_a_sabah_stage_spanning_pesta_kaamatan_skips_it_and_its_observed_day():
    sabah = working_calendar(Jurisdiction.objects.get(code="MY-12"))
    assert "Pesta Kaamatan" in sabah.get("2026-05-30") and "Pesta Kaamatan" in sabah.get("2026-06-02")
    # Thursday 28 May + 2 working days: Friday 29, then (30–31 May weekend and Kaamatan, 1 June the King's
    # birthday, 2 June Kaamatan observed) Wednesday 3 June.
    assert due("MY-12", datetime(2026, 5, 28, 9, 0, tzinfo=KL), sla_days=2).astimezone(KL) == datetime(2026, 6, 3, 23, 59, 59, tzinfo=KL)


def test_the_deadline_is_stored_in_utc_and_shown_in_the_jurisdictions_time_zone(proponent):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.select_related("authority__jurisdiction__party").get(application=application, closed_at__isnull=True)
    assert stage.due_at.utcoffset() == timedelta(0)
    assert stage.timezone_name == "Asia/Kuala_Lumpur"
    assert (stage.due_at_local.hour, stage.due_at_local.minute) == (23, 59)
    sabah = working_calendar(stage.authority.jurisdiction)
    assert sabah.is_working_day(stage.due_at_local.date())


def test_calendar_days_remain_a_policy_choice():
    opened = datetime(2026, 12, 3, 10, 0, tzinfo=KL)
    deadlines = deadlines_for(policy(sla_days=3, calendar=DutyAssignment.Calendar.CALENDAR_DAYS, grace=2),
                              Jurisdiction.objects.get(code="MY-03"), opened)
    assert deadlines.due_at == opened + timedelta(days=3)
    assert deadlines.escalate_at == opened + timedelta(days=5)


def test_the_grace_period_counts_working_days_too():
    deadlines = deadlines_for(policy(sla_days=1, grace=1), Jurisdiction.objects.get(code="MY-10"), datetime(2026, 12, 3, 10, tzinfo=KL))
    assert deadlines.escalate_at.astimezone(KL) == datetime(2026, 12, 7, 23, 59, 59, tzinfo=KL)  # Friday due, Monday escalates


def test_the_reminder_falls_at_the_policys_share_of_the_sla():
    opened = datetime(2026, 12, 1, 0, 0, tzinfo=KL)
    deadlines = deadlines_for(policy(sla_days=10, calendar=DutyAssignment.Calendar.CALENDAR_DAYS, reminder=80),
                              Jurisdiction.objects.get(code="MY-10"), opened)
    assert deadlines.remind_at == opened + timedelta(days=8)
    assert deadlines_for(policy(reminder=0), Jurisdiction.objects.get(code="MY-10"), opened).remind_at is None


def test_a_jurisdiction_the_holidays_package_does_not_know_falls_back_to_its_country():
    calendar = working_calendar(Jurisdiction(code="MY-99"))
    assert not calendar.is_working_day("2026-08-31")  # Hari Merdeka, national
