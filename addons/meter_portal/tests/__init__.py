from . import (
    test_portal_access,
    test_portal_documents,
    test_portal_monthly_info,
    test_portal_monthly_notice,
    test_portal_prepaid,
    test_portal_prepaid_relay,
    test_portal_scope,
    test_portal_smtp,
    test_portal_speed,
    test_portal_solar,
    test_portal_submit,
    test_portal_sweep,
    test_ui_tour,
    test_ui_tour_onboarding,
    test_ui_tour_top_up,
)
from . import test_portal_usage
