"""Development settings for the tests, however pytest is started.

pytest-django imports the settings before it reads any conftest.py, so this is loaded as a
plugin instead (`-p coreflect.pytest_plugin` in pyproject's addopts), which pytest imports
first. An explicit COREFLECT_ENV still wins.
"""

import os

os.environ.setdefault("COREFLECT_ENV", "development")
