import datetime as dt

import pytest

from coreflect.notes import rules, workdays
from coreflect.notes.rules import Party


class TestTransitions:
    @pytest.mark.parametrize(
        ("state", "to", "party"),
        [
            ("not_written", "draft", Party.SUPERVISOR),
            ("draft", "shared", Party.SUPERVISOR),
            ("shared", "accepted", Party.SUPERVISEE),
            ("shared", "changes_requested", Party.SUPERVISEE),
            ("shared", "review_together", Party.SUPERVISEE),
            ("changes_requested", "shared", Party.SUPERVISOR),
            ("review_together", "shared", Party.SUPERVISOR),
            ("changes_requested", "draft", Party.SUPERVISOR),
        ],
    )
    def test_allowed(self, state, to, party):
        assert rules.can_transition(state, to, party)

    @pytest.mark.parametrize(
        ("state", "to", "party"),
        [
            # Only the supervisor shares; only the supervisee answers.
            ("draft", "shared", Party.SUPERVISEE),
            ("shared", "accepted", Party.SUPERVISOR),
            ("shared", "changes_requested", Party.SUPERVISOR),
            ("shared", "review_together", Party.SUPERVISOR),
            # Accepted notes are locked.
            ("accepted", "draft", Party.SUPERVISOR),
            ("accepted", "changes_requested", Party.SUPERVISEE),
            # No skipping the supervisee's answer, nobody outside the two.
            ("draft", "accepted", Party.SUPERVISEE),
            ("draft", "shared", None),
            ("shared", "accepted", None),
        ],
    )
    def test_refused(self, state, to, party):
        assert not rules.can_transition(state, to, party)

    def test_next_states(self):
        assert rules.next_states("shared", Party.SUPERVISEE) == [
            "accepted",
            "changes_requested",
            "review_together",
        ]
        assert rules.next_states("accepted", Party.SUPERVISOR) == []

    def test_may_share_needs_some_text(self):
        assert not rules.may_share(["", "  \n", ""])
        assert rules.may_share(["", "ok"])


class TestWorkingDays:
    def test_spec_example_christmas(self):
        # Spec §4: session Thursday 18 Dec 2025 → notes due Monday 29 Dec 2025.
        assert workdays.add_working_days(dt.date(2025, 12, 18), 5, "england_and_wales") == (
            dt.date(2025, 12, 29)
        )

    def test_saturday_counts_from_monday(self):
        # Saturday 22 Nov 2025: day 1 is Monday 24, day 5 Friday 28.
        assert workdays.add_working_days(dt.date(2025, 11, 22), 5, "england_and_wales") == (
            dt.date(2025, 11, 28)
        )
        assert workdays.add_working_days(dt.date(2025, 11, 22), 1, "england_and_wales") == (
            dt.date(2025, 11, 24)
        )

    def test_regions_differ(self):
        # 2 January is a bank holiday in Scotland only; St Patrick's Day in Northern Ireland.
        assert workdays.add_working_days(dt.date(2026, 1, 1), 1, "england_and_wales") == (
            dt.date(2026, 1, 2)
        )
        assert workdays.add_working_days(dt.date(2026, 1, 1), 1, "scotland") == dt.date(2026, 1, 5)
        assert workdays.add_working_days(dt.date(2026, 3, 16), 1, "northern_ireland") == (
            dt.date(2026, 3, 18)
        )
        assert workdays.add_working_days(dt.date(2026, 3, 16), 1, "england_and_wales") == (
            dt.date(2026, 3, 17)
        )

    def test_weekday_bank_holiday_is_not_working(self):
        assert not workdays.is_working_day(dt.date(2026, 12, 25), "england_and_wales")
        assert not workdays.is_working_day(dt.date(2026, 12, 28), "england_and_wales")
        assert workdays.is_working_day(dt.date(2026, 12, 29), "england_and_wales")


class TestClock:
    def clock(self, **kw):
        base = dict(
            state="draft",
            share_due=dt.date(2025, 12, 29),
            shared_on=None,
            response_due=None,
            answered_on=None,
            accepted_on=None,
            as_of=dt.date(2025, 12, 29),
        )
        return rules.Clock(**{**base, **kw})

    def test_due_day_itself_is_not_overdue(self):
        assert not self.clock().overdue
        assert self.clock(as_of=dt.date(2025, 12, 30)).share_overdue

    def test_shared_late_is_not_overdue_but_late(self):
        c = self.clock(
            state="shared",
            shared_on=dt.date(2025, 12, 30),
            response_due=dt.date(2026, 1, 7),
            as_of=dt.date(2025, 12, 31),
        )
        assert not c.overdue
        assert c.shared_late

    def test_waiting_past_response_due(self):
        c = self.clock(
            state="shared",
            shared_on=dt.date(2025, 12, 22),
            response_due=dt.date(2025, 12, 31),
            as_of=dt.date(2026, 1, 2),
        )
        assert c.response_overdue and c.overdue
        answered = self.clock(
            state="accepted",
            shared_on=dt.date(2025, 12, 22),
            response_due=dt.date(2025, 12, 31),
            answered_on=dt.date(2026, 1, 2),
            accepted_on=dt.date(2026, 1, 2),
            as_of=dt.date(2026, 1, 5),
        )
        assert not answered.overdue
        assert answered.answered_late


class TestNhsNumbers:
    # 943 476 5919 is the NHS's own example of a valid number.
    @pytest.mark.parametrize(
        "text",
        ["9434765919", "943 476 5919", "943-476-5919", "seen re 9434765919.", "NHS no.943 4765919"],
    )
    def test_found(self, text):
        assert rules.find_nhs_number(text) is not None

    @pytest.mark.parametrize(
        "text",
        [
            "9434765918",  # fails the check digit
            "94347659190",  # eleven digits
            "phone 01234 567890",  # not 3-3-4 and fails
            "met JB on 12/03 at 10:30",
            "",
        ],
    )
    def test_not_found(self, text):
        assert rules.find_nhs_number(text) is None

    def test_check_digit_ten_is_never_valid(self):
        # 000000006: 6 × 2 = 12, remainder 1, check digit 10: no such number, whatever follows.
        assert not any(rules.is_nhs_number(f"000000006{d}") for d in range(10))
        # 000000005: 5 × 2 = 10, check digit 1.
        assert rules.is_nhs_number("0000000051")


class TestCompareWords:
    def test_insert_and_delete_words(self):
        pieces = rules.compare_words("we met on Monday", "we met on Tuesday afternoon")
        assert [(p.op, p.text) for p in pieces] == [
            ("same", "we met on "),
            ("delete", "Monday"),
            ("insert", "Tuesday afternoon"),
        ]

    def test_same_text_has_no_changes(self):
        assert all(p.op == "same" for p in rules.compare_words("a b", "a b"))
