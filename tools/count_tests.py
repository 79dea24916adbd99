#!/usr/bin/env python3
"""Prints 'N passed, N failed, N skipped' over the JUnit XML files Bazel wrote
under each directory given (bazel-testlogs of the normal and sanitizer runs)."""
import pathlib
import sys
import xml.etree.ElementTree as ET

roots = [pathlib.Path(p) for p in (sys.argv[1:] or ["bazel-testlogs"]) if p]
passed = failed = skipped = 0
xmls = [x for root in roots if root.exists() for x in root.resolve().rglob("test.xml")]
for xml in xmls:
    try:
        tree = ET.parse(xml)
    except ET.ParseError:
        failed += 1
        continue
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
