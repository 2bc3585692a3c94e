"""Shared fixtures (the personas) live in coreflect/testing.py."""

from hypothesis import settings

pytest_plugins = ["coreflect.testing"]

# No per-example deadline: a time limit is a timed assertion, and on a busy shared machine it
# fails tests whose behaviour is correct.
settings.register_profile("coreflect", deadline=None)
settings.load_profile("coreflect")
