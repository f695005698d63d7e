# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import meter_billing_move
from . import meter_billing_move_line
from . import meter_tariff_simulate
from . import meter_tariff_simulate_line
from . import meter_interval_import
from . import meter_replace
from . import meter_prepaid_payment
from . import meter_prepaid_apportion
from . import meter_prepaid_backbill
from . import meter_prepaid_import
