#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Find or provision the Odoo 19.0 Community source tree the scripts run.

Called by ``scripts/common.sh`` with the base interpreter (no third-party
package needed). The sources are tried in this order, the first that works wins:

1. an Odoo 19.0 importable by this interpreter;
2. ``ODOO_SRC``: a source tree (a checkout or an unpacked source archive);
3. ``ODOO_ARCHIVE``: a path or URL of an Odoo 19.0 Community source archive
   (.tar.gz, .tgz, .tar.xz, .tar.bz2 or .zip), unpacked once into
   ``.local/odoo/<sha256 prefix>/``;
4. a tree an earlier run unpacked into ``.local/odoo/`` (the newest), so that
   once provisioned the commands need neither variable nor network;
5. Odoo's official 19.0 source archive (``ODOO_DOWNLOAD_URL`` overrides it),
   downloaded into ``.local/downloads/`` and unpacked the same way.

On success prints three ``KEY=value`` lines (``ODOO_ROOT``, ``ODOO_VERSION``,
``ODOO_FROM``) and exits 0. Otherwise prints what it tried and how to provide
Odoo, and exits 1. An archive is unpacked into a temporary folder that is only
renamed into place once its version has been checked, so a corrupt or wrong
archive never leaves a half-unpacked tree behind.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

OFFICIAL_URL = "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
WANTED = (19, 0)
MARKER = ".meter-suite-odoo"
VERSION_RE = re.compile(r"^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)", re.MULTILINE)


class ProvisionError(Exception):
    """One source did not give a usable Odoo 19.0; the message says why."""


def tree_version(root):
    """(major, minor) of the Odoo source tree at ``root``, read from release.py."""
    release = os.path.join(root, "odoo", "release.py")
    if not os.path.isfile(os.path.join(root, "odoo-bin")) or not os.path.isfile(
        release
    ):
        raise ProvisionError(f"{root} is not an Odoo source tree (no odoo-bin)")
    with open(release, encoding="utf-8") as handle:
        match = VERSION_RE.search(handle.read())
    if not match:
        raise ProvisionError(f"{release} names no version_info")
    return int(match.group(1)), int(match.group(2))


def check_tree(root):
    """The absolute root of an Odoo 19.0 tree, or ProvisionError."""
    root = os.path.abspath(root)
    version = tree_version(root)
    if version != WANTED:
        raise ProvisionError(f"{root} holds Odoo {version[0]}.{version[1]}, not 19.0")
    return root


def importable_root():
    """The tree of an Odoo importable by this interpreter, if it is 19.0."""
    try:
        import odoo.release  # noqa: PLC0415 - optional, probed on purpose
    except ImportError as exc:
        raise ProvisionError(f"{sys.executable} cannot import odoo") from exc
    version = tuple(odoo.release.version_info[:2])
    if version != WANTED:
        raise ProvisionError(
            f"{sys.executable} imports Odoo {version[0]}.{version[1]}, not 19.0"
        )
    root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__)))
    if not os.path.isfile(os.path.join(root, "odoo-bin")):
        raise ProvisionError(
            f"the importable Odoo 19.0 at {root} has no odoo-bin beside it"
        )
    return root


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_member(name, dest):
    target = os.path.realpath(os.path.join(dest, name))
    return target == dest or target.startswith(dest + os.sep)


def extract(archive, dest):
    """Unpack a tar or zip archive into ``dest``, refusing paths that escape it."""
    dest = os.path.realpath(dest)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if not _safe_member(name, dest):
                    raise ProvisionError(
                        f"{archive}: member {name!r} leaves the archive"
                    )
            zipped.extractall(dest)
        _restore_odoo_bin_mode(dest)
        return
    try:
        with tarfile.open(archive) as tarred:
            tarred.extractall(dest, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ProvisionError(
            f"{archive} is not a readable tar or zip archive ({exc})"
        ) from exc


def _restore_odoo_bin_mode(dest):
    for entry in os.scandir(dest):
        candidate = os.path.join(entry.path, "odoo-bin")
        if entry.is_dir() and os.path.isfile(candidate):
            os.chmod(candidate, 0o755)


def find_root(folder):
    """The folder holding odoo-bin: ``folder`` itself or one level below."""
    if os.path.isfile(os.path.join(folder, "odoo-bin")):
        return folder
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "odoo-bin")):
            return entry.path
    raise ProvisionError("the archive holds no Odoo source tree (no odoo-bin)")


def unpack(archive, local):
    """Unpack ``archive`` once into ``local/odoo/<sha>``; return the tree root."""
    if not os.path.isfile(archive):
        raise ProvisionError(f"{archive} does not exist")
    key = sha256_of(archive)[:16]
    home = os.path.join(local, "odoo")
    final = os.path.join(home, key)
    if os.path.isfile(os.path.join(final, MARKER)):
        with open(os.path.join(final, MARKER), encoding="utf-8") as handle:
            return check_tree(handle.read().strip())
    os.makedirs(home, exist_ok=True)
    shutil.rmtree(final, ignore_errors=True)
    tmp = tempfile.mkdtemp(prefix=".unpack-", dir=home)
    try:
        print(f"unpacking {archive} into {final}", file=sys.stderr)
        extract(archive, tmp)
        root = find_root(tmp)
        version = tree_version(root)
        if version != WANTED:
            raise ProvisionError(
                f"{archive} holds Odoo {version[0]}.{version[1]}, not 19.0"
            )
        os.rename(tmp, final)
        root = os.path.join(final, os.path.relpath(root, tmp))
        with open(os.path.join(final, MARKER), "w", encoding="utf-8") as handle:
            handle.write(root + "\n")
        return root
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def provisioned_before(local):
    """The newest tree an earlier run unpacked into ``local/odoo``."""
    home = os.path.join(local, "odoo")
    markers = []
    if os.path.isdir(home):
        for entry in os.scandir(home):
            marker = os.path.join(entry.path, MARKER)
            if entry.is_dir() and os.path.isfile(marker):
                markers.append((os.path.getmtime(marker), marker))
    for _mtime, marker in sorted(markers, reverse=True):
        with open(marker, encoding="utf-8") as handle:
            root = handle.read().strip()
        try:
            return check_tree(root)
        except ProvisionError:
            continue
    raise ProvisionError(f"no tree unpacked before in {home}")


def download(url, local):
    """Download ``url`` into ``local/downloads`` (once); return the file's path."""
    folder = os.path.join(local, "downloads")
    os.makedirs(folder, exist_ok=True)
    name = os.path.basename(url.split("?")[0]) or "odoo-19.0.tar.gz"
    path = os.path.join(folder, name)
    if os.path.isfile(path):
        return path
    part = path + ".part"
    print(f"downloading {url}", file=sys.stderr)
    try:
        with (
            urllib.request.urlopen(url, timeout=30) as response,  # noqa: S310
            open(part, "wb") as handle,
        ):
            shutil.copyfileobj(response, handle, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if os.path.exists(part):
            os.unlink(part)
        raise ProvisionError(f"cannot download {url} ({exc})") from exc
    os.rename(part, path)
    return path


def from_archive(spec, local):
    if re.match(r"^(https?|ftp)://", spec):
        spec = download(spec, local)
    return unpack(os.path.abspath(spec), local)


def provision(local, environ=None):
    """Try every source in order; return (root, where it came from, tried)."""
    environ = os.environ if environ is None else environ
    src = environ.get("ODOO_SRC")
    arc = environ.get("ODOO_ARCHIVE")
    url = environ.get("ODOO_DOWNLOAD_URL") or OFFICIAL_URL
    steps = [
        ("an Odoo 19 importable by " + sys.executable, importable_root, None),
        (f"ODOO_SRC={src}", lambda: check_tree(src), None if src else "not set"),
        (
            f"ODOO_ARCHIVE={arc}",
            lambda: from_archive(arc, local),
            None if arc else "not set",
        ),
        (f"a tree unpacked before in {local}", lambda: provisioned_before(local), None),
        (
            f"Odoo's official archive {url}",
            lambda: from_archive(url, local),
            "disabled by ODOO_NO_DOWNLOAD" if environ.get("ODOO_NO_DOWNLOAD") else None,
        ),
    ]
    tried = []
    for label, step, skipped in steps:
        if skipped:
            tried.append(f"{label.split('=')[0]}: {skipped}")
            continue
        try:
            return step(), label, tried
        except ProvisionError as exc:
            tried.append(f"{label}: {exc}")
    return None, None, tried


HELP = """Provide Odoo 19.0 Community in one of these ways, then run the command again:
  ODOO_SRC=/path/to/odoo-19.0 ./scripts/run
      a source tree (a git checkout or an unpacked source archive);
  ODOO_ARCHIVE=/path/or/url/odoo-19.0.tar.gz ./scripts/run
      an official 19.0 source archive (.tar.gz, .tar.xz or .zip);
  or let the scripts download Odoo's official 19.0 archive (needs Odoo's site)."""


def main():
    local = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.getcwd(), ".local")
    root, label, tried = provision(local)
    if root is None:
        print(
            "!!! No Odoo 19.0 could be provisioned. Tried, in order:", file=sys.stderr
        )
        for line in tried:
            print(f"    - {line}", file=sys.stderr)
        print(HELP, file=sys.stderr)
        return 1
    version = (
        subprocess.run(  # the version the tree says of itself, printed
            [sys.executable, "-c", "import odoo.release as r; print(r.version)"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": root},
        ).stdout.strip()
        or "19.0"
    )
    print(f"ODOO_ROOT={root}")
    print(f"ODOO_VERSION={version}")
    print(f"ODOO_FROM={label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
