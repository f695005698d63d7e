#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Code metrics of the addons (or of any directories given): median method
length and the test / code line ratio per addon, read with :mod:`ast`.

* method length: lines of each function or method (``def`` line to last line,
  decorators excluded) in the addon's Python files outside ``tests/``;
* code lines and test lines: non-blank, non-comment lines of the Python files
  outside and inside ``tests/`` (docstrings count: they are read).

Usage: ``python3 tools/code_metrics.py [DIR ...]`` (default: ``addons/*``);
``--long N`` also lists the functions longer than N lines.
"""

import argparse
import ast
import statistics
import sys
from pathlib import Path


def function_lengths(path):
    """``[(name, line, length)]`` of every function defined in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.name, node.lineno, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def code_lines(path):
    """Non-blank lines of ``path`` that are not only a comment."""
    return sum(
        1
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


def measure(directory):
    lengths, long_ones, code, tests = [], [], 0, 0
    for path in sorted(directory.rglob("*.py")):
        if "tests" in path.relative_to(directory).parts:
            tests += code_lines(path)
            continue
        code += code_lines(path)
        for name, line, length in function_lengths(path):
            lengths.append(length)
            long_ones.append((length, f"{path}:{line} {name}"))
    return lengths, sorted(long_ones, reverse=True), code, tests


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--long", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    dirs = args.dirs or sorted(p for p in Path("addons").glob("*") if p.is_dir())
    every = []
    print(
        f"{'addon':<24}{'methods':>8}{'median':>8}{'>40':>6}{'code':>8}"
        f"{'tests':>8}{'ratio':>7}"
    )
    total_code = total_tests = 0
    for directory in dirs:
        lengths, long_ones, code, tests = measure(directory)
        every += lengths
        total_code += code
        total_tests += tests
        over = sum(1 for n in lengths if n > 40)
        median = statistics.median(lengths) if lengths else 0
        ratio = tests / code if code else 0
        print(
            f"{directory.name:<24}{len(lengths):>8}{median:>8g}{over:>6}"
            f"{code:>8}{tests:>8}{ratio:>7.2f}"
        )
        for length, where in long_ones:
            if args.long and length > args.long:
                print(f"    {length:>4} {where}")
    median = statistics.median(every) if every else 0
    ratio = total_tests / total_code if total_code else 0
    print(
        f"{'all':<24}{len(every):>8}{median:>8g}{sum(n > 40 for n in every):>6}"
        f"{total_code:>8}{total_tests:>8}{ratio:>7.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
