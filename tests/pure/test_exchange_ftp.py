# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit.exchange.ftp against a real FTP server on 127.0.0.1 (pyftpdlib)."""

import threading

import pytest
from meterkit import MeterkitError
from meterkit.exchange.ftp import FtpEndpoint

pyftpdlib = pytest.importorskip("pyftpdlib")
from pyftpdlib.authorizers import DummyAuthorizer  # noqa: E402
from pyftpdlib.handlers import FTPHandler  # noqa: E402
from pyftpdlib.servers import ThreadedFTPServer  # noqa: E402


@pytest.fixture
def server(tmp_path):
    authorizer = DummyAuthorizer()
    authorizer.add_user("meter", "secret", str(tmp_path), perm="elradfmw")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
    ftpd = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=ftpd.serve_forever, kwargs={"timeout": 0.1})
    thread.start()
    try:
        yield tmp_path, ftpd.address[1]
    finally:
        ftpd.close_all()
        thread.join(5)


def test_list_read_write_delete(server):
    root, port = server
    (root / "in").mkdir()
    (root / "in" / "a.xml").write_bytes(b"A")
    (root / "in" / "b.xlsx").write_bytes(b"B")
    endpoint = FtpEndpoint("127.0.0.1", port, "meter", "secret", timeout=5)
    with endpoint.connect() as session:
        assert session.expand("/in") == ["/in/a.xml", "/in/b.xlsx"]
        assert session.expand("/in/*.xml") == ["/in/a.xml"]
        assert session.expand("/in/a.xml") == ["/in/a.xml"]
        assert session.read("/in/a.xml") == b"A"
        session.write("/out.xml", b"OUT")
        session.delete("/in/a.xml")
    assert (root / "out.xml").read_bytes() == b"OUT"
    assert not (root / "out.xml.part").exists()
    assert not (root / "in" / "a.xml").exists()


def test_errors_name_the_server_and_file(server):
    root, port = server
    (root / "big.xml").write_bytes(b"x" * 100)
    with pytest.raises(
        MeterkitError, match=r"ftp://meter@127.0.0.1:\d+: cannot connect"
    ):
        FtpEndpoint("127.0.0.1", port, "meter", "wrong", timeout=5).connect()
    endpoint = FtpEndpoint(
        "127.0.0.1", port, "meter", "secret", timeout=5, max_bytes=10
    )
    with endpoint.connect() as session:
        with pytest.raises(MeterkitError, match="/missing.xml: 550"):
            session.read("/missing.xml")
        with pytest.raises(MeterkitError, match="/big.xml: larger than 10 bytes"):
            session.read("/big.xml")
