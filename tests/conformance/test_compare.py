"""The comparer itself: it must fail on every kind of difference (run by `make conformance`
before the runners; no server needed)."""

import json
import pathlib
import subprocess
import sys

COMPARE = pathlib.Path(__file__).parent / "compare.py"

SCENARIOS = {"group": "g", "scenarios": [
    {"name": "a", "steps": [{"execute": "x", "expect": {"rows": [["1", "f32:1.5"]]}}]},
    {"name": "b", "steps": [{"execute": "y"}]},
]}
GOOD = {"a": [{"error": None, "rows": [["1", "0x3fc00000"]], "applied": None}],
        "b": [{"error": None, "rows": [], "applied": None}]}


def run(tmp_path, *outputs):
    (tmp_path / "sc").mkdir(exist_ok=True)
    (tmp_path / "sc" / "g.json").write_text(json.dumps(SCENARIOS))
    paths = []
    for i, (lang, results) in enumerate(outputs):
        p = tmp_path / f"{i}.json"
        p.write_text(json.dumps({"language": lang, "results": {f"g/{k}": v for k, v in results.items()}}))
        paths.append(str(p))
    return subprocess.run([sys.executable, str(COMPARE), str(tmp_path / "sc"), *paths],
                          capture_output=True, text=True)


def test_agreeing_runners_pass(tmp_path):
    r = run(tmp_path, ("x", GOOD), ("y", GOOD))
    assert r.returncode == 0, r.stderr
    assert "2 scenarios x 2 languages" in r.stdout


def test_an_unexpected_value_fails_and_names_it(tmp_path):
    bad = dict(GOOD, a=[{"error": None, "rows": [["2", "0x3fc00000"]], "applied": None}])
    r = run(tmp_path, ("x", GOOD), ("y", bad))
    assert r.returncode == 1
    assert 'g/a step 1 [y]: rows expected [["1", "0x3fc00000"]], got [["2", "0x3fc00000"]]' in r.stderr


def test_runners_that_disagree_beyond_the_expectations_fail(tmp_path):
    other = dict(GOOD, b=[{"error": None, "rows": [["extra"]], "applied": None}])
    r = run(tmp_path, ("x", GOOD), ("y", other))
    assert r.returncode == 1
    assert "g/b step 1: x observed" in r.stderr


def test_an_error_where_success_was_expected_fails(tmp_path):
    failing = dict(GOOD, b=[{"error": "InvalidRequest"}])
    r = run(tmp_path, ("x", failing))
    assert r.returncode == 1
    assert "error expected null" in r.stderr


def test_a_scenario_a_runner_did_not_run_fails(tmp_path):
    r = run(tmp_path, ("x", {"a": GOOD["a"]}))
    assert r.returncode == 1
    assert "g/b [x]: not run" in r.stderr


def test_a_step_skipped_only_where_the_scenario_allows_it(tmp_path):
    steps = {"group": "g", "scenarios": [
        {"name": "a", "steps": [{"freed_handle": "session", "expect": {"error": "InvalidHandle"},
                                 "not_expressible": {"x": "ownership"}}]},
    ]}
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "g.json").write_text(json.dumps(steps))

    def compare(*outputs):
        paths = []
        for i, (lang, outcome) in enumerate(outputs):
            p = tmp_path / f"{i}.json"
            p.write_text(json.dumps({"language": lang, "results": {"g/a": [outcome]}}))
            paths.append(str(p))
        return subprocess.run([sys.executable, str(COMPARE), str(tmp_path / "sc"), *paths],
                              capture_output=True, text=True)

    skipped, failed = {"not_expressible": True}, {"error": "InvalidHandle"}
    assert compare(("x", skipped), ("y", failed)).returncode == 0
    r = compare(("x", failed), ("y", skipped))
    assert r.returncode == 1 and "does not list y under not_expressible" in r.stderr
    r = compare(("x", skipped), ("y", {"error": "InvalidArgument"}))
    assert r.returncode == 1 and 'error expected "InvalidHandle"' in r.stderr
