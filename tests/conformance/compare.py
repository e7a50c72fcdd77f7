"""Compares what each conformance runner observed with the scenarios' expected outcomes and
with the other runners; prints a table of scenario x language and every difference.
Usage: compare.py <scenarios dir> <runner output>...   (exit 1 on any mismatch)."""

import json
import math
import pathlib
import struct
import sys


def load_scenarios(root):
    """[(key, steps)] in file order; key is "group/name"."""
    out = []
    for path in sorted(pathlib.Path(root).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for sc in doc["scenarios"]:
            out.append((f"{doc['group']}/{sc['name']}", sc["steps"]))
    keys = [k for k, _ in out]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        sys.exit(f"duplicate scenario names: {sorted(dupes)}")
    return out


def expected_value(v):
    """Expected values may write floats as "f32:1.5" / "f64:-0.25": turned into canonical bits."""
    if isinstance(v, list):
        return [expected_value(x) for x in v]
    if isinstance(v, dict):
        return {k: expected_value(x) for k, x in v.items()}
    if isinstance(v, str) and v[:4] in ("f32:", "f64:"):
        x = float(v[4:])
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        if v.startswith("f32:"):
            return "0x%08x" % struct.unpack("<I", struct.pack("<f", x))[0]
        return "0x%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]
    return v


def check_expected(expect, got):
    """The fields of `expect` that `got` does not match, as (field, expected, got)."""
    diffs = []
    for field, want in expect.items():
        want = expected_value(want)
        have = got.get(field)
        if have != want:
            diffs.append((field, want, have))
    return diffs


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    scenarios = load_scenarios(argv[1])
    runs = {}
    for path in argv[2:]:
        doc = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        runs[doc["language"]] = doc["results"]
    languages = list(runs)
    failures = []
    table = []
    for key, steps in scenarios:
        cells = []
        for lang in languages:
            got = runs[lang].get(key)
            if got is None:
                cells.append("missing")
                failures.append(f"{key} [{lang}]: not run")
                continue
            ok = len(got) == len(steps)
            if not ok:
                failures.append(f"{key} [{lang}]: {len(got)} step outcomes for {len(steps)} steps")
            for i, (step, outcome) in enumerate(zip(steps, got)):
                if "not_expressible" in outcome:
                    # Allowed only where the scenario says why the language cannot express it.
                    if lang not in step.get("not_expressible", {}):
                        ok = False
                        failures.append(f"{key} step {i + 1} [{lang}]: reported not expressible, "
                                        f"but the step does not list {lang} under not_expressible")
                    continue
                expect = step.get("expect")
                if expect is None:
                    expect = {"error": None}
                for field, want, have in check_expected(expect, outcome):
                    ok = False
                    failures.append(f"{key} step {i + 1} [{lang}]: {field} expected {json.dumps(want)}, got {json.dumps(have)}")
            cells.append("ok" if ok else "FAIL")
        # The runners must agree with each other on everything they observed (a step a
        # language cannot express is left out of the comparison).
        outcomes = {lang: runs[lang].get(key) for lang in languages if runs[lang].get(key) is not None}
        for i in range(len(steps)):
            observed = [(lang, got[i]) for lang, got in outcomes.items()
                        if i < len(got) and "not_expressible" not in got[i]]
            if not observed:
                continue
            first_lang, first = observed[0]
            for lang, other in observed[1:]:
                if other != first and cells[languages.index(lang)] != "DIFF":
                    failures.append(f"{key} step {i + 1}: {first_lang} observed {json.dumps(first)}, {lang} {json.dumps(other)}")
                    cells[languages.index(lang)] = "DIFF"
        table.append((key, cells))

    width = max(len(k) for k, _ in table)
    print(f"{'scenario':<{width}}  " + "  ".join(f"{lang:<8}" for lang in languages))
    for key, cells in table:
        print(f"{key:<{width}}  " + "  ".join(f"{c:<8}" for c in cells))
    print(f"\n{len(table)} scenarios x {len(languages)} languages ({', '.join(languages)})")
    if failures:
        print(f"\n{len(failures)} mismatch(es):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("every runner matched every expected outcome and every other runner")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
