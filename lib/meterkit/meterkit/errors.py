# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exceptions raised by meterkit.

Every error carries a stable ``code`` (see :mod:`meterkit.codes`) so that callers can
translate or count errors without parsing messages, plus the ``field`` and ``row`` it
concerns when known.
"""


class MeterkitError(ValueError):
    """A problem with the data or arguments given to meterkit.

    :param code: stable code from :mod:`meterkit.codes`.
    :param message: human-readable message, returned by ``str()``.
    :param field: name of the field or column concerned, if any.
    :param row: 1-based line or row number concerned, if any.
    """

    def __init__(self, code, message, *, field=None, row=None):
        super().__init__(message)
        self.code: str = code
        self.message: str = message
        self.field: str | None = field
        self.row: int | None = row

    def __str__(self):
        return self.message

    def __reduce__(self):
        """Keep the keyword attributes when pickled (e.g. across processes)."""
        return (_rebuild, (type(self), self.code, self.message, self.field, self.row))


class ReadingError(MeterkitError):
    """A reading value or a pair of readings that cannot be accepted."""


class AllocationError(MeterkitError):
    """An amount that cannot be split as asked (e.g. all weights are 0)."""


class TariffError(MeterkitError):
    """A tariff, a time-of-use calendar or a usage that cannot be evaluated."""


def _rebuild(cls, code, message, field, row):
    return cls(code, message, field=field, row=row)
