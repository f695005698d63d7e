from . import (
    meter_portal_scope_mixin,
    meter_portal_periods_source,
    meter_portal_access,
    meter_portal_nickname,
    meter_portal_monthly_info,
    meter_portal_monthly_notice,
    meter_building,
    meter_expense_statement,
    meter_meter,
    meter_occupancy,
    meter_prepaid_account,
    meter_reading,
    meter_site,
    meter_unit,
    res_company,
)
from . import meter_usage_session
