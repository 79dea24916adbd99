#!/usr/bin/python3
"""Issue 22 item 2: parxz.lzma.open() seeking by the Index against the
stock lzma.open(), op by op.

Random sequences of read/read1/readline/peek/seek/tell/readinto run on the
stock reader and on parxz.lzma.open (threads None and 2) over files made by
xz -T2, pixz, parxz and xz -T1 (one Block), each clean, concatenated (two
Streams), padded (Stream Padding between and after Streams), with trailing
junk, truncated and with one damaged Block. Every op must give the same
result or the same exception class, with two documented exceptions:

- a seek that the stock module performs by decoding across the damaged
  Block (and so raises LZMAError) lands, in parxz, after it without
  decoding it: accepted when parxz returns the target, which the stock
  module reaches on the undamaged file (the op list goes on against that
  one while the position stays past the damaged Block);
- with threads=2 (parxz's threaded reader, as before this issue) read1()
  and peek() may return more or fewer bytes (the same bytes), and on a
  damaged or truncated file a read may return more good bytes before the
  error; then both files are rewound.

The block table of each file comes from `xz --robot -lvv`, the reference
data from the stock module. Seeded: PARXZ_SEEK_SEED=<int> (default 22);
a failure prints the seed, the file and the op list.
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

SEED = int(os.environ.get("PARXZ_SEEK_SEED", "22"))
OPS = int(os.environ.get("PARXZ_SEEK_OPS", "120"))
ONLY = os.environ.get("PARXZ_SEEK_ONLY", "")  # keep cases naming this


def sample(size, seed):
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghij klmnop") for _ in range(rng.randint(2, 9)))
             for _ in range(300)]
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.2:
            out += rng.randbytes(rng.randint(100, 3000))
        else:
            out += b" ".join(rng.choice(words) for _ in range(rng.randint(5, 150)))
        out += b"\n"
    return bytes(out[:size])


def run(args, data):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE,
                          check=True).stdout


def blocks_of(blob):
    """(compressed offset, total size, uncompressed offset, size) of each
    Block, from xz --robot -lvv."""
    with tempfile.NamedTemporaryFile(suffix=".xz") as f:
        f.write(blob)
        f.flush()
        listing = subprocess.run(["xz", "--robot", "-lvv", f.name],
                                 stdout=subprocess.PIPE, check=True,
                                 text=True).stdout
    out = []
    for line in listing.splitlines():
        cols = line.split("\t")
        if cols[0] == "block":
            out.append((int(cols[4]), int(cols[6]), int(cols[5]), int(cols[7])))
    return out


DATA = sample(700_000, 1)
DATA2 = sample(200_000, 2)
MAKERS = {
    "xz-T2": lambda d: run(["xz", "-c", "-6", "-T2", "--block-size=64KiB"], d),
    "pixz": lambda d: run(["pixz", "-0"], d),
    "parxz": lambda d: plzma.compress(d, threads=2, block_size=48 << 10),
    "xz-T1": lambda d: run(["xz", "-c", "-6", "-T1"], d),
}


def cases():
    """(name, file bytes, clean twin or None, damaged uncompressed end)."""
    out = []
    for maker, make in MAKERS.items():
        one, two = make(DATA), make(DATA2)
        out.append((maker + " clean", one, None, None))
        out.append((maker + " concatenated", one + two, None, None))
        out.append((maker + " padded", one + b"\0" * 8 + two + b"\0" * 4,
                    None, None))
        out.append((maker + " junk", one + b"junk" * 3, None, None))
        out.append((maker + " truncated", one[:len(one) * 2 // 3], None, None))
        blocks = blocks_of(one)
        target = blocks[min(2, len(blocks) - 1)]
        bad = bytearray(one)
        bad[target[0] + target[1] // 2] ^= 0x55
        out.append((maker + " corrupt", bytes(bad), one,
                    target[2] + target[3]))
    return out


def outcome(fn):
    try:
        return ("ok", fn())
    except stock.LZMAError:
        return ("raised", "LZMAError")
    except Exception as e:  # noqa: BLE001 (the class is what is compared)
        return ("raised", type(e).__name__)


def random_ops(rng, size):
    ops = []
    for _ in range(OPS):
        kind = rng.choice(("read", "read", "read1", "readline", "peek",
                           "seek", "seek", "seek", "tell", "readinto"))
        if kind == "seek":
            whence = rng.choice((0, 0, 0, 1, 2))
            if whence == 0:
                arg = rng.choice((rng.randrange(size + 2000), 0, size,
                                  size + 5, rng.randrange(-5, 5)))
            elif whence == 1:
                arg = rng.randrange(-size // 4, size // 4)
            else:
                arg = rng.randrange(-size, 100)
            ops.append((kind, arg, whence))
        elif kind in ("read", "read1", "readinto"):
            ops.append((kind, rng.choice((0, 1, 17, 4096, 8192, 8193, 70000,
                                          300000, -1 if kind != "readinto"
                                          else 9)), 0))
        elif kind == "readline":
            ops.append((kind, rng.choice((-1, -1, 10, 5000)), 0))
        elif kind == "peek":
            ops.append((kind, rng.choice((0, 1, 100, 100000)), 0))
        else:
            ops.append((kind, 0, 0))
    return ops


def apply(f, op):
    kind, arg, whence = op
    if kind == "seek":
        return f.seek(arg, whence)
    if kind == "tell":
        return f.tell()
    if kind == "readinto":
        buf = bytearray(arg)
        n = f.readinto(buf)
        return bytes(buf[:n])
    return getattr(f, kind)(arg)


class Oracle:
    """The stock reader the parxz reader is compared with: on the file
    itself, or on its undamaged twin while parxz stands past the damaged
    Block it jumped over."""

    def __init__(self, blob, clean, damaged_end):
        self.blob, self.clean, self.damaged_end = blob, clean, damaged_end
        self.f = stock.open(io.BytesIO(blob))
        self.on_clean = False

    def reopen(self, clean, target):
        self.f = stock.open(io.BytesIO(self.clean if clean else self.blob))
        self.on_clean = clean
        return outcome(lambda: self.f.seek(target))


class IndexSeekDiffTest(unittest.TestCase):

    def check_case(self, name, blob, clean, damaged_end, threads, seed):
        rng = random.Random(seed)
        size = len(DATA) + len(DATA2)
        ops = random_ops(rng, size)
        oracle = Oracle(blob, clean, damaged_end)
        mine = plzma.open(io.BytesIO(blob), threads=threads)
        damaged = clean is not None or name.endswith("truncated")
        reference = DATA if damaged else None  # the data of its first Stream
        done = []
        for op in ops:
            done.append(op)
            where = f"seed={seed} {name} threads={threads} ops={done}"
            # tell() refreshes a BufferedReader's idea of the raw position
            # (stale after a seek that raised): ask both.
            outcome(oracle.f.tell)
            before = outcome(mine.tell)
            got = outcome(lambda: apply(mine, op))
            if op[0] == "seek" and clean is not None and before[0] == "ok":
                # Past the damaged Block: compare with the undamaged file;
                # before it (or in it): with the damaged one.
                kind, arg, whence = op
                land = got[1] if got[0] == "ok" else max(0, (
                    arg, before[1] + arg, len(DATA) + arg)[whence])
                past = land > damaged_end
                expected = outcome(lambda: apply(oracle.f, op))
                if expected != got and (past or whence == 2) \
                        and expected == ("raised", "LZMAError") \
                        and got[0] == "ok":
                    expected = oracle.reopen(past, land)
                elif oracle.on_clean and not past:
                    expected = oracle.reopen(False, land)
            else:
                expected = outcome(lambda: apply(oracle.f, op))
            if threads is None or expected == got:
                self.assertEqual(expected, got, where)
                if threads is not None and got[0] == "raised":
                    # Where the threaded reader stands after an error
                    # differs (it decoded more before it): rewind both.
                    mine = self.resync(oracle, mine, threads, where)
                continue
            # threads=2: read1()/peek() lengths; more good bytes before an
            # error on a damaged file (then both are rewound).
            if op[0] in ("read1", "peek") and expected[0] == got[0] == "ok":
                a, b = expected[1], got[1]
                self.assertEqual(bool(a), bool(b), where)
                k = min(len(a), len(b))
                self.assertEqual(a[:k], b[:k], where)
                if op[0] == "read1" and len(a) != len(b):
                    # Bring the stock reader to the same position.
                    moved = outcome(lambda: oracle.f.seek(before[1] + len(b)))
                    if moved != ("ok", before[1] + len(b)):
                        self.assertTrue(damaged, where)
                        mine = self.resync(oracle, mine, threads, where)
                continue
            self.assertTrue(damaged, where)
            if expected[0] == got[0] == "raised":
                self.assertEqual(expected, got, where)
            elif got[0] == "ok" and isinstance(got[1], bytes):
                # Good bytes the stock reader did not return before raising.
                self.assertTrue(reference.startswith(got[1], before[1]),
                                where)
            mine = self.resync(oracle, mine, threads, where)
        mine.close()

    def resync(self, oracle, mine, threads, where):
        """Both files reopened (after an error a BufferedReader's idea of
        its raw position may be stale, so seek(0) would not do)."""
        self.assertEqual(oracle.reopen(False, 0), ("ok", 0), where)
        mine.close()
        return plzma.open(io.BytesIO(oracle.blob), threads=threads)

    def test_random_ops(self):
        for index, (name, blob, clean, damaged_end) in enumerate(cases()):
            for threads in (None, 2):
                if ONLY not in f"{name} threads={threads}":
                    continue
                seed = SEED * 1000 + index * 10 + (threads or 0)
                with self.subTest(name=name, threads=threads, seed=seed):
                    self.check_case(name, blob, clean, damaged_end, threads,
                                    seed)


if __name__ == "__main__":
    print(f"PARXZ_SEEK_SEED={SEED}", file=sys.stderr)
    unittest.main()
