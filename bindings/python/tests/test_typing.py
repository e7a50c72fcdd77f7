"""The shipped annotations (py.typed) are what a type checker sees: code using the driver and
the mapper as documented checks clean, and misuse is flagged (mypy, installed by
`make python-dev`; no server needed)."""

import pathlib
import subprocess
import sys

SAMPLES = pathlib.Path(__file__).parent / "typing_samples"


def mypy(path):
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--no-error-summary", str(path)],
                         capture_output=True, text=True)
    assert "No module named mypy" not in run.stderr, "mypy is missing: run `make python-dev`"
    return run.stdout.splitlines()


def test_documented_usage_type_checks():
    assert mypy(SAMPLES / "uses_the_api.py") == []


def test_misuse_is_reported():
    errors = mypy(SAMPLES / "misuses_the_api.py")
    assert any('"int", variable has type "str"' in e for e in errors), errors
    assert any('"execute_async" of "Session" has incompatible type "int"' in e for e in errors), errors
