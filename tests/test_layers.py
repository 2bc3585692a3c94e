"""Imports run one way: people ← policy ← supervision ← calendars ← agreements ← compliance ←
imports ← demo, with the shared pieces (audit, the form mixin, authorization) below the domain
apps and the project's own wiring (urls, settings, the navigation) above them all. Every import
counts, including those inside a function."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coreflect"

# Lowest first: a module may import its own layer and those before it, never one after.
LAYERS = [
    "audit",
    "forms",
    "people",
    "authorization",
    "signin",
    "policy",
    "supervision",
    "calendars",
    "agreements",
    "compliance",
    "notes",
    "disclosures",
    "retention",
    "auditlog",
    "staff",
    "governance",
    "imports",
    "demo",
]


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside coreflect, or None for the project's wiring."""
    parts = module.split(".")
    if parts[0] != "coreflect" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def production_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def imported(path: Path) -> list[tuple[int, str]]:
    """Every coreflect module the file imports, with the line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("coreflect.")]


def violations(path: Path) -> list[str]:
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    own = layer_of(module)
    if own is None:
        return []
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {name}"
        for line, name in imported(path)
        if (other := layer_of(name)) is not None and LAYERS.index(other) > LAYERS.index(own)
    ]


def test_every_domain_app_is_in_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), apps - set(LAYERS)


def test_imports_run_one_way():
    found = [problem for path in production_modules() for problem in violations(path)]
    assert found == []


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("coreflect/supervision/views.py", "from coreflect.compliance.models import StoredResult"),
        ("coreflect/people/models.py", "    from coreflect.supervision import access"),
    ],
)
def test_an_import_against_the_direction_is_found(tmp_path, monkeypatch, source, line):
    """The check itself: a module that imports a layer above it (even inside a function) is
    reported."""
    fake = tmp_path / "coreflect" / Path(source).relative_to("coreflect")
    fake.parent.mkdir(parents=True)
    fake.write_text(f"def f():\n{line}\n" if line.startswith(" ") else f"{line}\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "coreflect")
    assert len(violations(fake)) == 1
