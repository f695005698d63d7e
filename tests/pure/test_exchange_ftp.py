# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit.exchange.ftp against a real FTP server on 127.0.0.1 (pyftpdlib)."""

import datetime
import threading

import pytest
from meterkit import MeterkitError
from meterkit.exchange.ftp import FtpEndpoint

pyftpdlib = pytest.importorskip("pyftpdlib")
from pyftpdlib.authorizers import DummyAuthorizer  # noqa: E402
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler  # noqa: E402
from pyftpdlib.servers import ThreadedFTPServer  # noqa: E402


def self_signed(directory):
    """A throw-away certificate and key for 127.0.0.1, in one PEM file."""
    crypto = pytest.importorskip("cryptography")
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # Valid whatever the clock says (no test may depend on the day it runs).
    utc = datetime.timezone.utc
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=utc))
        .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=utc))
        .sign(key, hashes.SHA256())
    )
    path = directory / "cert.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path


@pytest.fixture(params=["ftp", "ftps"])
def server(tmp_path, request):
    authorizer = DummyAuthorizer()
    root = tmp_path / "root"
    root.mkdir()
    authorizer.add_user("meter", "secret", str(root), perm="elradfmw")
    attrs = {"authorizer": authorizer}
    base = FTPHandler
    if request.param == "ftps":
        attrs.update(certfile=str(self_signed(tmp_path)), tls_control_required=True)
        attrs.update(tls_data_required=True)
        base = TLS_FTPHandler
    handler = type("Handler", (base,), attrs)
    ftpd = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=ftpd.serve_forever, kwargs={"timeout": 0.1})
    thread.start()
    try:
        yield root, ftpd.address[1], request.param == "ftps"
    finally:
        ftpd.close_all()
        thread.join(5)


def test_list_read_write_delete(server):
    root, port, tls = server
    (root / "in").mkdir()
    (root / "in" / "a.xml").write_bytes(b"A")
    (root / "in" / "b.xlsx").write_bytes(b"B")
    endpoint = FtpEndpoint(
        "127.0.0.1", port, "meter", "secret", tls=tls, verify=False, timeout=5
    )
    with endpoint.connect() as session:
        assert session.expand("/in") == ["/in/a.xml", "/in/b.xlsx"]
        assert session.expand("/in/*.xml") == ["/in/a.xml"]
        assert session.expand("/in/a.xml") == ["/in/a.xml"]
        assert session.expand("in") == ["in/a.xml", "in/b.xlsx"]
        assert session.expand("in/*.xlsx") == ["in/b.xlsx"]
        assert session.read("/in/a.xml") == b"A"
        session.write("/out.xml", b"OUT")
        session.delete("/in/a.xml")
    assert (root / "out.xml").read_bytes() == b"OUT"
    assert not (root / "out.xml.part").exists()
    assert not (root / "in" / "a.xml").exists()


def test_errors_name_the_server_and_file(server):
    root, port, tls = server
    (root / "big.xml").write_bytes(b"x" * 100)
    options = {"tls": tls, "verify": False, "timeout": 5}
    with pytest.raises(MeterkitError, match=r"ftps?://meter@127.0.0.1:\d+: cannot"):
        FtpEndpoint("127.0.0.1", port, "meter", "wrong", **options).connect()
    endpoint = FtpEndpoint(
        "127.0.0.1", port, "meter", "secret", max_bytes=10, **options
    )
    with endpoint.connect() as session:
        with pytest.raises(MeterkitError, match="/missing.xml: 550"):
            session.read("/missing.xml")
        with pytest.raises(MeterkitError, match="/big.xml: larger than 10 bytes"):
            session.read("/big.xml")


def test_ftps_refuses_an_unverified_certificate(tmp_path):
    certfile = self_signed(tmp_path)
    authorizer = DummyAuthorizer()
    authorizer.add_user("meter", "secret", str(tmp_path), perm="elr")
    handler = type(
        "Handler",
        (TLS_FTPHandler,),
        {"authorizer": authorizer, "certfile": str(certfile)},
    )
    ftpd = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=ftpd.serve_forever, kwargs={"timeout": 0.1})
    thread.start()
    try:
        endpoint = FtpEndpoint(
            "127.0.0.1", ftpd.address[1], "meter", "secret", tls=True
        )
        with pytest.raises(MeterkitError, match="CERTIFICATE_VERIFY_FAILED"):
            endpoint.connect()
    finally:
        ftpd.close_all()
        thread.join(5)
