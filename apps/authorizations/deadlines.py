"""When a stage is due, when its holder is reminded and when it escalates, from the duty assignment's policy.

Working days are those of the jurisdiction that holds the duty, from the
`holidays` package: a Malaysian state's own weekend (Kedah, Kelantan and
Terengganu rest on Friday and Saturday) and public holidays (Sabah's Pesta
Kaamatan). A working-day deadline falls at the end of the last working day, in
the jurisdiction's time zone; it is stored in UTC. Calendar days remain a
policy choice (`DutyAssignment.calendar`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from apps.governance.models import DutyAssignment, Jurisdiction

# The last moment of a working day: a deadline "at the end of Friday" is Friday 23:59:59 local time.
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class StageDeadlines:
    due_at: datetime
    escalate_at: datetime
    remind_at: datetime | None = None


@lru_cache(maxsize=256)
def _calendar_for(country: str, subdivision: str | None) -> holidays.HolidayBase:
    """The holidays (and weekend) of a country or one of its subdivisions; Saturday–Sunday with no holidays if unknown."""
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        if subdivision is not None:
            return _calendar_for(country, None)
        return holidays.HolidayBase()


def working_calendar(jurisdiction: Jurisdiction) -> holidays.HolidayBase:
    """The calendar of an ISO 3166-2 jurisdiction ("MY-12" → Malaysia, subdivision 12 Sabah; "MY" → Malaysia)."""
    country, _, subdivision = jurisdiction.code.partition("-")
    return _calendar_for(country.upper(), subdivision or None)


def jurisdiction_timezone(jurisdiction: Jurisdiction) -> ZoneInfo:
    return ZoneInfo(jurisdiction.timezone or jurisdiction.party.timezone or "UTC")


def add_working_days(jurisdiction: Jurisdiction, start: date, days: int) -> date:
    """The `days`-th working day after `start` in the jurisdiction (`start` itself when days is 0)."""
    if days <= 0:
        return start
    return working_calendar(jurisdiction).get_nth_working_day(start, days)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def deadlines_for(assignment: DutyAssignment, holder_jurisdiction: Jurisdiction, opened_at: datetime) -> StageDeadlines:
    """Due after the SLA, reminded at the policy's share of it, escalated to the next tier up after the grace period."""
    if assignment.calendar == DutyAssignment.Calendar.WORKING_DAYS:
        zone = jurisdiction_timezone(holder_jurisdiction)
        opened_on = opened_at.astimezone(zone).date()
        due_on = add_working_days(holder_jurisdiction, opened_on, assignment.sla_days)
        due_at = _end_of(due_on, zone)
        escalate_at = _end_of(add_working_days(holder_jurisdiction, due_on, assignment.escalation_grace_days), zone)
        if assignment.escalation_grace_days == 0:
            escalate_at = due_at
    else:
        due_at = opened_at + timedelta(days=assignment.sla_days)
        escalate_at = due_at + timedelta(days=assignment.escalation_grace_days)
    remind_at = None
    if assignment.reminder_percent and due_at > opened_at:
        remind_at = opened_at + (due_at - opened_at) * assignment.reminder_percent / 100
    return StageDeadlines(due_at=due_at, escalate_at=escalate_at, remind_at=remind_at)
