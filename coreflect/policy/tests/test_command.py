"""`coreflect policy show` and `coreflect policy set`: the page's checks, from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coreflect.audit.models import AuditEvent
from coreflect.policy.forms import PolicyForm
from coreflect.policy.models import PolicySettings


def policy(*args: str) -> list[str]:
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue().splitlines()


def test_show_prints_every_setting_and_its_value(db):
    lines = policy("show")
    assert lines[0] == "preset=protocol"
    assert [line.split("=")[0] for line in lines[1:]] == PolicyForm.Meta.fields
    assert "year_total=8" in lines and "prorating_absence_types=" in lines
    assert "rounding=half_up" in lines


def test_set_changes_settings_and_audits_the_operating_system_user(db, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ops-oncall")
    assert policy("set", "year_total=10", "prorating_absence_types=parental,annual_leave") == [
        "year_total: 8 → 10",
        "prorating_absence_types: (none) → parental,annual_leave",
    ]
    saved = PolicySettings.objects.current()
    assert (saved.year_total, saved.prorating_absence_types) == (10, ["parental", "annual_leave"])
    change = AuditEvent.objects.get(action="policy.change")
    assert change.actor is None
    assert (change.detail["via"], change.detail["os_user"]) == ("command", "ops-oncall")
    assert (change.detail["before"], change.detail["after"]) == (
        {"year_total": 8, "prorating_absence_types": []},
        {"year_total": 10, "prorating_absence_types": ["parental", "annual_leave"]},
    )
    assert "year_total=10" in policy("show")


def test_set_records_the_user_named_by_by(ada):
    policy("set", "year_total=9", "--by", "ada")
    assert AuditEvent.objects.get(action="policy.change").actor == ada.user


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            ["year_start_month=13"],
            "year_start_month: Ensure this value is less than or equal to 12.",
        ),
        (["rounding=sideways"], "rounding: Select a valid choice. sideways is not one of"),
        (["prorating_absence_types=holiday"], "prorating_absence_types: Select a valid choice."),
        (["year_total=8", "bogus=1"], "bogus: not a policy setting (the settings are year_start"),
        (["year_total"], "year_total: write each change as KEY=VALUE"),
        (["year_total=ten"], "year_total: Enter a whole number."),
    ],
)
def test_a_bad_key_or_value_is_a_clear_message_and_changes_nothing(db, changes, message):
    with pytest.raises(CommandError) as refused:
        policy("set", "quarter_one_to_one=3", *changes)
    assert str(refused.value).startswith("Nothing was changed:\n")
    assert message in str(refused.value)
    assert PolicySettings.objects.current().quarter_one_to_one == 2
    assert not AuditEvent.objects.filter(action="policy.change").exists()


def test_an_unknown_by_user_changes_nothing(db):
    with pytest.raises(CommandError, match='no Coreflect user called "nobody"'):
        policy("set", "year_total=9", "--by", "nobody")
    assert PolicySettings.objects.current().year_total == 8


def test_setting_the_values_it_has_changes_nothing(db):
    assert policy("set", "year_total=8") == [
        "Nothing to change: the policy already has those values."
    ]
    assert not AuditEvent.objects.filter(action="policy.change").exists()
