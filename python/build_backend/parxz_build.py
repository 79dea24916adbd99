"""PEP 517 build backend for the parxz Python package, driving Bazel.

`pip install ./python` (pip builds in the source tree) calls build_wheel():
it builds //python:parxz with the repository's Bazel setup (offline, see
tools/setup.sh), then packs python/parxz/*.py and the built extension into a
wheel for the interpreter running pip. The extension is compiled against
Debian's Python 3.11 headers; CPython keeps its ABI stable within a minor
version, so any CPython 3.11 can load it, and the backend refuses others.
No sdist: the package is built from the repository, not from an archive.
"""
import base64
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import sysconfig
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
PYTHON_DIR = HERE.parent
TOP = PYTHON_DIR.parent
NAME = "parxz"
SUMMARY = ("The lzma module with threads: parallel .xz compression and "
           "decompression")


def _version():
    """The release number, from the one place the project keeps it."""
    text = (TOP / "VERSION").read_text()
    version = text.strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise RuntimeError(f"parxz_build: VERSION holds {version!r}")
    return version


def _tag():
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
        raise RuntimeError(
            "parxz_build: the extension is built for CPython 3.11; this is "
            f"{sys.implementation.name} {sys.version.split()[0]}")
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"cp311-cp311-{platform}"


def _bazel_build():
    """Builds the package with Bazel; returns the folder with the .so files."""
    env = dict(os.environ)
    # pip's isolated build environment must not leak into Bazel's Python
    # rules or tests.
    for key in ("PYTHONPATH", "PYTHONNOUSERSITE", "PYTHONHOME"):
        env.pop(key, None)
    subprocess.run(["bazel", "build", "-c", "opt", "//python:parxz"],
                   cwd=TOP, env=env, check=True, stdout=sys.stderr)
    out = subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"],
                         cwd=TOP, env=env, check=True, capture_output=True,
                         text=True).stdout.strip()
    return pathlib.Path(out) / "python" / "parxz"


def _metadata(version):
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {version}\n"
            f"Summary: {SUMMARY}\nRequires-Python: >=3.11,<3.12\n")


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return f"{arcname},sha256={digest.rstrip(b'=').decode()},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    version = _version()
    dist_info = f"{NAME}-{version}.dist-info"
    path = pathlib.Path(metadata_directory) / dist_info
    path.mkdir(parents=True, exist_ok=True)
    (path / "METADATA").write_text(_metadata(version))
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _version()
    tag = _tag()
    built = _bazel_build()
    files = {}
    for src in sorted((PYTHON_DIR / NAME).glob("*.py")):
        files[f"{NAME}/{src.name}"] = src.read_bytes()
    extensions = sorted(built.glob("*.so"))
    if not extensions:
        raise RuntimeError(f"parxz_build: no extension built under {built}")
    for so in extensions:
        files[f"{NAME}/{so.name}"] = so.read_bytes()
    # PARXZ_LZMA_THREADS support (parxz/_autoinstall.py): site runs it.
    pth = PYTHON_DIR / "parxz-lzma-threads.pth"
    files[pth.name] = pth.read_bytes()
    dist_info = f"{NAME}-{version}.dist-info"
    files[f"{dist_info}/METADATA"] = _metadata(version).encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: parxz_build\n"
        f"Root-Is-Purelib: false\nTag: {tag}\n").encode()
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    wheel_name = f"{NAME}-{version}-{tag}.whl"
    target = pathlib.Path(wheel_directory) / wheel_name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(info, data)
    return wheel_name
