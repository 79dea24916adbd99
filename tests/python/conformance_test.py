#!/usr/bin/env python3
"""The xz project's 97 conformance files through the Python front end.

For every file in $PARXZ_SHARED/xz-test-files, parxz.lzma.decompress (one
stream after another, as lzma.decompress) with and without threads, and a
parxz LZMADecompressor fed in pieces, must agree with the python_decompress
column of MANIFEST.tsv: the outcome, and the SHA-256 of the output when it
decodes. The stock module is run on each file too, as the judge of the day.
"""
import hashlib
import lzma as stock
import os
import pathlib
import sys
import unittest

import parxz.lzma as plzma

SHARED = os.environ.get("PARXZ_SHARED", "")
DIR = pathlib.Path(SHARED) / "xz-test-files"


def manifest():
    rows = []
    with open(DIR / "MANIFEST.tsv") as f:
        next(f)
        for line in f:
            name, _xz_exit, outcome, sha = line.rstrip("\n").split("\t")
            rows.append((name, outcome, sha))
    return rows


def outcome_of(fn, data):
    try:
        return "ok", hashlib.sha256(fn(data)).hexdigest()
    except plzma.LZMAError:
        return "error", "-"


def pieces(module, data):
    """One LZMADecompressor fed 4 KiB at a time: what it returns, or the
    error, and what it says at the end."""
    d = module.LZMADecompressor()
    out = bytearray()
    try:
        for i in range(0, len(data), 4096):
            if d.eof:
                break
            out += d.decompress(data[i:i + 4096])
    except module.LZMAError as e:
        return ("error", str(e), hashlib.sha256(out).hexdigest())
    return ("ok", hashlib.sha256(out).hexdigest(), d.eof, d.needs_input,
            d.check)


@unittest.skipUnless((DIR / "MANIFEST.tsv").exists(),
                     "PARXZ_SHARED is unset or has no xz-test-files; "
                     "run tools/test.sh")
class Conformance(unittest.TestCase):
    def test_every_file(self):
        rows = manifest()
        self.assertEqual(len(rows), 97)
        for name, outcome, sha in rows:
            data = (DIR / name).read_bytes()
            with self.subTest(file=name):
                # The manifest still describes the Python of this machine.
                try:
                    ref = ("ok", hashlib.sha256(stock.decompress(data))
                           .hexdigest())
                except stock.LZMAError:
                    ref = ("error", "-")
                self.assertEqual(ref, (outcome, sha))
                for label, fn in (
                        ("decompress", plzma.decompress),
                        ("decompress threads=2",
                         lambda b: plzma.decompress(b, threads=2)),
                        ("decompress threads=1",
                         lambda b: plzma.decompress(b, threads=1))):
                    self.assertEqual(outcome_of(fn, data), (outcome, sha),
                                     label)
                # One stream, incrementally: the same as stock, call for call
                # results, message included.
                self.assertEqual(pieces(plzma, data), pieces(stock, data),
                                 "LZMADecompressor")


if __name__ == "__main__":
    unittest.main(verbosity=1)
