"""decode_table.txt through the Python module: decompress() and
LZMADecompressor choose the engine the C++ front and the C API choose
(front_table_test.cc) and give the same bytes or error code."""
import os
import sys
import unittest

from parxz import _parxz

# parxz::ErrorCode numbers of the exceptions' texts (PARXZ_E_*).
CODES = {"Memory usage limit exceeded": "4",
         "Invalid or unsupported options": "6",
         "Cannot specify filters": "6"}
FORMATS = {"auto": 0, "xz": 1, "xz1": 1, "alone": 2, "raw": 3}
RAW_CHAIN = [{"id": _parxz.FILTER_LZMA2, "preset": 1}]


def plain():
    s, i = [], 0
    n = 0
    while n < 300 << 10:
        line = "line %d of the table\n" % (i * 7919 % 1000)
        s.append(line)
        n += len(line)
        i += 1
    return "".join(s).encode()


def make_input(fmt, data):
    if fmt == "alone":
        c = _parxz.LZMACompressor(format=_parxz.FORMAT_ALONE)
    elif fmt == "raw":
        c = _parxz.LZMACompressor(format=_parxz.FORMAT_RAW, filters=RAW_CHAIN)
    elif fmt == "xz1":  # one Block (xz's default Block size)
        c = _parxz.ParallelCompressor(threads=2)
    else:
        c = _parxz.ParallelCompressor(threads=2, block_size=64 << 10)
    return c.compress(data) + c.flush()


def outcome(data, call):
    try:
        return "ok" if call() == data else "wrong bytes"
    except (_parxz.LZMAError, ValueError) as e:
        for text, code in CODES.items():
            if str(e).startswith(text) or text in str(e):
                return code
        return "error: %s" % e


class FrontTableTest(unittest.TestCase):
    def test_rows(self):
        data = plain()
        rows = 0
        with open(os.path.join(os.path.dirname(__file__), "decode_table.txt")) as table:
            for line in table:
                if not line.strip() or line.startswith("#"):
                    continue
                (threads, fmt, filters, memlimit, one_shot, incremental,
                 result) = line.split()
                rows += 1
                with self.subTest(row=line.strip()):
                    blob = make_input(fmt, data)
                    kw = {"format": FORMATS[fmt], "threads": int(threads)}
                    if filters != "-":
                        kw["filters"] = RAW_CHAIN
                    if memlimit != "-":
                        kw["memlimit"] = int(memlimit)
                    got = outcome(data, lambda: _parxz.decompress(blob, **kw))
                    self.assertEqual(got, result)
                    if one_shot != "-":
                        self.assertEqual(_parxz._last_engines()[0], one_shot)

                    def stream():
                        d = _parxz.LZMADecompressor(**kw)
                        stream.engine = _parxz._last_engines()[0]
                        d._end_input()
                        out = d.decompress(blob)
                        while not d.eof and not d.needs_input:
                            out += d.decompress(b"")
                        return out
                    stream.engine = None
                    self.assertEqual(outcome(data, stream), result)
                    if incremental != "-":
                        self.assertEqual(stream.engine, incremental)
        self.assertGreaterEqual(rows, 13)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
