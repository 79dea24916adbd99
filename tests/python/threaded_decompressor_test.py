#!/usr/bin/python3
"""LZMADecompressor(threads=2) against the stock lzma.LZMADecompressor (the
independent reference) and parxz's sequential one, driven the same way.

Every object is driven by one loop: give the next chunk when needs_input
is true, b'' otherwise, with a cycle of max_length values. The sequential
parxz object must end exactly as stock (output, error class and message,
eof, needs_input, unused_data, check). The threaded object may return fewer
bytes per call (Blocks still decoding) but never more than max_length; what
it has returned is always a prefix of the sequential output; at the end the
output and state are the sequential ones (when the input ends inside the
stream, a prefix: the sequential object may return part of the last Block),
and an error is the same class and message, the output then a prefix of
what the sequential object returned on the same schedule or when fed byte
by byte (an exception discards what the raising call decoded).

Inputs: the xz project's 97 conformance files ($PARXZ_SHARED) and
multi-Block files made by /usr/bin/xz -T2 --block-size=64KiB: several
checks, concatenated streams, trailing data, truncations and bit flips.
"""
import os
import pathlib
import random
import subprocess
import threading
import unittest

import lzma as stock
import parxz.lzma as plzma

XZ = "/usr/bin/xz"
SHARED = os.environ.get("PARXZ_SHARED", "")
CONFORMANCE = pathlib.Path(SHARED) / "xz-test-files"


def sample(size, seed):
    """Text-like runs mixed with random bytes, so Blocks differ in size."""
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghij klmnop") for _ in range(rng.randint(2, 9)))
             for _ in range(400)]
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.2:
            out += rng.randbytes(rng.randint(100, 3000))
        else:
            out += b" ".join(rng.choice(words) for _ in range(rng.randint(50, 400)))
    return bytes(out[:size])


def xz(data, *args):
    return subprocess.run([XZ, "-c", "-q", *args], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def chunker(data, kind, seed=0):
    """The input in pieces: 'all', an int size, or 'random' sizes."""
    if kind == "all":
        return [data]
    if kind == "random":
        rng = random.Random(seed)
        pieces, i = [], 0
        while i < len(data):
            n = rng.choice((1, 7, 100, 4096, 65536, 300000))
            pieces.append(data[i:i + n])
            i += n
        return pieces
    return [data[i:i + kind] for i in range(0, len(data), kind)]


def kind(error):
    """The exception class as callers see it: parxz's LZMAError derives from
    the stock one (so that `except lzma.LZMAError` catches it)."""
    if error is None:
        return None
    if isinstance(error, stock.LZMAError):
        return "LZMAError" if type(error).__name__ == "LZMAError" else type(error)
    return type(error)


class Run:
    """What one decompressor did under the driving loop."""

    def __init__(self, make, pieces, max_lengths, check_call=None):
        d = make()
        self.out = bytearray()
        self.error = None
        pieces = list(pieces)
        next_piece = 0
        calls = 0
        idle = 0  # consecutive calls that took no input and returned nothing
        self.d = d
        try:
            while not d.eof:
                if d.needs_input:
                    if next_piece == len(pieces):
                        break  # all input given and more wanted: truncated
                    data = pieces[next_piece]
                    next_piece += 1
                else:
                    data = b""
                max_length = max_lengths[calls % len(max_lengths)]
                calls += 1
                got = d.decompress(data, max_length)
                idle = 0 if got or data else idle + 1
                if idle > 50:
                    raise AssertionError("no progress")
                if check_call is not None:
                    check_call(got, max_length, self.out)
                self.out += got
        except (stock.LZMAError, EOFError, ValueError, MemoryError) as e:
            self.error = e
        self.calls = calls
        self.eof = d.eof
        self.needs_input = d.needs_input
        self.unused_data = d.unused_data
        self.check = d.check


class Harness(unittest.TestCase):

    def compare(self, data, chunk_kinds=("all", 1, 4096, "random"),
                max_length_cycles=((-1,), (0, 1, 777), (1, 1, 1, 4096),
                                   (100, 0, 7, 65536), (65536,)),
                threads=2, expect_parallel=False):
        """Drives stock and threaded on every schedule; asserts the rules."""
        for kind in chunk_kinds:
            if kind == 1 and len(data) > 400_000:
                continue  # byte by byte only on the smaller inputs
            for cycle in max_length_cycles:
                with self.subTest(chunks=kind, max_length=cycle):
                    self.compare_one(data, chunker(data, kind, len(data)),
                                     cycle, threads, expect_parallel)

    def compare_one(self, data, pieces, cycle, threads, expect_parallel):
        ref = Run(stock.LZMADecompressor, pieces, cycle)
        seq = Run(plzma.LZMADecompressor, pieces, cycle)
        # CPython calls lzma_code() even for max_length=0 and reports
        # liblzma's LZMA_BUF_ERROR after two calls without progress; parxz's
        # sequential object (the seed's semantics) does not. Only there is
        # stock no judge of the schedule.
        if not (isinstance(ref.error, stock.LZMAError)
                and str(ref.error) == "Insufficient buffer space"):
            self.assert_same_end(seq, ref, "sequential parxz vs stock")
        seq_out = bytes(seq.out)

        def check_call(got, max_length, so_far):
            if max_length >= 0:
                self.assertLessEqual(len(got), max_length)

        # Output only grows, so a prefix at the end was a prefix all along.
        ours = Run(lambda: plzma.LZMADecompressor(threads=threads), pieces,
                   cycle, check_call)
        if seq.error is not None or ours.error is not None:
            self.assertIsNotNone(ours.error, f"sequential raised {seq.error!r}")
            self.assertIsNotNone(seq.error, f"threaded raised {ours.error!r}")
            self.assertEqual(kind(ours.error), kind(seq.error))
            self.assertEqual(str(ours.error), str(seq.error))
            # An exception discards what the raising call decoded, so the
            # sequential output depends on the schedule. Ours returns every
            # byte before the error (the call that meets it returns its
            # output, the next one raises): it holds the same schedule's
            # sequential output, and it agrees with byte by byte's (the most
            # a sequential schedule returns) as far as both go.
            ours_out = bytes(ours.out)
            longest = self.longest(data)
            self.assertTrue(ours_out.startswith(seq_out),
                            "output does not hold the sequential one")
            self.assertTrue(longest.startswith(ours_out)
                            or ours_out.startswith(longest),
                            "output disagrees with the sequential one")
            return
        if not seq.eof:
            # Input ended inside the stream: the sequential object may have
            # returned part of the last Block, this one only whole Blocks.
            self.assertTrue(seq_out.startswith(ours.out),
                            "output is not a prefix of the sequential one")
            self.assertEqual((ours.eof, ours.needs_input),
                             (seq.eof, seq.needs_input))
        else:
            self.assert_same_end(ours, seq, "threaded vs sequential")
        if expect_parallel and threads != 1:
            stats = ours.d._threaded_stats()  # Blocks took the parallel path
            self.assertGreater(stats["blocks_on_workers"]
                               + stats["blocks_on_caller"], 0, stats)

    _longest = {}

    def longest(self, data):
        if data not in self._longest:
            run = Run(plzma.LZMADecompressor, chunker(data, 1), (-1,))
            Harness._longest[data] = bytes(run.out)
        return self._longest[data]

    def assert_same_end(self, run, ref, what):
        self.assertEqual((kind(run.error), str(run.error)),
                         (kind(ref.error), str(ref.error)), what)
        self.assertEqual(bytes(run.out), bytes(ref.out), what)
        if run.error is None:
            self.assertEqual((run.eof, run.needs_input, run.unused_data,
                              run.check),
                             (ref.eof, ref.needs_input, ref.unused_data,
                              ref.check), what)


@unittest.skipUnless((CONFORMANCE / "MANIFEST.tsv").exists(),
                     "PARXZ_SHARED is unset or has no xz-test-files")
class ConformanceFiles(Harness):
    def test_every_file(self):
        with open(CONFORMANCE / "MANIFEST.tsv") as f:
            next(f)
            files = [CONFORMANCE / line.split("\t")[0] for line in f]
        self.assertEqual(len(files), 97)
        for path in files:
            with self.subTest(file=path.name):
                self.compare(path.read_bytes(),
                             max_length_cycles=((-1,), (0, 1, 777),
                                                (100, 0, 7, 65536)))


DATA = sample(1_000_000, 7)
SMALL = sample(200_000, 8)


class MultiBlockFiles(Harness):
    @classmethod
    def setUpClass(cls):
        cls.big = xz(DATA, "-6", "-T2", "--block-size=64KiB")
        cls.small = xz(SMALL, "-6", "-T2", "--block-size=16KiB")

    def test_blocks_as_stock_and_on_workers(self):
        self.compare(self.big, expect_parallel=True)
        self.compare(self.small, chunk_kinds=(1, 4096),
                     max_length_cycles=((-1,), (1,), (0, 1, 5000)))

    def test_window(self):
        # Blocks are decoded ahead (by workers or a waiting caller: the
        # machine's load decides), never more than 2 x threads in flight.
        d = plzma.LZMADecompressor(threads=2)
        out = bytearray()
        for piece in chunker(self.big, 65536):
            out += d.decompress(piece, 8192)
            while not d.needs_input and not d.eof:
                out += d.decompress(b"", 8192)
        self.assertEqual(bytes(out), DATA)
        stats = d._threaded_stats()
        self.assertEqual(stats["blocks_on_workers"] + stats["blocks_on_caller"],
                         16, stats)
        self.assertEqual(stats["block_limit"], 4, stats)
        self.assertLessEqual(stats["max_blocks_in_flight"], 4, stats)
        self.assertGreater(stats["max_blocks_in_flight"], 1, stats)

    def test_parxz_made(self):
        blob = plzma.compress(DATA, threads=2, block_size=48 << 10,
                              check=plzma.CHECK_SHA256)
        self.compare(blob, chunk_kinds=(4096, "random"), expect_parallel=True)

    def test_random_schedules(self):
        # Random chunk sizes and a random max_length for every call (a long
        # random cycle), several seeds.
        for seed in range(8):
            rng = random.Random(seed)
            cycle = tuple(rng.choice((-1, 0, 1, 2, 100, 4095, 65536, 200000))
                          for _ in range(997))
            with self.subTest(seed=seed):
                self.compare_one(self.big, chunker(self.big, "random", seed),
                                 cycle, 2, True)

    def test_threads_1_and_0(self):
        for threads in (1, 0):
            self.compare(self.big, chunk_kinds=(4096, "random"),
                         max_length_cycles=((-1,), (100, 0, 7, 65536)),
                         threads=threads)

    def test_checks(self):
        for check in ("none", "crc32", "crc64", "sha256"):
            with self.subTest(check=check):
                self.compare(xz(SMALL, "-1", "-T2", "--block-size=32KiB",
                                f"--check={check}"),
                             chunk_kinds=(4096, "random"))

    def test_unused_data(self):
        second = xz(SMALL, "-T2", "--block-size=32KiB")
        for tail in (second, b"junk" * 1000, b"\0" * 12, b"x"):
            with self.subTest(tail=tail[:8]):
                self.compare(self.small + tail,
                             chunk_kinds=("all", 4096, "random"),
                             max_length_cycles=((-1,), (100, 0, 7, 65536)))

    def test_truncated(self):
        data = self.big
        for cut in (0, 5, 12, 100, len(data) // 3, len(data) // 2,
                    len(data) - 100, len(data) - 12, len(data) - 1):
            with self.subTest(cut=cut):
                self.compare(data[:cut], chunk_kinds=("all", 4096, "random"),
                             max_length_cycles=((-1,), (100, 0, 7, 65536)))

    def test_bit_flips(self):
        rng = random.Random(3)
        data = self.big
        spots = [20, len(data) // 4, len(data) // 2, len(data) - 40,
                 len(data) - 8] + [rng.randrange(len(data)) for _ in range(6)]
        for spot in spots:
            bad = bytearray(data)
            bad[spot] ^= 0x10
            with self.subTest(spot=spot):
                self.compare(bytes(bad), chunk_kinds=("all", 4096, "random"),
                             max_length_cycles=((-1,), (100, 0, 7, 65536)))
                # Every byte the standard module returns before its error,
                # the damaged Block's decoded part included.
                pieces = chunker(bytes(bad), 4096)
                run = Run(lambda: plzma.LZMADecompressor(threads=2), pieces,
                          (-1,))
                ref = Run(stock.LZMADecompressor, pieces, (-1,))
                self.assertEqual(kind(run.error), kind(ref.error))
                self.assertTrue(bytes(run.out).startswith(bytes(ref.out)),
                                (len(run.out), len(ref.out)))

    def test_memlimit(self):
        for memlimit in (1 << 10, 1 << 30):
            with self.subTest(memlimit=memlimit):
                pieces = chunker(self.big, 4096)
                ref = Run(lambda: stock.LZMADecompressor(memlimit=memlimit),
                          pieces, (-1,))
                ours = Run(lambda: plzma.LZMADecompressor(
                    memlimit=memlimit, threads=2), pieces, (-1,))
                self.assertEqual(kind(ours.error), kind(ref.error))
                self.assertEqual(str(ours.error), str(ref.error))
                self.assertTrue(bytes(ref.out).startswith(ours.out))


class GilTest(unittest.TestCase):
    def test_gil_released_while_decoding_and_waiting(self):
        blob = xz(DATA * 4, "-6", "-T2", "--block-size=256KiB")
        done = threading.Event()
        ticks = 0
        result = []

        def work():
            d = plzma.LZMADecompressor(threads=2)
            out = d.decompress(blob, -1)  # decodes and waits for all Blocks
            result.append((out, d.eof))
            done.set()

        worker = threading.Thread(target=work)
        worker.start()
        while not done.is_set():
            ticks += 1
        worker.join()
        self.assertEqual(result, [(DATA * 4, True)])
        # Holding the GIL, the decoder would leave this loop only the
        # interpreter's switch intervals (a few hundred ticks at most).
        self.assertGreater(ticks, 10_000)


class Arguments(unittest.TestCase):
    """Bad arguments raise what stock raises, in its order; threads= is
    checked after them."""

    def same(self, *args, **kwargs):
        try:
            stock.LZMADecompressor(*args, **kwargs)
            expected = None
        except Exception as e:  # noqa: BLE001 (the class is what is compared)
            expected = (kind(e), str(e))
        try:
            plzma.LZMADecompressor(*args, threads=2, **kwargs)
            got = None
        except Exception as e:  # noqa: BLE001
            got = (kind(e), str(e))
        self.assertEqual(got, expected, (args, kwargs))

    def test_stock_errors(self):
        raw_filters = [{"id": plzma.FILTER_LZMA2}]
        for args, kwargs in [
                ((), {}), ((7,), {}), (("x",), {}), ((), {"memlimit": "x"}),
                ((plzma.FORMAT_RAW,), {}), ((plzma.FORMAT_RAW, 1 << 20), {}),
                ((plzma.FORMAT_XZ,), {"filters": raw_filters}),
                ((9,), {"filters": raw_filters}),
                ((plzma.FORMAT_RAW,), {"filters": [{"id": 99}]}),
                ((plzma.FORMAT_RAW,), {"filters": raw_filters}),
                ((plzma.FORMAT_ALONE, 1 << 20), {})]:
            with self.subTest(args=args, kwargs=kwargs):
                self.same(*args, **kwargs)

    def test_threads_argument(self):
        self.assertRaises(TypeError, plzma.LZMADecompressor, threads="2")
        self.assertRaises(ValueError, plzma.LZMADecompressor, threads=-1)
        self.assertRaises(TypeError, plzma.LZMADecompressor, 0, None, None, 2)
        # A bad format is reported before a bad threads value, as stock
        # would report it.
        with self.assertRaisesRegex(ValueError, "Invalid container format"):
            plzma.LZMADecompressor(7, threads=-1)
        d = plzma.LZMADecompressor(threads=None)
        self.assertIsNone(d._threaded_stats())
        self.assertIsNotNone(plzma.LZMADecompressor(threads=2)._threaded_stats())

    def test_raw_and_alone_fall_back(self):
        filters = [{"id": plzma.FILTER_LZMA2, "preset": 1}]
        raw = stock.compress(SMALL, format=stock.FORMAT_RAW, filters=filters)
        d = plzma.LZMADecompressor(plzma.FORMAT_RAW, filters=filters,
                                   threads=2)
        self.assertEqual(d.decompress(raw), SMALL)
        alone = stock.compress(SMALL, format=stock.FORMAT_ALONE)
        d = plzma.LZMADecompressor(threads=2)
        self.assertEqual(d.decompress(alone), SMALL)
        self.assertTrue(d.eof)
        self.assertRaises(EOFError, d.decompress, b"x")

    def test_pickle_refused(self):
        import pickle
        self.assertRaises(TypeError, pickle.dumps,
                          plzma.LZMADecompressor(threads=2))


if __name__ == "__main__":
    unittest.main(verbosity=1)
