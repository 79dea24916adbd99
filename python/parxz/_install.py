"""parxz.lzma.install(): the standard lzma module on parxz, with threads.

    import parxz.lzma
    parxz.lzma.install(threads=0)          # before or after `import lzma`
    import pandas as pd
    df = pd.read_csv("big.csv.xz")         # Blocks decoded on all cores
    df.to_csv("out.csv.xz")                # Blocks compressed on all cores

Programs and libraries reach lzma through the module's attributes at call
time (pandas' get_lzma_file(), tarfile's xzopen and _Stream, numcodecs'
LZMA codec, shutil's archives), so replacing those attributes on the one
`lzma` module object in sys.modules changes what they run, without editing
them. Names someone bound before install() (`from lzma import LZMAFile` at
import time) keep the standard objects.

What is replaced, and the default each gets:
  compress, LZMACompressor, LZMAFile/open for writing
      threads=N, block_size=B for FORMAT_XZ: one standard .xz stream of
      independent Blocks (xz -T's layout, readable by any xz); other formats
      stay single-threaded, as they must.
  decompress, LZMADecompressor, LZMAFile/open for reading
      threads=N: multi-Block .xz decoded ahead on workers; results and
      exceptions are the standard ones.
LZMAError stays the standard class: parxz's LZMAError derives from it, so
`except lzma.LZMAError` catches what the replaced objects raise.
Each still accepts threads=/block_size= explicitly; threads=None there means
the standard single-threaded behaviour.
"""

import operator
import sys

from parxz import _parxz
from parxz import lzma as _plzma

# The attributes of the lzma module that install() replaces.
_NAMES = ("compress", "decompress", "LZMACompressor", "LZMADecompressor",
          "LZMAFile", "open")

# What install() found in the lzma module (restored by uninstall()); None
# while not installed.
_saved = None

# The defaults of the installed objects, set by install(). Read when an
# object is created, so a second install() applies to new objects only.
_threads = 0
_block_size = None

# Marks a threads/block_size argument the caller did not pass.
_DEFAULT = object()


def _writer_settings(format, threads, block_size):
    """threads and block_size for a compressor of `format`: the installed
    defaults where the caller passed none and the format allows them."""
    xz = format is None or (isinstance(format, int)
                            and format == _plzma.FORMAT_XZ)
    if threads is _DEFAULT:
        threads = _threads if xz else None
    if block_size is _DEFAULT:
        block_size = _block_size if xz and threads is not None else None
    return threads, block_size


class LZMACompressor(_plzma.LZMACompressor):
    __doc__ = _plzma.LZMACompressor.__doc__
    __slots__ = ()

    def __init__(self, format=_plzma.FORMAT_XZ, check=-1, preset=None,
                 filters=None, *, threads=_DEFAULT, block_size=_DEFAULT):
        threads, block_size = _writer_settings(format, threads, block_size)
        super().__init__(format, check, preset, filters, threads=threads,
                         block_size=block_size)


class LZMADecompressor(_parxz.LZMADecompressorBase):
    __doc__ = _parxz.LZMADecompressorBase.__doc__
    __slots__ = ()

    # The C type checks the arguments; only the default of threads differs.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("threads", _threads)
        super().__init__(*args, **kwargs)

    def __reduce__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")


class LZMAFile(_plzma.LZMAFile):
    __doc__ = _plzma.LZMAFile.__doc__

    def __init__(self, filename=None, mode="r", *, format=None, check=-1,
                 preset=None, filters=None, threads=_DEFAULT,
                 block_size=_DEFAULT):
        if mode in ("r", "rb"):
            if threads is _DEFAULT:
                threads = _threads
            if block_size is _DEFAULT:
                block_size = None
        else:
            threads, block_size = _writer_settings(format, threads,
                                                   block_size)
        super().__init__(filename, mode, format=format, check=check,
                         preset=preset, filters=filters, threads=threads,
                         block_size=block_size)


def compress(data, format=_plzma.FORMAT_XZ, check=-1, preset=None,
             filters=None, *, threads=_DEFAULT, block_size=_DEFAULT):
    compressor = LZMACompressor(format, check, preset, filters,
                                threads=threads, block_size=block_size)
    return compressor.compress(data) + compressor.flush()


def decompress(data, format=_plzma.FORMAT_AUTO, memlimit=None, filters=None,
               *, threads=_DEFAULT):
    if threads is _DEFAULT:
        threads = _threads
    return _plzma.decompress(data, format, memlimit, filters,
                             threads=threads)


def open(filename, mode="rb", *, format=None, check=-1, preset=None,
         filters=None, encoding=None, errors=None, newline=None,
         threads=_DEFAULT, block_size=_DEFAULT):
    return _plzma._open(LZMAFile, filename, mode, format, check, preset,
                        filters, encoding, errors, newline, threads,
                        block_size)


compress.__doc__ = _plzma.compress.__doc__
decompress.__doc__ = _plzma.decompress.__doc__
open.__doc__ = _plzma.open.__doc__
for _object in (LZMACompressor, LZMADecompressor, LZMAFile, compress,
                decompress, open):
    _object.__module__ = "lzma"
    _object.__qualname__ = _object.__name__
del _object


def install(threads=0, block_size=None):
    """parxz.lzma.install()'s work (documented there)."""
    global _saved, _threads, _block_size
    threads = operator.index(threads)
    if not 0 <= threads <= 4096:
        raise ValueError("threads must be in 0..4096 (0: all cores)")
    if block_size is not None:
        block_size = operator.index(block_size)
        if block_size < 0:
            raise ValueError("block_size must be >= 0 and < 2**64")
    module = _lzma_module()
    if _saved is None:
        _saved = {name: getattr(module, name) for name in _NAMES}
    _threads, _block_size = threads, block_size
    for name in _NAMES:
        setattr(module, name, globals()[name])
    return module


def uninstall():
    """Put back the standard lzma module's own objects (no-op if install()
    was not called)."""
    global _saved
    if _saved is None:
        return
    module = _lzma_module()
    for name, value in _saved.items():
        setattr(module, name, value)
    _saved = None


def installed():
    """True between install() and uninstall()."""
    return _saved is not None


def _lzma_module():
    module = sys.modules.get("lzma")
    if module is None:
        import lzma as module
    if module is _plzma:
        raise ValueError("sys.modules['lzma'] is parxz.lzma already; "
                         "install() patches the standard module")
    return module
