#!/usr/bin/python3
"""parxz.lzma.decompress() on whole .xz input, against the stock module.

A whole .xz Stream is decoded straight into a bytes object of the size its
Index claims, and .xz input into a caller's buffer by liblzma's decoder of
concatenated Streams (core DecompressInto); anything that does not work out
that way is decoded again the general way. These inputs aim at the seams:
padding, concatenation, trailing data, an Index whose sizes lie (CRC32
recomputed, so only the decoder can tell), memory limits, the check types,
and the conformance files. The stock module's result or exception class and
message is the reference, for threads None, 1 and 2.
"""
import lzma as stock
import os
import struct
import sys
import unittest
import zlib

import parxz.lzma as plzma

TEST_FILES = os.path.join(os.environ.get("PARXZ_SHARED", ""), "xz-test-files")

TEXT = b"".join(b"line %d of a sized one-shot test\n" % i
                for i in range(20000))


def read_vli(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def write_vli(value, length):
    """value in exactly `length` bytes (padded with continuation bytes)."""
    out = bytearray()
    for i in range(length):
        byte = value & 0x7F
        value >>= 7
        if i < length - 1:
            byte |= 0x80
        out.append(byte)
    if value:
        raise ValueError("does not fit")
    return bytes(out)


def with_index_size(xz, delta):
    """One-Stream `xz` whose Index claims the last Block decodes to `delta`
    bytes more (or fewer), its CRC32 made right again."""
    backward = (struct.unpack("<I", xz[-8:-4])[0] + 1) * 4
    start = len(xz) - 12 - backward
    index = bytearray(xz[start:len(xz) - 12])
    assert index[0] == 0
    records, pos = read_vli(index, 1)
    for _ in range(records):
        _, pos = read_vli(index, pos)
        size_at = pos
        size, pos = read_vli(index, pos)
    new = write_vli(size + delta, pos - size_at)
    index[size_at:pos] = new
    index[-4:] = struct.pack("<I", zlib.crc32(bytes(index[:-4])))
    return xz[:start] + bytes(index) + xz[-12:]


def outcome(function, data, **kwargs):
    try:
        return ("ok", function(data, **kwargs))
    except Exception as e:  # the class and text are compared
        return (type(e).__name__, str(e))


class SizedOneShotTest(unittest.TestCase):
    def check_same(self, data, name, **kwargs):
        expected = outcome(stock.decompress, data, **kwargs)
        for threads in (None, 1, 2):
            got = outcome(plzma.decompress, data, threads=threads, **kwargs)
            self.assertEqual(got[0], expected[0], (name, threads, got[1][:200]
                                                   if got[0] != "ok" else ""))
            self.assertEqual(got[1], expected[1], (name, threads))
        return expected[0]

    def test_shapes(self):
        one = stock.compress(TEXT)
        multi = plzma.compress(TEXT, threads=2, block_size=64 << 10)
        other = stock.compress(b"second stream")
        cases = {
            "one Stream": one,
            "multi-Block": multi,
            "empty Stream": stock.compress(b""),
            "two Streams": one + other,
            "padding 4": one + bytes(4),
            "padding 8 between": one + bytes(8) + other,
            "padding 3 (invalid)": one + bytes(3),
            "trailing junk": one + b"junk!",
            "truncated": one[:-1],
            "truncated in Block": one[:len(one) // 2],
            "check none": stock.compress(TEXT, check=stock.CHECK_NONE),
            "check crc32": stock.compress(TEXT, check=stock.CHECK_CRC32),
            "check sha256": stock.compress(TEXT, check=stock.CHECK_SHA256),
            "flipped bit": one[:200] + bytes([one[200] ^ 1]) + one[201:],
            "Index says 1 more": with_index_size(one, 1),
            "Index says 1 less": with_index_size(one, -1),
            "multi, Index says 7 more": with_index_size(multi, 7),
            "multi, Index says 3 less": with_index_size(multi, -3),
            "lzma alone": stock.compress(TEXT, format=stock.FORMAT_ALONE),
        }
        verdicts = {}
        for name, data in cases.items():
            verdicts[name] = self.check_same(data, name)
        # The seams are exercised: errors as well as results.
        self.assertEqual(verdicts["one Stream"], "ok")
        self.assertEqual(verdicts["Index says 1 more"], "LZMAError")
        self.assertEqual(verdicts["Index says 1 less"], "LZMAError")
        self.assertEqual(verdicts["truncated"], "LZMAError")

    def test_memlimit(self):
        one = stock.compress(TEXT)
        for limit in (1, 1 << 16, 1 << 30):
            self.check_same(one, "memlimit %d" % limit, memlimit=limit)

    def test_format_xz_on_other_data(self):
        alone = stock.compress(TEXT, format=stock.FORMAT_ALONE)
        self.check_same(alone, "alone as xz", format=stock.FORMAT_XZ)
        one = stock.compress(TEXT)
        self.check_same(one, "xz as xz", format=stock.FORMAT_XZ)

    def test_conformance_files(self):
        self.assertTrue(os.path.isdir(TEST_FILES),
                        "PARXZ_SHARED is unset or has no xz-test-files")
        names = sorted(n for n in os.listdir(TEST_FILES)
                       if n.endswith((".xz", ".lzma")))
        self.assertGreater(len(names), 50)
        for name in names:
            with open(os.path.join(TEST_FILES, name), "rb") as f:
                self.check_same(f.read(), name)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:])
