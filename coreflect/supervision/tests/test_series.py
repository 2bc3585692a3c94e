"""Series of sessions: occurrences made ahead and topped up, moves and cancellations of one,
changes to the series and to its members reaching future occurrences only."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from coreflect.people.models import Role
from coreflect.policy import recurrence
from coreflect.policy.models import PolicySettings
from coreflect.supervision import actions
from coreflect.supervision.models import Attendance, SeriesMember, Session
from coreflect.supervision.tests.conftest import TODAY
from coreflect.testing import make_person

LAST_WEDNESDAYS = "FREQ=MONTHLY;BYDAY=-1WE"


def group(lead, members, *, start=dt.date(2026, 1, 1), end=None, rule=LAST_WEDNESDAYS, **extra):
    return actions.create_series(
        by=lead.user,
        kind="co_reflection",
        lead=lead,
        name="North group",
        recurrence_rule=rule,
        start_date=start,
        end_date=end,
        start_time=dt.time(13),
        duration_minutes=180,
        modality="in_person",
        location="The Hub",
        members=members,
        **extra,
    )


def dates(series):
    return list(
        series.occurrences.filter(cancelled_at__isnull=True)
        .order_by("date")
        .values_list("date", flat=True)
    )


# The pure rules.


def test_the_default_rule_gives_the_last_wednesday_of_each_month():
    days = recurrence.occurrence_dates(
        LAST_WEDNESDAYS,
        series_start=dt.date(2026, 1, 1),
        series_end=None,
        window_start=TODAY,
        window_end=dt.date(2027, 2, 28),
    )
    assert days == [dt.date(2026, 11, 25), dt.date(2026, 12, 30), dt.date(2027, 1, 27)] + [
        dt.date(2027, 2, 24)
    ]


@pytest.mark.parametrize(
    "rule", ["", "BYDAY=MO", "FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=XX", "DTSTART=20260101;FREQ=DAILY"]
)
def test_rules_a_series_cannot_use_are_refused(rule):
    assert recurrence.recurrence_problem(rule) is not None


def test_a_window_starts_after_what_was_made_and_ends_at_the_series_end():
    window = recurrence.top_up_window(
        series_start=dt.date(2026, 1, 1),
        series_end=dt.date(2027, 3, 1),
        generated_until=dt.date(2026, 12, 31),
        today=TODAY,
        horizon_end=dt.date(2027, 11, 23),
    )
    assert window == (dt.date(2027, 1, 1), dt.date(2027, 3, 1))


# Making occurrences.


def test_occurrences_run_from_today_to_the_policy_horizon_with_members_invited(sam, alice):
    series = group(sam, [alice, sam])
    days = dates(series)
    assert days[0] == dt.date(2026, 11, 25) and days[-1] == dt.date(2027, 10, 27)
    assert len(days) == 12
    first = series.occurrences.get(date=days[0])
    assert first.kind == "co_reflection" and first.lead == sam and first.start_time == dt.time(13)
    # The facilitator is not a participant.
    assert list(first.attendance.values_list("person", "status")) == [(alice.pk, "invited")]


def test_the_horizon_is_a_policy_setting(sam, alice):
    PolicySettings.objects.filter(pk=PolicySettings.objects.current().pk).update(
        series_horizon_months=3
    )
    assert len(dates(group(sam, [alice]))) == 3


def test_a_series_that_started_later_starts_there(sam, alice):
    assert dates(group(sam, [alice], start=dt.date(2027, 1, 1)))[0] == dt.date(2027, 1, 27)


def test_top_up_is_idempotent_and_follows_time(sam, alice):
    series = group(sam, [alice])
    assert actions.top_up_series(today=TODAY) == 0
    with time_machine.travel(dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC)):
        assert actions.top_up_series(today=dt.date(2027, 1, 5)) == 2
        assert actions.top_up_series(today=dt.date(2027, 1, 5)) == 0
    assert dates(series)[-1] == dt.date(2027, 12, 29)
    assert series.occurrences.count() == 14


def test_a_cancelled_occurrence_is_not_made_again(sam, alice):
    series = group(sam, [alice])
    one = series.occurrences.get(date=dt.date(2026, 12, 30))
    actions.cancel_session(
        by=sam.user, session=one, version=one.version, cancelled_by_side="supervisor", reason="Ill"
    )
    series.generated_until = None
    series.save(update_fields=["generated_until"])
    assert actions.top_up_series(today=TODAY) == 0
    assert dt.date(2026, 12, 30) not in dates(series)


def test_occurrences_count_as_scheduled_sessions(sam, alice):
    group(sam, [alice])
    assert Session.objects.filter(attendance__person=alice, date__gte=TODAY).count() == 12


# One occurrence, and the whole series.


def test_moving_one_occurrence_leaves_the_rest(sam, alice):
    series = group(sam, [alice])
    one = series.occurrences.get(date=dt.date(2026, 12, 30))
    actions.update_session(
        by=sam.user, session=one, version=one.version, date=dt.date(2026, 12, 16)
    )
    one.refresh_from_db()
    assert one.detached and one.occurrence_date == dt.date(2026, 12, 30)
    assert dt.date(2026, 12, 16) in dates(series) and dt.date(2027, 1, 27) in dates(series)
    assert actions.top_up_series(today=TODAY) == 0


def test_changing_the_series_changes_future_occurrences_only(sam, alice):
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)):
        series = group(sam, [alice], start=dt.date(2026, 10, 1))
    actions.top_up_series(today=TODAY)
    past = series.occurrences.get(date=dt.date(2026, 10, 28))
    moved = series.occurrences.get(date=dt.date(2027, 1, 27))
    actions.update_session(by=sam.user, session=moved, version=moved.version, location="Annex")
    series.refresh_from_db()
    actions.change_series(
        by=sam.user, series=series, version=series.version, start_time=dt.time(10)
    )
    past.refresh_from_db()
    moved.refresh_from_db()
    assert past.start_time == dt.time(13)
    assert moved.start_time == dt.time(13) and moved.location == "Annex"
    nov = series.occurrences.get(date=dt.date(2026, 11, 25))
    assert nov.start_time == dt.time(10) and nov.version == 2


def test_a_new_rule_cancels_days_it_no_longer_gives_and_makes_its_own(sam, alice):
    series = group(sam, [alice])
    old = series.occurrences.get(date=dt.date(2026, 12, 30))
    actions.change_series(
        by=sam.user, series=series, version=series.version, recurrence="FREQ=MONTHLY;BYDAY=+2TU"
    )
    old.refresh_from_db()
    assert old.is_cancelled and old.cancellation_reason == actions.SERIES_CHANGED
    assert set(old.attendance.values_list("status", flat=True)) == {"cancelled_by_supervisor"}
    assert dates(series)[:2] == [dt.date(2026, 12, 8), dt.date(2027, 1, 12)]
    assert Attendance.objects.get(session__date=dt.date(2026, 12, 8)).person == alice


def test_ending_the_series_cancels_what_comes_after(sam, alice):
    series = group(sam, [alice])
    actions.change_series(
        by=sam.user, series=series, version=series.version, end_date=dt.date(2027, 1, 31)
    )
    assert dates(series) == [dt.date(2026, 11, 25), dt.date(2026, 12, 30), dt.date(2027, 1, 27)]


def test_a_stale_series_edit_is_refused(sam, alice):
    series = group(sam, [alice])
    with pytest.raises(actions.StaleSeries):
        actions.change_series(
            by=sam.user, series=series, version=series.version - 1, start_time=dt.time(9)
        )


def test_a_bad_rule_is_refused(sam, alice):
    with pytest.raises(ValidationError):
        group(sam, [alice], rule="FREQ=MINUTELY")


# Members.


def test_a_member_joining_is_invited_from_their_first_day(sam, alice, north):
    series = group(sam, [alice])
    bo = make_person("BO", "Bo Blue", Role.PEER_WORKER, locality=north)
    actions.add_member(
        by=sam.user,
        series=series,
        person=bo,
        start_date=dt.date(2027, 1, 1),
        version=series.version,
    )
    invited = Session.objects.filter(attendance__person=bo).order_by("date")
    assert invited.first().date == dt.date(2027, 1, 27)
    assert not Attendance.objects.filter(person=bo, session__date__lt=dt.date(2027, 1, 1))


def test_a_member_leaving_comes_off_later_occurrences_only(sam, alice):
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)):
        series = group(sam, [alice], start=dt.date(2026, 10, 1))
    actions.top_up_series(today=TODAY)
    member = SeriesMember.objects.get(series=series, person=alice)
    series.refresh_from_db()
    actions.end_membership(
        by=sam.user, member=member, end_date=dt.date(2026, 12, 31), version=series.version
    )
    assert list(
        Session.objects.filter(attendance__person=alice)
        .order_by("date")
        .values_list("date", flat=True)
    ) == [dt.date(2026, 10, 28), dt.date(2026, 11, 25), dt.date(2026, 12, 30)]


def test_a_marked_line_stays_when_its_member_leaves(sam, alice):
    series = group(sam, [alice])
    one = series.occurrences.get(date=dt.date(2027, 1, 27))
    actions.set_attendance_status(
        by=sam.user, session=one, person=alice, status="apologies", version=one.version
    )
    member = SeriesMember.objects.get(series=series, person=alice)
    series.refresh_from_db()
    actions.end_membership(by=sam.user, member=member, end_date=TODAY, version=series.version)
    assert Attendance.objects.filter(session=one, person=alice, status="apologies").exists()


def test_a_one_to_one_series_has_one_supervisee(sam, alice):
    series = actions.create_series(
        by=sam.user,
        kind="one_to_one",
        lead=sam,
        recurrence_rule="FREQ=MONTHLY;BYDAY=+2TU",
        start_date=TODAY,
        start_time=dt.time(10),
        duration_minutes=60,
        modality="video",
        members=[alice],
    )
    first = series.occurrences.order_by("date").first()
    assert first.date == dt.date(2026, 12, 8) and first.kind == "one_to_one"
    assert list(first.attendance.values_list("person", flat=True)) == [alice.pk]
    with pytest.raises(ValidationError):
        actions.create_series(
            by=sam.user,
            kind="one_to_one",
            lead=sam,
            recurrence_rule="FREQ=MONTHLY",
            start_date=TODAY,
            start_time=dt.time(10),
            duration_minutes=60,
            modality="video",
            members=[],
        )


def test_topping_up_thousands_of_series_takes_a_fixed_number_of_queries(
    sam, alice, django_assert_max_num_queries
):
    for _ in range(5):
        group(sam, [alice])
    from coreflect.supervision.models import SessionSeries

    SessionSeries.objects.update(generated_until=None)
    Session.objects.all().delete()
    with django_assert_max_num_queries(12):
        assert actions.top_up_series(today=TODAY) == 60


def test_the_top_up_command_makes_what_is_missing_once(sam, alice, capsys):
    from django.core.management import call_command

    series = group(sam, [alice])
    series.occurrences.filter(date__gt=dt.date(2027, 6, 1)).delete()
    type(series).objects.update(generated_until=dt.date(2027, 6, 1))
    call_command("top-up-series")
    call_command("top-up-series")
    assert capsys.readouterr().out == "Made 5 sessions.\nMade 0 sessions.\n"
