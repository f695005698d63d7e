# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Make ``lib/meterkit`` importable without installing it."""

import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "lib" / "meterkit"
if str(LIB) not in sys.path:
    sys.path.insert(0, str(LIB))
