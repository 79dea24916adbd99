"""The lzma module's API on parxz, with threads.

    import parxz.lzma as lzma

    data = lzma.compress(raw, threads=0)               # all cores, .xz Blocks
    with lzma.open("big.xz", "wb", threads=4, block_size=8 << 20) as f:
        f.write(raw)
    raw2 = lzma.decompress(data, threads=0)             # Blocks decoded in parallel

Everything the standard `lzma` module offers is here with the same
signatures, behaviour and exceptions (CPython's own test_lzma.py passes with
this module in place of `lzma`). The additions are keyword-only:

  threads     LZMACompressor, compress(), LZMAFile/open() for writing:
              compress .xz Blocks on this many threads (0 = all cores).
              decompress(), LZMADecompressor, LZMAFile/open() for reading:
              decode the Blocks of multi-Block .xz input in parallel, ahead
              of the reader, with the standard results and exceptions.
              None (the default) = the standard single-threaded behaviour
              and output.
  block_size  with threads: uncompressed bytes per Block (default: xz's,
              max(3 x dict_size, 1 MiB), 24 MiB at preset 6).

With threads or block_size the output is one .xz stream of independent
Blocks; it depends only on the data and the settings, never on the thread
count, and equals what `xz -T2 --block-size=B` writes for the same preset,
check and filters. Only FORMAT_XZ can be written that way.

install(threads=0) makes the standard `lzma` module itself (as pandas,
tarfile, numcodecs, shutil... use it) compress and decompress this way;
uninstall() undoes it.
"""

import builtins
import io
import os
import sys

import _compression

from parxz import _lzma, _parxz, _seek
from parxz._lzma import *  # noqa: F401,F403  (as the standard module)
from parxz._lzma import _encode_filter_properties, _decode_filter_properties

__all__ = [
    "CHECK_NONE", "CHECK_CRC32", "CHECK_CRC64", "CHECK_SHA256",
    "CHECK_ID_MAX", "CHECK_UNKNOWN",
    "FILTER_LZMA1", "FILTER_LZMA2", "FILTER_DELTA", "FILTER_X86", "FILTER_IA64",
    "FILTER_ARM", "FILTER_ARMTHUMB", "FILTER_POWERPC", "FILTER_SPARC",
    "FORMAT_AUTO", "FORMAT_XZ", "FORMAT_ALONE", "FORMAT_RAW",
    "MF_HC3", "MF_HC4", "MF_BT2", "MF_BT3", "MF_BT4",
    "MODE_FAST", "MODE_NORMAL", "PRESET_DEFAULT", "PRESET_EXTREME",
    "LZMACompressor", "LZMADecompressor", "LZMAFile", "LZMAError",
    "open", "compress", "decompress", "is_check_supported",
    "install", "uninstall",
]


class LZMACompressor:
    """LZMACompressor(format=FORMAT_XZ, check=-1, preset=None, filters=None,
    *, threads=None, block_size=None)

    A compressor object for compressing data incrementally, as
    lzma.LZMACompressor. With threads (0 = all cores) or block_size, .xz
    Blocks of block_size bytes are compressed in parallel; compress() then
    returns output only as Blocks finish, and flush() waits for the rest.
    """

    __slots__ = ("_impl",)

    def __init__(self, format=FORMAT_XZ, check=-1, preset=None, filters=None,
                 *, threads=None, block_size=None):
        if threads is None and block_size is None:
            self._impl = _lzma.LZMACompressor(format, check, preset, filters)
            return
        if format != FORMAT_XZ:
            if not isinstance(format, int):
                raise TypeError("format must be an int, not %s"
                                % type(format).__name__)
            raise ValueError("threads and block_size need FORMAT_XZ")
        self._impl = _parxz.ParallelCompressor(
            check, preset, filters, threads, block_size)

    def compress(self, data, /):
        """Provide data; returns compressed bytes when some are ready, else b''."""
        return self._impl.compress(data)

    def flush(self):
        """Finish the stream and return the rest of it. Once only."""
        return self._impl.flush()

    def __reduce__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")


def compress(data, format=FORMAT_XZ, check=-1, preset=None, filters=None, *,
             threads=None, block_size=None):
    """Compress a block of data, as lzma.compress(); threads and block_size
    as LZMACompressor's."""
    compressor = LZMACompressor(format, check, preset, filters,
                                threads=threads, block_size=block_size)
    return compressor.compress(data) + compressor.flush()


def decompress(data, format=FORMAT_AUTO, memlimit=None, filters=None, *,
               threads=None):
    """Decompress a block of data, as lzma.decompress(): concatenated
    streams are decoded; data after the last stream that is not a stream is
    ignored. With threads (0 = all cores) the Blocks of .xz input that
    record their sizes (what xz -T and parxz write) are decoded in parallel.
    """
    return _parxz.decompress(data, format, memlimit, filters, threads)


_CLOSED, _READ, _WRITE = 0, 1, 2

# Compressed bytes read at a time by a threaded reader: whole Blocks arrive
# in a few calls, so that workers get them early.
_THREADED_READ_SIZE = 1 << 20
# Decompressed bytes taken per call by a threaded readall().
_READALL_PIECE = 4 << 20


class _ThreadedReader(_compression.DecompressReader):
    """The standard reader of LZMAFile (one decompressor per stream, EOFError
    on truncation, emulated seek) with a threaded decompressor and larger
    reads of the file.

    What follows a stream is another stream unless the standard reader's
    first call on it would raise LZMAError: then it is trailing junk and
    reading ends there, as in the standard module. core's stream rules
    decide it (_parxz._stream_follows, python/stream_rules.cc), on the bytes
    that call sees: those up to the end of the 8 KiB piece of the file the
    standard reader would hold (it reads in pieces of
    _compression.BUFFER_SIZE). The threaded decompressor then takes the
    stream, so the decision does not hang on when its workers find an
    error.
    """

    def __init__(self, fp, threads, format, filters):
        self._read_total = 0  # bytes read from fp since the (re)start
        self._held = b""  # decoded at the end of a truncated file, see read()
        super().__init__(fp, LZMADecompressor, format=format,
                         filters=filters, threads=threads)
        self._stream_args = {"format": format, "filters": filters}

    def _read_raw(self):
        data = self._fp.read(_THREADED_READ_SIZE)
        self._read_total += len(data)
        return data

    def _rewind(self):
        super()._rewind()
        self._read_total = 0
        self._held = b""

    def _next_stream(self, size):
        """Starts the stream after the current one's end, if there is one
        by the standard rule; returns its first output, or None."""
        rest = self._decompressor.unused_data
        start = self._read_total - len(rest)
        piece = _compression.BUFFER_SIZE
        end = (start // piece + 1) * piece  # of the standard reader's piece
        while len(rest) < end - start:
            more = self._read_raw()
            if not more:
                break
            rest += more
        if not _parxz._stream_follows(rest[:end - start], size,
                                      **self._stream_args):
            return None
        self._decompressor = self._decomp_factory(**self._decomp_args)
        return self._decompressor.decompress(rest, size)

    def readall(self):
        # The standard readall() joins the pieces once all are decoded, on
        # one core. Here each piece is copied into the BytesIO while the
        # workers decode the next Blocks, and getvalue() hands over that
        # buffer without copying it again.
        out = io.BytesIO()
        while data := self.read(_READALL_PIECE):
            out.write(data)
        return out.getvalue()

    def read(self, size=-1):
        if size < 0:
            return self.readall()
        if not size or self._eof:
            return b""
        if self._held:
            data, self._held = self._held[:size], self._held[size:]
            self._pos += len(data)
            return data
        while True:
            decompressor = self._decompressor
            if decompressor.eof:
                data = self._next_stream(size)
                if data is None:
                    break
            elif decompressor.needs_input:
                raw = self._read_raw()
                if not raw:
                    # The file ended inside the stream. The standard reader
                    # decoded every Block as its bytes came, the last one as
                    # far as they go; here some may still be on workers or
                    # waiting for bytes that will not come: _end_input()
                    # decodes the waiting one in order, and max_length -1
                    # collects everything, so every byte comes first and a
                    # corrupt Block raises LZMAError (on the next call), as
                    # in the standard module, before EOFError.
                    decompressor._end_input()
                    self._held = decompressor.decompress(b"", -1)
                    if not self._held:
                        raise EOFError("Compressed file ended before the "
                                       "end-of-stream marker was reached")
                    return self.read(size)
                data = decompressor.decompress(raw, size)
            else:
                data = decompressor.decompress(b"", size)
            if data:
                self._pos += len(data)
                return data
        self._eof = True
        self._size = self._pos
        return b""


class _ThreadedSeekingReader(_seek.IndexSeek, _ThreadedReader):
    """_ThreadedReader with seek() by the Index (parxz/_seek.py). After a
    seek started a Block, the first read of the file is that Block, and
    each next one twice as large up to _THREADED_READ_SIZE, so that a seek
    followed by a short read (tarfile's headers) reads and decodes one
    Block, not a megabyte of them."""

    _next_read = None  # None: _THREADED_READ_SIZE

    def _read_raw(self):
        size = self._next_read or _THREADED_READ_SIZE
        if size < _THREADED_READ_SIZE:
            self._next_read = min(2 * size, _THREADED_READ_SIZE)
        data = self._fp.read(size)
        self._read_total += len(data)
        return data

    def _rewind(self):
        self._next_read = None  # (IndexSeek's rewind may set a Block's size)
        super()._rewind()


class LZMAFile(_compression.BaseStream):
    """LZMAFile(filename=None, mode="r", *, format=None, check=-1,
    preset=None, filters=None, threads=None, block_size=None)

    A file object for .xz/.lzma data, as lzma.LZMAFile. filename is a path
    (str, bytes, PathLike) or a file object. mode is "r", "w", "x" or "a"
    (optionally with "b"). For writing, threads and block_size compress in
    parallel (see LZMACompressor). For reading, threads decodes the Blocks
    of multi-Block .xz files ahead on that many threads (0 = all cores);
    the file is then read in 1 MiB pieces instead of 8 KiB ones, and what
    is returned, multi-stream files, trailing junk, seek() and errors are
    as without threads.
    """

    def __init__(self, filename=None, mode="r", *, format=None, check=-1,
                 preset=None, filters=None, threads=None, block_size=None):
        self._fp = None
        self._closefp = False
        self._mode = _CLOSED
        if mode in ("r", "rb"):
            if check != -1:
                raise ValueError("Cannot specify an integrity check "
                                 "when opening a file for reading")
            if preset is not None:
                raise ValueError("Cannot specify a preset compression "
                                 "level when opening a file for reading")
            if block_size is not None:
                raise ValueError("Cannot specify a block size "
                                 "when opening a file for reading")
            if format is None:
                format = FORMAT_AUTO
            mode_code = _READ
        elif mode in ("w", "wb", "a", "ab", "x", "xb"):
            if format is None:
                format = FORMAT_XZ
            mode_code = _WRITE
            self._compressor = LZMACompressor(
                format=format, check=check, preset=preset, filters=filters,
                threads=threads, block_size=block_size)
            self._pos = 0
        else:
            raise ValueError(f"Invalid mode: {mode!r}")

        if isinstance(filename, (str, bytes, os.PathLike)):
            if "b" not in mode:
                mode += "b"
            self._fp = builtins.open(filename, mode)
            self._closefp = True
        elif hasattr(filename, "read") or hasattr(filename, "write"):
            self._fp = filename
        else:
            raise TypeError("filename must be a str, bytes, file or "
                            "PathLike object")
        self._mode = mode_code

        if self._mode == _READ:
            if threads is None:
                raw = _seek.SeekingReader(
                    self._fp, LZMADecompressor, trailing_error=LZMAError,
                    format=format, filters=filters)
            else:
                raw = _ThreadedSeekingReader(self._fp, threads, format,
                                             filters)
            self._buffer = io.BufferedReader(raw)

    def close(self):
        """Flush and close the file; the compressed stream is finished here
        when writing. Safe to call more than once."""
        if self._mode == _CLOSED:
            return
        try:
            if self._mode == _READ:
                self._buffer.close()
                self._buffer = None
            elif self._mode == _WRITE:
                self._fp.write(self._compressor.flush())
                self._compressor = None
        finally:
            try:
                if self._closefp:
                    self._fp.close()
            finally:
                self._fp = None
                self._closefp = False
                self._mode = _CLOSED

    @property
    def closed(self):
        """True once the file is closed."""
        return self._mode == _CLOSED

    def fileno(self):
        """The file descriptor of the underlying file."""
        self._check_not_closed()
        return self._fp.fileno()

    def seekable(self):
        """True if seek() is supported (reading a seekable file)."""
        return self.readable() and self._buffer.seekable()

    def readable(self):
        """True if the file was opened for reading."""
        self._check_not_closed()
        return self._mode == _READ

    def writable(self):
        """True if the file was opened for writing."""
        self._check_not_closed()
        return self._mode == _WRITE

    def peek(self, size=-1):
        """Buffered data without advancing the position (at least a byte
        unless at EOF)."""
        self._check_can_read()
        return self._buffer.peek(size)

    def read(self, size=-1):
        """Read up to size uncompressed bytes (all until EOF if negative)."""
        self._check_can_read()
        return self._buffer.read(size)

    def read1(self, size=-1):
        """Read up to size bytes with at most one read of the underlying
        stream; b'' at EOF."""
        self._check_can_read()
        if size < 0:
            size = io.DEFAULT_BUFFER_SIZE
        return self._buffer.read1(size)

    def readline(self, size=-1):
        """Read one line of uncompressed bytes (at most size bytes)."""
        self._check_can_read()
        return self._buffer.readline(size)

    def write(self, data):
        """Compress and write data (any bytes-like object); returns the
        number of uncompressed bytes written."""
        self._check_can_write()
        if isinstance(data, (bytes, bytearray)):
            length = len(data)
        else:
            data = memoryview(data)
            length = data.nbytes
        self._fp.write(self._compressor.compress(data))
        self._pos += length
        return length

    def seek(self, offset, whence=io.SEEK_SET):
        """Change the position in the uncompressed data. On a seekable
        .xz file with intact Indexes only the Block holding the new position
        is decoded (the first seek reads the Indexes; parxz/_seek.py);
        otherwise seeking is emulated as in the standard module (backwards
        restarts decompression, forwards decodes everything on the way)."""
        self._check_can_seek()
        return self._buffer.seek(offset, whence)

    def tell(self):
        """The current position in the uncompressed data."""
        self._check_not_closed()
        if self._mode == _READ:
            return self._buffer.tell()
        return self._pos


def open(filename, mode="rb", *, format=None, check=-1, preset=None,
         filters=None, encoding=None, errors=None, newline=None,
         threads=None, block_size=None):
    """Open a .xz/.lzma file in binary or text mode, as lzma.open();
    threads and block_size as LZMAFile's."""
    return _open(LZMAFile, filename, mode, format, check, preset, filters,
                 encoding, errors, newline, threads, block_size)


def _open(file_class, filename, mode, format, check, preset, filters,
          encoding, errors, newline, threads, block_size):
    """open() with file_class in place of LZMAFile (install()'s open()
    passes its own)."""
    if "t" in mode:
        if "b" in mode:
            raise ValueError(f"Invalid mode: {mode!r}")
    else:
        if encoding is not None:
            raise ValueError("Argument 'encoding' not supported in binary mode")
        if errors is not None:
            raise ValueError("Argument 'errors' not supported in binary mode")
        if newline is not None:
            raise ValueError("Argument 'newline' not supported in binary mode")

    binary_file = file_class(filename, mode.replace("t", ""), format=format,
                             check=check, preset=preset, filters=filters,
                             threads=threads, block_size=block_size)
    if "t" in mode:
        encoding = io.text_encoding(encoding)
        return io.TextIOWrapper(binary_file, encoding, errors, newline)
    return binary_file


def install(threads=0, block_size=None):
    """Make the standard `lzma` module compress and decompress with parxz.

    threads: worker threads (0 = all cores, the default); block_size:
    uncompressed bytes per .xz Block when compressing (None = xz's default
    for the preset, 24 MiB at -6; smaller Blocks give the threads work on
    smaller inputs). Imports lzma if needed and replaces compress,
    decompress, LZMACompressor, LZMADecompressor, LZMAFile and open on it,
    so that code reaching them as `lzma.<name>` at call time (pandas,
    tarfile, numcodecs, shutil) runs on parxz with these defaults:
    compressing FORMAT_XZ with threads and block_size (standard .xz, Blocks
    as xz -T writes them; other formats stay single-threaded), decompressing
    with threads (standard results and exceptions). threads=None passed
    explicitly still means the standard behaviour. LZMAError stays the
    standard class: parxz's derives from it. Calling install() again changes
    the defaults of new objects; uninstall() restores the standard objects.
    Names bound before install() (`from lzma import LZMAFile`) keep the
    standard objects. Returns the lzma module.
    """
    from parxz import _install  # on demand: only install() needs it
    return _install.install(sys.modules[__name__], threads, block_size)


def uninstall():
    """Undo install(): the standard lzma module's own objects are back
    (nothing happens if install() was not called)."""
    from parxz import _install
    _install.uninstall()
