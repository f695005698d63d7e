# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Charge point passwords: stored hashed (PBKDF2-SHA256), checked here.

Odoo keeps only ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` and hands
it to the central system, which checks the Basic auth password of a
connecting charge point against it; the clear password never leaves the form
it was typed in.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 120_000


def hash_password(password, salt=None, iterations=ITERATIONS):
    """The storable hash of ``password``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password, stored):
    """Whether ``password`` matches the ``stored`` hash (constant time)."""
    if not password or not stored:
        return False
    try:
        algorithm, iterations, salt, digest = stored.split("$")
        if algorithm != ALGORITHM:
            return False
        expected = hash_password(password, bytes.fromhex(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected.rsplit("$", 1)[1], digest)


def parse_basic_auth(header):
    """``(user, password)`` of an ``Authorization: Basic`` header, or None."""
    if not header:
        return None
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
