#!/usr/bin/python3
"""LZMAFile/open(threads=2) reading against the stock lzma module reading
the same bytes: read(), read(n), readline(), iteration, seek()/tell(),
peek(), text mode, multi-stream files, trailing junk, truncation and
corruption (same exception class), on files made by /usr/bin/xz -T2 with
small Blocks. Each case runs with parxz's default 1 MiB reads and with
small reads (many calls per Block).
"""
import io
import lzma as stock
import os
import random
import subprocess
import sys
import tempfile
import unittest

import parxz.lzma as plzma

XZ = "/usr/bin/xz"


def sample(size, seed):
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghij klmnop") for _ in range(rng.randint(2, 9)))
             for _ in range(400)]
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.15:
            out += rng.randbytes(rng.randint(100, 2000))
        else:
            out += b" ".join(rng.choice(words) for _ in range(rng.randint(20, 200)))
        out += b"\n"
    return bytes(out[:size])


def xz(data, *args):
    return subprocess.run([XZ, "-c", "-q", *args], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


DATA = sample(1_500_000, 11)
DATA2 = sample(300_000, 12)
XZ_DATA = xz(DATA, "-6", "-T2", "--block-size=64KiB")
XZ_DATA2 = xz(DATA2, "-6", "-T2", "--block-size=32KiB")


def outcome(fn):
    """What fn() returned, or the class of what it raised (parxz's
    LZMAError derives from stock's; both count as LZMAError)."""
    try:
        return ("ok", fn())
    except stock.LZMAError:
        return ("raised", "LZMAError")
    except Exception as e:  # noqa: BLE001 (the class is what is compared)
        return ("raised", type(e).__name__)


class ReaderTest(unittest.TestCase):
    READ_SIZES = (1 << 20, 3000)  # parxz's default raw reads, and small ones

    def both(self, blob, action, **kwargs):
        """action(file) on stock LZMAFile and on parxz threads=2 (for each
        raw read size); asserts equal outcomes. Returns stock's."""
        expected = outcome(lambda: action(stock.LZMAFile(io.BytesIO(blob),
                                                         **kwargs)))
        saved = plzma._THREADED_READ_SIZE
        try:
            for size in self.READ_SIZES:
                plzma._THREADED_READ_SIZE = size
                with self.subTest(read_size=size):
                    got = outcome(lambda: action(plzma.LZMAFile(
                        io.BytesIO(blob), threads=2, **kwargs)))
                    self.assertEqual(got[0], expected[0])
                    self.assertTrue(got == expected,
                                    f"{got[1]!r:.80} != {expected[1]!r:.80}")
        finally:
            plzma._THREADED_READ_SIZE = saved
        return expected

    def test_read_all(self):
        self.assertEqual(self.both(XZ_DATA, lambda f: f.read()),
                         ("ok", DATA))

    def test_read_n(self):
        for n in (1, 100, 8192, 65536, 1 << 20):
            with self.subTest(n=n):
                def pieces(f, n=n):
                    out = []
                    while chunk := f.read(n):
                        out.append(chunk)
                        if n == 1 and len(out) > 20000:
                            out.append(f.read())
                            break
                    return out
                self.both(XZ_DATA, pieces)

    def test_readline_and_iteration(self):
        self.both(XZ_DATA, lambda f: [f.readline() for _ in range(500)])
        self.both(XZ_DATA, lambda f: [f.readline(37) for _ in range(500)])
        self.both(XZ_DATA, list)

    def test_seek_tell(self):
        def moves(f):
            trace = []
            for offset, whence in ((1000, 0), (500_000, 0), (-100, 1),
                                   (10, 0), (-1000, 2), (0, 2), (123_456, 0),
                                   (5, 1), (len(DATA) + 10, 0)):
                trace.append(f.seek(offset, whence))
                trace.append(f.read(777))
                trace.append(f.tell())
            return trace
        self.both(XZ_DATA, moves)

    def test_peek(self):
        # peek() returns what is buffered: its length may differ, never its
        # content, and it is empty only at EOF (as stock).
        for blob, data in ((XZ_DATA, DATA), (XZ_DATA2, DATA2)):
            with plzma.LZMAFile(io.BytesIO(blob), threads=2) as f:
                position = 0
                rng = random.Random(5)
                while True:
                    peeked = f.peek(rng.choice((1, 10, 100000)))
                    if position < len(data):
                        self.assertTrue(peeked)
                        self.assertTrue(data.startswith(peeked, position))
                    else:
                        self.assertEqual(peeked, b"")
                        break
                    got = f.read(rng.choice((1, 5000, 70000)))
                    self.assertEqual(got, data[position:position + len(got)])
                    position += len(got)
                self.assertEqual(f.read(), b"")

    def test_text_mode_open(self):
        expected = stock.open(io.BytesIO(XZ_DATA2), "rt",
                              encoding="latin-1").readlines()
        with plzma.open(io.BytesIO(XZ_DATA2), "rt", encoding="latin-1",
                        threads=2) as f:
            self.assertEqual(f.readlines(), expected)

    def test_file_on_disk(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "data.xz")
            with open(path, "wb") as f:
                f.write(XZ_DATA)
            with plzma.open(path, threads=2) as f:
                self.assertEqual(f.read(), DATA)
            with plzma.open(path, threads=0) as f:
                f.seek(1_000_000)
                self.assertEqual(f.read(10), DATA[1_000_000:1_000_010])

    def test_multi_stream(self):
        blob = XZ_DATA2 + XZ_DATA + xz(b"", "-T2") + XZ_DATA2
        self.assertEqual(self.both(blob, lambda f: f.read()),
                         ("ok", DATA2 + DATA + DATA2))
        self.both(blob, lambda f: [f.read(50_000) for _ in range(50)])

    def test_trailing_junk(self):
        for junk in (b"junk", b"\0" * 4, b"\0" * 7, b"\xfd7zXZ\0garbage",
                     b"\0" * 4 + b"more", XZ_DATA2[:200], os.urandom(3000)):
            with self.subTest(junk=junk[:12]):
                self.both(XZ_DATA + junk, lambda f: f.read())
                self.both(XZ_DATA + XZ_DATA2 + junk, lambda f: f.read())

    def test_damaged_later_stream(self):
        # The standard reader takes a later stream that fails in its first
        # call for trailing junk (and reads on otherwise): where that call
        # ends depends on its 8 KiB reads, which parxz follows.
        tiny = xz(os.urandom(5000), "-0")
        for first in (XZ_DATA2, tiny, tiny + XZ_DATA2):
            for spot in (12, 14, 30, 60, 200, 1000, 5000, 9000, 20000):
                bad = bytearray(XZ_DATA2)
                bad[spot] ^= 0x40
                with self.subTest(first=len(first), spot=spot):
                    self.both(first + bytes(bad), lambda f: len(f.read()))
                    if spot in (60, 9000):
                        self.both(first + bytes(bad),
                                  lambda f: [len(f.read(10_000))
                                             for _ in range(50)])

    def test_truncated(self):
        for cut in (1, 11, 12, 5000, len(XZ_DATA) // 2, len(XZ_DATA) - 30,
                    len(XZ_DATA) - 1):
            with self.subTest(cut=cut):
                result = self.both(XZ_DATA[:cut], lambda f: f.read())
                self.assertEqual(result[0], "raised")
                self.both(XZ_DATA[:cut], lambda f: [f.read(10_000)
                                                    for _ in range(200)])

    def test_truncated_and_corrupt(self):
        # A bad Block followed by an early end of file: the standard reader
        # meets the bad Block first (LZMAError); so must the threaded one,
        # even when that Block is still on a worker when the file ends.
        n = len(XZ_DATA)
        for spot in (200, n // 4, n // 2):
            for cut in (n - 30, n * 3 // 4, spot + 70_000):
                if cut <= spot or cut >= n:
                    continue
                bad = bytearray(XZ_DATA[:cut])
                bad[spot] ^= 0x01
                with self.subTest(spot=spot, cut=cut):
                    result = self.both(bytes(bad), lambda f: len(f.read()))
                    self.assertEqual(result, ("raised", "LZMAError"))
                    self.both(bytes(bad), lambda f: [len(f.read(10_000))
                                                     for _ in range(200)])

    def test_corrupt(self):
        rng = random.Random(9)
        for spot in [100, len(XZ_DATA) // 2, len(XZ_DATA) - 20] + [
                rng.randrange(len(XZ_DATA)) for _ in range(4)]:
            bad = bytearray(XZ_DATA)
            bad[spot] ^= 0x01
            with self.subTest(spot=spot):
                self.both(bytes(bad), lambda f: len(f.read()))

    def test_arguments(self):
        self.assertRaises(TypeError, plzma.LZMAFile, io.BytesIO(XZ_DATA),
                          threads="x")
        self.assertRaises(ValueError, plzma.LZMAFile, io.BytesIO(XZ_DATA),
                          threads=-1)
        self.assertRaises(ValueError, plzma.LZMAFile, io.BytesIO(XZ_DATA),
                          threads=2, block_size=1 << 20)
        self.assertRaises(ValueError, plzma.LZMAFile, io.BytesIO(XZ_DATA),
                          threads=2, preset=6)

    def test_other_formats(self):
        alone = stock.compress(DATA2, format=stock.FORMAT_ALONE)
        self.both(alone, lambda f: f.read())
        self.both(alone, lambda f: f.read(), format=stock.FORMAT_ALONE)
        filters = [{"id": stock.FILTER_LZMA2, "preset": 1}]
        raw = stock.compress(DATA2, format=stock.FORMAT_RAW, filters=filters)
        self.both(raw, lambda f: f.read(), format=stock.FORMAT_RAW,
                  filters=filters)

    def test_workers_used(self):
        # The reader's decompressor really decodes Blocks ahead.
        f = plzma.LZMAFile(io.BytesIO(XZ_DATA), threads=2)
        f.read(1000)
        decompressor = f._buffer.raw._decompressor
        self.assertEqual(f.read(), DATA[1000:])
        stats = decompressor._threaded_stats()
        # Which thread ran a Block depends on the machine's load (a waiting
        # caller decodes too); that Blocks took the parallel path does not.
        self.assertGreater(stats["blocks_on_workers"]
                           + stats["blocks_on_caller"], 20, stats)
        self.assertFalse(stats["sequential"], stats)
        self.assertGreater(stats["max_blocks_in_flight"], 1, stats)
        self.assertLessEqual(stats["max_blocks_in_flight"], 4, stats)


def stream_of_length(length):
    """One .lzma stream of exactly `length` bytes (.xz streams come in
    multiples of four): a prefix of random data, one byte more of input
    making one byte more of stream."""
    data = random.Random(length).randbytes(length)
    n = length - 300
    for _ in range(400):
        blob = stock.compress(data[:n], format=stock.FORMAT_ALONE, preset=0)
        if len(blob) == length:
            return blob
        n += 1 if len(blob) < length else -1
    raise AssertionError(f"no stream of {length} bytes")


def first_call_takes(following, max_length, **kwargs):
    """CPython's DecompressReader on what follows a stream: nothing ends the
    data; else a new decompressor's first call decides (LZMAError: junk)."""
    if not following:
        return False
    try:
        stock.LZMADecompressor(**kwargs).decompress(following, max_length)
    except stock.LZMAError:
        return False
    return True


class NextStreamTest(unittest.TestCase):
    """The threaded reader's "next stream or trailing junk" is core's rule
    (_parxz._stream_follows): the standard reader's answer, also where
    its 8 KiB pieces cut what its first call on the next stream sees."""

    READ_SIZES = ReaderTest.READ_SIZES
    both = ReaderTest.both

    def test_rule_equals_standard_first_call(self):
        from parxz import _parxz
        rng = random.Random(3)
        xz_small = stock.compress(rng.randbytes(3000) + b"a" * 20000)
        alone = stock.compress(b"b" * 50000, format=stock.FORMAT_ALONE)
        filters = [{"id": stock.FILTER_LZMA2, "preset": 1}]
        raw = stock.compress(DATA2[:20000], format=stock.FORMAT_RAW,
                             filters=filters)
        tails = [b"", b"\0", b"\0" * 4, b"\0" * 12, b"\0" * 13,
                 b"\0" * 4 + xz_small, b"junk", b"\xfd7zXZ", b"\xfd7zXZ\0",
                 b"\xfd7zXZ\0garbage", b"LZIP", b"LZIP\x01\x0c", b"]" + bytes(20),
                 xz_small, alone, raw, rng.randbytes(3000)]
        for blob, step in ((xz_small, 7), (alone, 3), (raw, 5)):
            for spot in range(0, min(120, len(blob)), step):
                bad = bytearray(blob)
                bad[spot] ^= 0x40
                tails.append(bytes(bad))
        for kwargs in ({}, {"format": stock.FORMAT_XZ},
                       {"format": stock.FORMAT_ALONE},
                       {"format": stock.FORMAT_RAW, "filters": filters}):
            for tail in tails:
                for cut in (7, 50, 8192, len(tail)):
                    for size in (1, 100, 8192, 1 << 22, sys.maxsize):
                        following = tail[:cut]
                        self.assertEqual(
                            _parxz._stream_follows(following, size, **kwargs),
                            first_call_takes(following, size, **kwargs),
                            (kwargs, following[:16], cut, size))

    def test_streams_ending_near_a_piece_end(self):
        # The standard reader's first call on what follows gets the bytes up
        # to the end of its 8 KiB piece: a damaged next stream whose error
        # lies past that end is taken (and raises), one whose error lies
        # before it is trailing junk.
        tails = [XZ_DATA2, b"\0" * 4, b"\0" * 8, b"\0" * 4 + XZ_DATA2,
                 b"junk" * 10, b"\xfd7zXZ\0" + bytes(20)]
        for spot in (8, 14):  # the Stream Header's CRC32, the Block Header
            damaged = bytearray(XZ_DATA2)
            damaged[spot] ^= 0x40
            tails.append(bytes(damaged))
        outcomes = set()
        for distance in (0, 1, 6, 12, 13, 40):
            first = stream_of_length(2 * 8192 - distance)
            for tail in tails:
                with self.subTest(distance=distance, tail=tail[:8]):
                    outcomes.add(self.both(first + tail,
                                           lambda f: len(f.read())))
                    self.both(first + tail,
                              lambda f: [len(f.read(10_000))
                                         for _ in range(40)])
        # Junk ignored, damage raised, Stream Padding cut short: all met.
        self.assertIn(("raised", "LZMAError"), outcomes)
        self.assertIn(("raised", "EOFError"), outcomes)
        self.assertTrue(any(kind == "ok" and n < len(DATA2)
                            for kind, n in outcomes))


if __name__ == "__main__":
    unittest.main(verbosity=1)
