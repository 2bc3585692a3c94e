import dataclasses

from coreflect.audit.models import AuditEvent
from coreflect.policy import presets
from coreflect.policy.models import PolicySettings


def test_the_first_read_makes_the_policy_from_the_protocol_preset_and_audits_it(db):
    policy = PolicySettings.objects.current()
    for field in dataclasses.fields(presets.Preset):
        if field.name in presets.TEMPLATE_FIELDS:
            continue
        value = getattr(presets.PROTOCOL, field.name)
        expected = sorted(value) if isinstance(value, frozenset) else value
        assert getattr(policy, field.name) == expected, field.name
    created = AuditEvent.objects.get(action="policy.create")
    assert created.actor is None
    assert created.detail["preset"] == "protocol"


def test_later_reads_return_the_same_policy(db):
    first = PolicySettings.objects.current()
    assert PolicySettings.objects.current().pk == first.pk
    assert PolicySettings.objects.count() == 1
    assert AuditEvent.objects.filter(action="policy.create").count() == 1


def test_policy_page_without_permission_is_404(login, everyone):
    for who in ("alice", "sam", "lena", "gus"):
        assert login(everyone[who]).get("/policy/").status_code == 404


def test_admin_changes_the_policy_and_the_matrix_follows(login, everyone):
    client = login(everyone["ada"])
    policy = PolicySettings.objects.current()
    form = client.get("/policy/").context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(year_total=10, version=policy.version, prorating_absence_types=[])
    response = client.post("/policy/", data)
    assert response.status_code == 302
    assert PolicySettings.objects.current().year_total == 10
    change = AuditEvent.objects.get(action="policy.change")
    assert change.detail == {
        "before": {**change.detail["before"], "year_total": 8},
        "after": {**change.detail["after"], "year_total": 10},
    }
    text = client.get("/people/ALICE/?year=2025").content.decode()
    assert "eligible all 365 days → 10 sessions" in text


def test_stale_policy_edit_is_refused(login, everyone):
    client = login(everyone["hana"])
    policy = PolicySettings.objects.current()
    form = client.get("/policy/").context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(prorating_absence_types=[], version=policy.version)
    client.post("/policy/", {**data, "year_total": 9})
    response = client.post("/policy/", {**data, "year_total": 12}, follow=True)
    assert PolicySettings.objects.current().year_total == 9
    assert "Someone else changed the policy" in response.content.decode()
