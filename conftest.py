"""Shared fixtures (the personas) live in coreflect/testing.py."""

pytest_plugins = ["coreflect.testing"]
