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

The replacements are parxz.lzma's own objects with other defaults for
threads and block_size, made from them rather than written again: each
function is wrapped, each class derived (so isinstance and issubclass hold
for what the replaced objects return), keeping the signature, but for those
two defaults, and the docstring. They call themselves lzma.<name>, as the
objects they replace. This module does not import parxz.lzma: install()
is handed it by parxz.lzma.install(), the one way between the two.
"""

import functools
import inspect
import operator
import sys

from parxz import _parxz

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

# The replacements, by name; made by the first install().
_objects = None

_NOTE = """

    Installed by parxz.lzma.install(): threads defaults to install()'s, and
    so does block_size when compressing FORMAT_XZ (other formats are
    compressed as without threads)."""


class _InstalledDefault:
    """The default of threads and block_size in the replacements'
    signatures: install()'s value, where it applies (_fill_defaults)."""

    __slots__ = ()

    def __repr__(self):
        return "<install()'s>"


_INSTALLED = _InstalledDefault()


def _fill_defaults(bound, reading):
    """Puts install()'s threads and block_size into the arguments of a call
    that did not pass them: reading (a decompressor, a file opened for
    reading) takes threads; compressing FORMAT_XZ takes both; other formats
    neither, as they cannot be compressed on threads. reading None: a file,
    whose mode says."""
    passed = set(bound.arguments)
    bound.apply_defaults()
    arguments = bound.arguments
    if reading is None:
        mode = arguments["mode"]
        reading = (isinstance(mode, str)
                   and mode.replace("t", "") in ("r", "rb"))
    if reading:
        if "threads" not in passed:
            arguments["threads"] = _threads
        return
    format = arguments["format"]
    xz = format is None or (isinstance(format, int)
                            and format == _parxz.FORMAT_XZ)
    if "threads" not in passed:
        arguments["threads"] = _threads if xz else None
    if "block_size" not in passed:
        threaded = xz and arguments["threads"] is not None
        arguments["block_size"] = _block_size if threaded else None


def _with_defaults(function, reading, call=None):
    """function (or, given, `call`, which takes the same arguments) with
    install()'s defaults; its signature shows them as <install()'s>."""
    signature = inspect.signature(function)
    call = call or function

    @functools.wraps(function)
    def installed(*args, **kwargs):
        if reading is True:
            # threads is keyword-only there: its default goes in without
            # binding (inspect's bind costs ~8 us, a quarter of a 4 KiB
            # decompress() that numcodecs makes per chunk).
            kwargs.setdefault("threads", _threads)
            return call(*args, **kwargs)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return function(*args, **kwargs)  # raises it, with its message
        _fill_defaults(bound, reading)
        return call(*bound.args, **bound.kwargs)

    installed.__signature__ = signature.replace(parameters=[
        p.replace(default=_INSTALLED) if p.name in ("threads", "block_size")
        else p for p in signature.parameters.values()])
    installed.__doc__ = (function.__doc__ or "") + _NOTE
    return installed


def _derived(base, reading):
    """A subclass of base whose __init__ has install()'s defaults."""
    namespace = {"__init__": _with_defaults(base.__init__, reading),
                 "__doc__": base.__doc__ + _NOTE, "__module__": "lzma",
                 "__qualname__": base.__name__}
    if "__slots__" in base.__dict__:
        namespace["__slots__"] = ()
    return type(base.__name__, (base,), namespace)


class LZMADecompressor(_parxz.LZMADecompressorBase):
    # The C type checks the arguments; only the default of threads differs.
    __doc__ = _parxz.LZMADecompressorBase.__doc__ + _NOTE
    __slots__ = ()
    # The C type's own signature cannot be read (it has no text signature).
    __signature__ = inspect.Signature([
        inspect.Parameter("format", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=_parxz.FORMAT_AUTO),
        inspect.Parameter("memlimit", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=None),
        inspect.Parameter("filters", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=None),
        inspect.Parameter("threads", inspect.Parameter.KEYWORD_ONLY,
                          default=_INSTALLED),
    ])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("threads", _threads)
        super().__init__(*args, **kwargs)

    def __reduce__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")


LZMADecompressor.__module__ = "lzma"


def _make(api):
    """The replacements, made from parxz.lzma (`api`)."""
    file_class = _derived(api.LZMAFile, None)
    objects = {
        "compress": _with_defaults(api.compress, False),
        "decompress": _with_defaults(api.decompress, True),
        "LZMACompressor": _derived(api.LZMACompressor, False),
        "LZMADecompressor": LZMADecompressor,
        "LZMAFile": file_class,
        # open() makes the installed file class.
        "open": _with_defaults(api.open, None,
                               functools.partial(api._open, file_class)),
    }
    for name, value in objects.items():
        value.__module__ = "lzma"
        value.__qualname__ = name
    return objects


def install(api, threads=0, block_size=None):
    """parxz.lzma.install()'s work (documented there); `api` is
    parxz.lzma."""
    global _saved, _threads, _block_size, _objects
    threads = operator.index(threads)
    if not 0 <= threads <= 4096:
        raise ValueError("threads must be in 0..4096 (0: all cores)")
    if block_size is not None:
        block_size = operator.index(block_size)
        if block_size < 0:
            raise ValueError("block_size must be >= 0 and < 2**64")
    module = _lzma_module(api)
    if _objects is None:
        _objects = _make(api)
    if _saved is None:
        _saved = {name: getattr(module, name) for name in _NAMES}
    _threads, _block_size = threads, block_size
    for name in _NAMES:
        setattr(module, name, _objects[name])
    return module


def uninstall():
    """Put back the standard lzma module's own objects (no-op if install()
    was not called)."""
    global _saved
    if _saved is None:
        return
    module = sys.modules.get("lzma")
    if module is not None:
        for name, value in _saved.items():
            setattr(module, name, value)
    _saved = None


def installed():
    """True between install() and uninstall()."""
    return _saved is not None


def _lzma_module(api):
    module = sys.modules.get("lzma")
    if module is None:
        import lzma as module
    if module is api:
        raise ValueError("sys.modules['lzma'] is parxz.lzma already; "
                         "install() patches the standard module")
    return module
