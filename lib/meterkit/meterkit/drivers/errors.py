# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors of the field-device drivers.

Decoders and clients raise only these (all are :class:`DriverError`, itself a
:class:`meterkit.MeterkitError`), each with a stable ``code``:

==================  ============================================================
class               codes
==================  ============================================================
FrameError          ``frame_empty``, ``frame_truncated``, ``frame_checksum``,
                    ``frame_malformed``, ``frame_unsupported``, ``frame_length``
TransportError      ``timeout``, ``connection``, ``http``
DeviceError         ``device_exception`` (Modbus exception reply; ``exception_code``
                    set), ``device_rpc`` (Shelly RPC error)
ConfigError         ``config`` (unknown map, bad address, bad data type)
==================  ============================================================
"""

from ..errors import MeterkitError

FRAME_EMPTY = "frame_empty"
FRAME_TRUNCATED = "frame_truncated"
FRAME_CHECKSUM = "frame_checksum"
FRAME_MALFORMED = "frame_malformed"
FRAME_UNSUPPORTED = "frame_unsupported"
FRAME_LENGTH = "frame_length"
TIMEOUT = "timeout"
CONNECTION = "connection"
HTTP = "http"
DEVICE_EXCEPTION = "device_exception"
DEVICE_RPC = "device_rpc"
CONFIG = "config"


class DriverError(MeterkitError):
    """A field-device problem. ``raw`` keeps the bytes or text received, if any."""

    def __init__(self, code, message, *, raw=None, exception_code=None):
        super().__init__(code, message)
        self.raw = raw
        self.exception_code = exception_code


class FrameError(DriverError):
    """Bytes or a response that cannot be decoded."""


class TransportError(DriverError):
    """No answer in time, refused or dropped connection, HTTP failure."""


class DeviceError(DriverError):
    """The device answered with an error (Modbus exception, RPC error)."""


class ConfigError(DriverError):
    """The driver was asked something impossible (unknown map, bad address)."""
