# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import res_users
from . import res_config_settings
from . import meter_site
from . import meter_tou_calendar
from . import meter_tou_band
from . import meter_tou_season
from . import meter_tou_switch
from . import meter_tou_holiday
from . import meter_tariff
from . import meter_tariff_version
from . import meter_tariff_component
from . import meter_tariff_tier
from . import meter_billing_point
from . import meter_billing_point_tariff
from . import meter_billing_run
from . import meter_billing_result
from . import meter_billing_line
from . import account_move
from . import meter_interval
from . import meter_meter
from . import meter_prepaid_account
from . import meter_prepaid_move
from . import meter_prepaid_move_line
from . import meter_prepaid_reconciliation
from . import meter_prepaid_transaction
