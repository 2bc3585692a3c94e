"""Personas, defined once (healthchecks' Alice/Bob/Charlie).

North service: Alice (peer worker) is supervised by Sam (senior peer worker) and line managed
by Lena (line manager); Pat is the North peer lead. Olly is a peer worker in the South service
with another supervisor (Sue). Hana is head of peer work, Gus governance, Ada administrator.
Eve, the executive director of therapies, supervises Hana's peer work (a non-peer supervisor);
she is not in `everyone`.
"""

import datetime as dt
import email
import email.message
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from coreflect.people.models import EmploymentPeriod, Locality, Person, Role, Service
from coreflect.supervision.models import RelationshipType, SupervisionRelationship

PASSWORD = "correct-horse-battery"
EMPLOYED_FROM = dt.date(2024, 1, 1)


def make_person(
    external_id: str,
    name: str,
    role: str,
    *,
    locality: Locality | None = None,
    line_manager: Person | None = None,
    employed_from: dt.date | None = EMPLOYED_FROM,
    login: bool = True,
) -> Person:
    user = None
    if login:
        user = User.objects.create_user(
            username=external_id.lower(),
            email=f"{external_id.lower()}@example.nhs.uk",
            password=PASSWORD,
        )
    person = Person.objects.create(
        external_id=external_id,
        name=name,
        email=f"{external_id.lower()}@example.nhs.uk",
        role=role,
        service=locality.service if locality else None,
        locality=locality,
        line_manager=line_manager,
        user=user,
    )
    if employed_from is not None:
        EmploymentPeriod.objects.create(person=person, start_date=employed_from)
    return person


def supervise(supervisor: Person, supervisee: Person, start: dt.date = EMPLOYED_FROM) -> None:
    SupervisionRelationship.objects.create(
        supervisor=supervisor,
        supervisee=supervisee,
        type=RelationshipType.PEER_WORK,
        start_date=start,
        supervisor_is_peer=supervisor.is_peer_worker,
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas sign in with real passwords; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def north(db: None) -> Locality:
    return Locality.objects.create(service=Service.objects.create(name="North"), name="Northton")


@pytest.fixture
def south(db: None) -> Locality:
    return Locality.objects.create(service=Service.objects.create(name="South"), name="Southby")


@pytest.fixture
def lena(north: Locality) -> Person:
    return make_person("LENA", "Lena Line", Role.LINE_MANAGER, locality=north, employed_from=None)


@pytest.fixture
def sam(north: Locality) -> Person:
    return make_person("SAM", "Sam Senior", Role.SENIOR_PEER_WORKER, locality=north)


@pytest.fixture
def alice(north: Locality, sam: Person, lena: Person) -> Person:
    alice = make_person("ALICE", "Alice Able", Role.PEER_WORKER, locality=north, line_manager=lena)
    supervise(sam, alice)
    return alice


@pytest.fixture
def pat(north: Locality) -> Person:
    return make_person("PAT", "Pat Lead", Role.PEER_LEAD, locality=north)


@pytest.fixture
def sue(south: Locality) -> Person:
    return make_person("SUE", "Sue South", Role.PEER_PRACTITIONER, locality=south)


@pytest.fixture
def olly(south: Locality, sue: Person) -> Person:
    olly = make_person("OLLY", "Olly Other", Role.PEER_SUPPORT_WORKER, locality=south)
    supervise(sue, olly)
    return olly


@pytest.fixture
def hana(db: None) -> Person:
    return make_person("HANA", "Hana Head", Role.HEAD_OF_PEER_WORK)


@pytest.fixture
def gus(db: None) -> Person:
    return make_person("GUS", "Gus Governance", Role.GOVERNANCE, employed_from=None)


@pytest.fixture
def ada(db: None) -> Person:
    return make_person("ADA", "Ada Admin", Role.ADMIN, employed_from=None)


@pytest.fixture
def eve(hana: Person) -> Person:
    eve = make_person("EVE", "Eve Director", Role.EXECUTIVE_DIRECTOR, employed_from=None)
    supervise(eve, hana)
    return eve


@pytest.fixture
def everyone(
    alice: Person,
    sam: Person,
    lena: Person,
    pat: Person,
    olly: Person,
    sue: Person,
    hana: Person,
    gus: Person,
    ada: Person,
) -> dict[str, Person]:
    return {p.external_id.lower(): p for p in (alice, sam, lena, pat, olly, sue, hana, gus, ada)}


@pytest.fixture
def login(client):
    """Log the test client in as a persona: login(alice)."""

    def as_person(person: Person):
        client.force_login(person.user)
        return client

    return as_person


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received: one email.message.Message per email."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def body_of(message: email.message.Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that Django's SMTP backend sends to."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield mailbox
    finally:
        controller.stop()
