# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OCPP central system (1.6J and 2.0.1) beside Odoo.

A long-lived asyncio service: charge points connect over websockets
(``ws[s]://host:port/<identity>``, HTTP Basic auth per charge point, OCPP
security profiles 1 and 2); their sessions and meter values go to Odoo through
an authenticated, idempotent HTTP API, buffered in a local SQLite outbox while
Odoo is unreachable. Commands from Odoo (remote start and stop, availability,
reset) are polled from the same API. Run with ``python -m meterkit.ocpp.central``.
"""

from .credentials import hash_password, parse_basic_auth, verify_password
from .store import Store

__all__ = ["Store", "hash_password", "parse_basic_auth", "verify_password"]
