"""requirements.lock covers pyproject.toml: `make install` installs only from the lock, so a
dependency added to pyproject.toml without `make lock` would be missing (or the wrong version)."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes), from requirements.lock."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if pin := PIN.match(line):
            name = canonicalize_name(pin.group(1))
            pins[name] = (pin.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(text) for text in [*names, *PYPROJECT["build-system"]["requires"]]]


def test_every_declared_dependency_is_pinned_in_the_lock_at_a_version_it_allows():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name][0]), (
            f"requirements.lock pins {name} {pins[name][0]}, outside {requirement.specifier}: "
            "run make lock"
        )


def test_every_locked_package_is_checked_against_a_hash():
    pins = locked()
    assert len(pins) > 20
    assert [name for name, (_version, hashes) in pins.items() if not hashes] == []


def test_the_postgresql_driver_is_locked_with_its_binary_wheels():
    assert "psycopg-binary" in locked()
