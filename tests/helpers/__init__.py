"""Plain modules the tests import (conftest.py keeps only fixtures and hooks)."""
