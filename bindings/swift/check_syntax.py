"""Parses every .swift file of the package (generated and hand-written) with tree-sitter-swift
and fails on any syntax error: no Swift toolchain runs on this machine kind, so this is the
check that the Swift sources are well-formed. Usage: python check_syntax.py [root]."""

import pathlib
import re
import sys

import tree_sitter
import tree_sitter_swift


# The package needs Swift 5.9 (Package.swift), so `#if swift(>=X)` with X <= 5.9 is always
# true: resolve those blocks as the compiler does (tree-sitter-swift cannot parse a directive
# around an attribute, which the generated code has). Lines are blanked, not removed, so
# reported line numbers stay true.
_IF_SWIFT = re.compile(r"^\s*#if swift\(>=\s*(\d+)\.(\d+)\)\s*$")
TOOLS_VERSION = (5, 9)


def resolve_swift_version_conditions(source):
    lines = source.split("\n")
    out = []
    stack = []  # per open #if: None (not ours), or [keeping this branch?]
    for line in lines:
        stripped = line.strip()
        m = _IF_SWIFT.match(line)
        if m:
            stack.append([(int(m.group(1)), int(m.group(2))) <= TOOLS_VERSION])
            out.append("")
            continue
        if stripped.startswith("#if"):
            stack.append(None)
        elif stack and stack[-1] is not None and stripped.startswith("#else"):
            stack[-1][0] = not stack[-1][0]
            out.append("")
            continue
        elif stripped.startswith("#endif") and stack:
            if stack.pop() is not None:
                out.append("")
                continue
        keep = all(s is None or s[0] for s in stack)
        out.append(line if keep else "")
    return "\n".join(out)


# Valid Swift that tree-sitter-swift 0.7 does not parse, rewritten to the same meaning:
# `{ () }` (a closure returning the empty tuple) is `{ }`. Nothing else is rewritten.
_GRAMMAR_GAPS = [("{ () }", "{ }")]


def errors(tree):
    """(line, column, kind) of every ERROR or MISSING node."""
    out = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            out.append((node.start_point[0] + 1, node.start_point[1] + 1, "missing " + node.type if node.is_missing else "error"))
            continue
        if node.has_error:
            stack.extend(node.children)
    return sorted(out)


def main(root):
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    files = sorted(pathlib.Path(root).rglob("*.swift"))
    if not files:
        print(f"no .swift files under {root}", file=sys.stderr)
        return 1
    bad = 0
    for f in files:
        source = resolve_swift_version_conditions(f.read_text(encoding="utf-8"))
        for gap, same in _GRAMMAR_GAPS:
            source = source.replace(gap, same)
        found = errors(parser.parse(source.encode("utf-8")))
        for line, col, kind in found[:10]:
            print(f"{f}:{line}:{col}: syntax {kind}", file=sys.stderr)
        if len(found) > 10:
            print(f"{f}: ... {len(found) - 10} more", file=sys.stderr)
        bad += bool(found)
    print(f"tree-sitter-swift: {len(files)} file(s) parsed, {bad} with syntax errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent))
