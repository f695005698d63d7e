# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Security profile 3 (TLS with client certificates) and commands pushed by
Odoo's notification, on the real central system at 127.0.0.1."""

import asyncio
import datetime
import ssl

import pytest
import requests
import websockets
from meterkit.ocpp.api import Directory, OdooApi, Sender
from meterkit.ocpp.central import NOTIFY_PATH, CentralSystem
from meterkit.ocpp.security import certificate_identity, server_context
from meterkit.ocpp.store import Store
from ocpp_fakes import FakeOdoo, Station16, central_system, station, tls_boot

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

UTC = datetime.UTC


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(directory, stem, common_name, issuer=None, ca=False, ip=None):
    """A throw-away key and certificate (valid 2000-2099, whatever the
    clock), signed by ``issuer`` ``(cert, key)`` or self-signed; PEM files
    ``stem.crt`` and ``stem.key``. Returns ``(cert, key)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer[0].subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip:
        import ipaddress

        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
            critical=False,
        )
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    (directory / f"{stem}.crt").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
    )
    (directory / f"{stem}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


@pytest.fixture
def pki(tmp_path):
    """A CA, the central system's certificate for 127.0.0.1, client
    certificates of CP-1 and CP-2 from the CA, and a CP-1 certificate from a
    rogue CA."""
    ca = _issue(tmp_path, "ca", "Test OCPP CA", ca=True)
    _issue(tmp_path, "server", "127.0.0.1", issuer=ca, ip="127.0.0.1")
    _issue(tmp_path, "cp1", "CP-1", issuer=ca)
    _issue(tmp_path, "cp2", "CP-2", issuer=ca)
    rogue = _issue(tmp_path, "rogue-ca", "Rogue CA", ca=True)
    _issue(tmp_path, "rogue-cp1", "CP-1", issuer=rogue)
    return tmp_path


@pytest.fixture
def fake():
    server = FakeOdoo(["CP-1", "CP-2"], {"04A1B2C3": "active"})
    yield server
    server.close()


def _client(pki, stem=None):
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    if stem:
        context.load_cert_chain(pki / f"{stem}.crt", pki / f"{stem}.key")
    return context


def test_certificate_identity():
    assert certificate_identity({"subject": ((("commonName", "CP-7"),),)}) == "CP-7"
    assert certificate_identity({"subject": ((("organizationName", "X"),),)}) is None
    assert certificate_identity(None) is None


def test_security_profile_3_client_certificates(fake, pki, tmp_path, caplog):
    """CP-1 with its certificate from the CA boots without Basic auth; no
    certificate, a certificate of a rogue CA (both refused in the TLS
    handshake) and CP-2's certificate used as CP-1 (HTTP 401) are refused."""
    server_ctx = server_context(
        pki / "server.crt", pki / "server.key", client_ca=pki / "ca.crt"
    )

    async def scenario():
        outcomes = {}
        async with central_system(fake, tmp_path, server_ctx, relay=False) as central:
            assert central.client_certificates
            outcomes["cp1"] = await tls_boot(central.port, _client(pki, "cp1"))
            for stem in (None, "rogue-cp1", "cp2"):
                try:
                    outcomes[stem] = await tls_boot(central.port, _client(pki, stem))
                except websockets.InvalidStatus as error:
                    outcomes[stem] = error.response.status_code
                except (OSError, websockets.WebSocketException, EOFError) as error:
                    outcomes[stem] = type(error).__name__
        return outcomes

    with caplog.at_level("WARNING", "meterkit.ocpp.central"):
        outcomes = asyncio.run(scenario())
    assert outcomes["cp1"] == "Accepted"
    assert outcomes["cp2"] == 401
    assert outcomes[None] not in ("Accepted", 401), "refused by the handshake"
    assert outcomes["rogue-cp1"] not in ("Accepted", 401)
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1
    assert refusals[0].startswith("Charge point 'CP-1' refused: certificate of 'CP-2'")


def test_notification_pushes_commands(fake, tmp_path, caplog):
    """The commands are polled every hour only; Odoo's notification with the
    token from its config makes the central system poll at once and the
    remote stop reaches the charge point within seconds. A wrong token, a
    wrong path and a GET are refused and trigger nothing."""

    async def scenario():
        api = OdooApi(fake.url, "test-key", timeout=5)
        store = Store(str(tmp_path / "central.sqlite"))
        directory = Directory(api, ttl=0, min_refresh=0)
        central = CentralSystem(store, directory, Sender(store, api), api)
        port = await central.serve_notify("127.0.0.1", 0)
        directory.notify_port = port
        await directory.refresh(force=True)
        await central.serve("127.0.0.1", 0)
        poller = asyncio.create_task(central.run_commands(interval=3600))

        def notify(token, method="POST", path=NOTIFY_PATH):
            return requests.request(
                method,
                f"http://127.0.0.1:{port}{path}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            ).status_code

        try:
            async with station(Station16, central.port, "CP-1") as cp:
                await asyncio.sleep(0.2)  # the first poll found nothing
                fake.commands = [
                    {
                        "id": 7,
                        "charge_point": "CP-1",
                        "action": "remote_stop",
                        "params": {"transaction_id": 42},
                    }
                ]
                refused = [
                    await asyncio.to_thread(notify, "wrong"),
                    await asyncio.to_thread(notify, "notify-secret", "GET"),
                    await asyncio.to_thread(notify, "notify-secret", "POST", "/x"),
                ]
                await asyncio.sleep(0.5)
                before = cp.remote_stops
                accepted = await asyncio.to_thread(notify, "notify-secret")
                for _i in range(50):
                    if cp.remote_stops:
                        break
                    await asyncio.sleep(0.1)
                return (
                    fake.notify_port,
                    port,
                    refused,
                    before,
                    accepted,
                    cp.remote_stops,
                )
        finally:
            poller.cancel()
            await central.close()
            store.close()

    with caplog.at_level("WARNING", "meterkit.ocpp.central"):
        announced, port, refused, before, accepted, stops = asyncio.run(scenario())
    assert announced == port, "the central system announced its port to Odoo"
    assert refused == [401, 404, 404]
    assert before == (), "nothing polled before the notification"
    assert accepted == 202
    assert stops == (42,)
