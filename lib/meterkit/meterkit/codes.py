# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stable validation and error codes.

Each code is a string equal to its constant's name in lower case. Codes are part of
the public interface: they are stored on readings and shown in import reports, so they
are never renamed. :data:`DESCRIPTIONS` gives a short human description of each one.
"""

NOT_NUMERIC = "not_numeric"
NEGATIVE_VALUE = "negative_value"
NEGATIVE_CONSUMPTION = "negative_consumption"
MISSING_PREVIOUS = "missing_previous"
EQUAL_READINGS = "equal_readings"
DUPLICATE_INSTANT = "duplicate_instant"
OUT_OF_ORDER = "out_of_order"
GAP_TOO_LONG = "gap_too_long"
BEFORE_COMMISSIONING = "before_commissioning"
ABOVE_ROLLOVER = "above_rollover"
ABOVE_CAPACITY = "above_capacity"
IN_THE_FUTURE = "in_the_future"
ROLLOVER_IMPLAUSIBLE = "rollover_implausible"
TOO_MANY_DECIMALS = "too_many_decimals"
NOT_INTEGER = "not_integer"
REPLACEMENT_WITHOUT_CLOSING = "replacement_without_closing"
ARCHIVED_METER = "archived_meter"
VIRTUAL_METER = "virtual_meter"
CLOSED_SITE = "closed_site"
BAD_REGISTER = "bad_register"
BAD_FILE = "bad_file"
INVALID_ARGUMENT = "invalid_argument"
# Tariffs and allocation.
ZERO_WEIGHTS = "zero_weights"
BAD_TARIFF = "bad_tariff"
BAD_CALENDAR = "bad_calendar"
NO_TARIFF_VERSION = "no_tariff_version"
MISSING_USAGE = "missing_usage"
# Ingestion (imports, gateways, the API): per-item result codes.
NOT_PARSABLE = "not_parsable"
UNKNOWN_METER = "unknown_meter"
CONFLICTING_VALUE = "conflicting_value"
CONFLICTING_DUPLICATE = "conflicting_duplicate"

# Reading governance: rules, verification, anomalies, data quality.
OUTSIDE_WINDOW = "outside_window"
VERIFICATION_EXPIRED = "verification_expired"
READINGS_DISABLED = "readings_disabled"
CONSUMPTION_SPIKE = "consumption_spike"
ABOVE_LIMIT = "above_limit"
BELOW_LIMIT = "below_limit"
BALANCE_MISMATCH = "balance_mismatch"

DESCRIPTIONS = {
    NOT_NUMERIC: "The value is not a number.",
    NEGATIVE_VALUE: "A meter reading cannot be negative.",
    NEGATIVE_CONSUMPTION: (
        "The reading is lower than the previous one and no rollover or meter "
        "replacement was recorded."
    ),
    MISSING_PREVIOUS: "There is no previous reading to compute the consumption from.",
    EQUAL_READINGS: "The reading equals the previous one: no consumption.",
    DUPLICATE_INSTANT: "Two readings were taken at the same instant.",
    OUT_OF_ORDER: "The instants are not in chronological order.",
    GAP_TOO_LONG: "Too much time has passed since the previous reading.",
    BEFORE_COMMISSIONING: "The reading was taken before the meter was commissioned.",
    ABOVE_ROLLOVER: "The value is at or above the meter's rollover value.",
    ABOVE_CAPACITY: (
        "The value is at or above the largest value a register of this resource "
        "can hold."
    ),
    IN_THE_FUTURE: "The reading is dated later than now.",
    ROLLOVER_IMPLAUSIBLE: (
        "A rollover was recorded, but the meter has no rollover value or the "
        "reading did not go down."
    ),
    TOO_MANY_DECIMALS: "The value has more decimal places than allowed.",
    NOT_INTEGER: "The value must be a whole number.",
    REPLACEMENT_WITHOUT_CLOSING: (
        "A replacement meter was opened without a closing reading of the old meter."
    ),
    ARCHIVED_METER: "The reading was taken after the meter was archived.",
    VIRTUAL_METER: "A virtual meter is computed from others and takes no readings.",
    CLOSED_SITE: "The meter's site is closed and takes no readings.",
    BAD_REGISTER: "The register does not exist on this meter.",
    BAD_FILE: "The file cannot be read.",
    INVALID_ARGUMENT: "An argument given to meterkit is out of its allowed range.",
    ZERO_WEIGHTS: "There is nothing to allocate to: every weight is 0.",
    BAD_TARIFF: "The tariff or one of its components is incomplete or inconsistent.",
    BAD_CALENDAR: "The time-of-use calendar is incomplete or inconsistent.",
    NO_TARIFF_VERSION: "No tariff version is valid on this date.",
    MISSING_USAGE: "The consumption, demand or area the tariff needs is missing.",
    NOT_PARSABLE: "The row cannot be read: a field is missing or has the wrong type.",
    UNKNOWN_METER: "No meter with this key exists in the sites the user can access.",
    CONFLICTING_VALUE: (
        "Another value is already stored for this meter, register and instant."
    ),
    CONFLICTING_DUPLICATE: (
        "The batch holds two different values for one meter, register and instant."
    ),
    OUTSIDE_WINDOW: "The reading falls outside the submission window of its rule.",
    VERIFICATION_EXPIRED: (
        "The meter's verification has expired and its rule refuses its readings."
    ),
    READINGS_DISABLED: "The rule of this resource accepts no readings.",
    CONSUMPTION_SPIKE: (
        "The consumption is far above the average monthly consumption of the last "
        "three months."
    ),
    ABOVE_LIMIT: "The consumption is above the upper limit of its rule.",
    BELOW_LIMIT: "The consumption is below the lower limit of its rule.",
    BALANCE_MISMATCH: (
        "The consumption of a main meter and the sum of its sub-meters differ by "
        "more than the tolerance."
    ),
}
