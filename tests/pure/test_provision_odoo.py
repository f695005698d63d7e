# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""scripts/provision_odoo.py: the order of the sources, archives that are
wrong, corrupt, not 19.0 or hostile, and nothing half-unpacked left behind."""

import http.server
import importlib.util
import io
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "provision_odoo.py"
spec = importlib.util.spec_from_file_location("provision_odoo", SCRIPT)
prov = importlib.util.module_from_spec(spec)
spec.loader.exec_module(prov)

RELEASE = (
    "version_info = ({major}, {minor}, 0, 'final', 0)\nversion = '{major}.{minor}'\n"
)


def tree_files(top="odoo-19.0", major=19, minor=0):
    return {
        f"{top}/odoo-bin": "#!/usr/bin/env python3\n",
        f"{top}/odoo/release.py": RELEASE.format(major=major, minor=minor),
        f"{top}/requirements.txt": "lxml\n",
    }


def make_tar(path, files, mode="w:gz"):
    with tarfile.open(path, mode) as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith("odoo-bin") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return str(path)


def make_zip(path, files):
    with zipfile.ZipFile(path, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
    return str(path)


def leftovers(local):
    home = Path(local) / "odoo"
    return sorted(p.name for p in home.iterdir()) if home.exists() else []


@pytest.fixture
def no_importable(monkeypatch):
    def refuse():
        raise prov.ProvisionError("cannot import odoo (test)")

    monkeypatch.setattr(prov, "importable_root", refuse)


@pytest.mark.parametrize(
    ("maker", "suffix", "mode"),
    [
        (make_tar, "tar.gz", "w:gz"),
        (make_tar, "tar.xz", "w:xz"),
        (make_tar, "tar.bz2", "w:bz2"),
        (make_zip, "zip", None),
    ],
)
def test_archive_unpacked_once(tmp_path, maker, suffix, mode):
    args = (tmp_path / f"odoo.{suffix}", tree_files())
    archive = maker(*args, mode) if mode else maker(*args)
    local = tmp_path / "local"
    root = prov.unpack(archive, str(local))
    assert Path(root, "odoo-bin").is_file()
    assert os.access(Path(root, "odoo-bin"), os.X_OK)
    assert prov.tree_version(root) == (19, 0)
    # a second provisioning reuses the tree: nothing is unpacked again
    Path(root, "marker-of-first-unpack").write_text("x")
    assert prov.unpack(archive, str(local)) == root
    assert Path(root, "marker-of-first-unpack").exists()
    assert len(leftovers(local)) == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (tree_files("odoo-18.0", 18, 0), "holds Odoo 18.0, not 19.0"),
        (tree_files("odoo-20.0", 20, 0), "holds Odoo 20.0, not 19.0"),
        ({"something/README": "hi"}, "no Odoo source tree"),
        ({"odoo-19.0/odoo-bin": "x"}, "not an Odoo source tree"),
        (
            {"odoo-19.0/odoo-bin": "x", "odoo-19.0/odoo/release.py": "x = 1\n"},
            "names no version_info",
        ),
    ],
)
def test_wrong_archives_leave_nothing(tmp_path, files, message):
    archive = make_tar(tmp_path / "odoo.tar.gz", files)
    local = tmp_path / "local"
    with pytest.raises(prov.ProvisionError, match=message):
        prov.unpack(archive, str(local))
    assert leftovers(local) == []


def test_corrupt_archive(tmp_path):
    good = make_tar(tmp_path / "good.tar.xz", tree_files(), "w:xz")
    corrupt = tmp_path / "corrupt.tar.xz"
    corrupt.write_bytes(Path(good).read_bytes()[:100])
    local = tmp_path / "local"
    with pytest.raises(prov.ProvisionError, match="not a readable tar or zip"):
        prov.unpack(str(corrupt), str(local))
    assert leftovers(local) == []


def test_not_an_archive(tmp_path):
    junk = tmp_path / "odoo.zip"
    junk.write_text("hello")
    with pytest.raises(prov.ProvisionError, match="not a readable tar or zip"):
        prov.unpack(str(junk), str(tmp_path / "local"))


def test_missing_archive(tmp_path):
    with pytest.raises(prov.ProvisionError, match="does not exist"):
        prov.unpack(str(tmp_path / "nope.tar.gz"), str(tmp_path / "local"))


@pytest.mark.parametrize("maker", [make_tar, make_zip])
def test_members_escaping_the_folder_are_refused(tmp_path, maker):
    files = {**tree_files(), "../../evil.txt": "owned"}
    archive = maker(tmp_path / ("x.zip" if maker is make_zip else "x.tar.gz"), files)
    local = tmp_path / "deep" / "local"
    with pytest.raises(prov.ProvisionError):
        prov.unpack(archive, str(local))
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "deep" / "evil.txt").exists()
    assert leftovers(local) == []


def test_order_src_before_archive(tmp_path, no_importable):
    archive = make_tar(tmp_path / "odoo.tar.gz", tree_files())
    src = tmp_path / "src"
    for name, text in tree_files().items():
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {"ODOO_SRC": str(src / "odoo-19.0"), "ODOO_ARCHIVE": archive}
    root, label, tried = prov.provision(str(tmp_path / "local"), env)
    assert root == str(src / "odoo-19.0")
    assert label.startswith("ODOO_SRC=")
    assert tried == ["an Odoo 19 importable by " + prov.sys.executable
                     + ": cannot import odoo (test)"]  # fmt: skip


def test_bad_src_falls_through_to_archive(tmp_path, no_importable):
    archive = make_tar(tmp_path / "odoo.tar.gz", tree_files())
    env = {"ODOO_SRC": str(tmp_path / "missing"), "ODOO_ARCHIVE": archive}
    root, label, tried = prov.provision(str(tmp_path / "local"), env)
    assert label == f"ODOO_ARCHIVE={archive}"
    assert prov.tree_version(root) == (19, 0)
    assert "is not an Odoo source tree" in tried[1]


def test_everything_fails_in_order(tmp_path, no_importable):
    env = {"ODOO_NO_DOWNLOAD": "1"}
    root, label, tried = prov.provision(str(tmp_path / "local"), env)
    assert root is None and label is None
    assert [line.split(":")[0] for line in tried] == [
        "an Odoo 19 importable by " + prov.sys.executable,
        "ODOO_SRC",
        "ODOO_ARCHIVE",
        f"a tree unpacked before in {tmp_path / 'local'}",
        "Odoo's official archive https",
    ]
    assert tried[-1].endswith("disabled by ODOO_NO_DOWNLOAD")


def test_a_tree_unpacked_before_needs_no_variable(tmp_path, no_importable):
    """Once an archive was unpacked, the next run finds it without
    ODOO_ARCHIVE and without the network."""
    archive = make_tar(tmp_path / "odoo.tar.gz", tree_files())
    local = str(tmp_path / "local")
    first, _label, _tried = prov.provision(local, {"ODOO_ARCHIVE": archive})
    root, label, _tried = prov.provision(local, {"ODOO_NO_DOWNLOAD": "1"})
    assert root == first
    assert label.startswith("a tree unpacked before")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_dir(tmp_path):
    served = tmp_path / "served"
    served.mkdir()

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(served), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_url(tmp_path, http_dir, no_importable):
    served, base = http_dir
    make_tar(served / "odoo_19.0.latest.tar.gz", tree_files("odoo-19.0.post20261201"))
    env = {"ODOO_DOWNLOAD_URL": f"{base}/odoo_19.0.latest.tar.gz"}
    local = tmp_path / "local"
    root, label, _tried = prov.provision(str(local), env)
    assert root.endswith("odoo-19.0.post20261201")
    assert label.startswith("Odoo's official archive http://127.0.0.1")
    assert (local / "downloads" / "odoo_19.0.latest.tar.gz").is_file()


def test_download_missing_leaves_no_part_file(tmp_path, http_dir, no_importable):
    _served, base = http_dir
    local = tmp_path / "local"
    env = {"ODOO_ARCHIVE": f"{base}/missing.tar.gz", "ODOO_NO_DOWNLOAD": "1"}
    root, _label, tried = prov.provision(str(local), env)
    assert root is None
    assert "cannot download" in tried[2] and "404" in tried[2]
    assert list((local / "downloads").iterdir()) == []
