# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OCPP security profiles on the central system's side.

- Profile 1: Basic auth over ``ws://`` (``credentials``).
- Profile 2: Basic auth over TLS: :func:`server_context` with the central
  system's certificate.
- Profile 3: TLS with client certificates: :func:`server_context` with the
  CA that signs the charge points' certificates; the handshake refuses a
  charge point without a certificate of that CA, and
  :func:`certificate_identity` reads the identity (the subject's common
  name, OCPP 2.0.1 Part 2 A00.FR.4xx) that must match the identity in the
  URL. No Basic auth is asked then.
"""

import ssl


def server_context(certfile, keyfile=None, client_ca=None):
    """The TLS context of the websockets server (TLS 1.2 at least).

    :param client_ca: PEM of the CA(s) of the charge points' certificates:
        security profile 3 (a client certificate is required).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=client_ca)
    return context


def certificate_identity(peercert):
    """The common name of the subject of a verified peer certificate (the
    dict of ``SSLSocket.getpeercert()``), or None."""
    for rdn in (peercert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None
