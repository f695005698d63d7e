from . import (
    test_portal_access,
    test_portal_monthly_info,
    test_portal_prepaid,
    test_portal_scope,
    test_portal_submit,
    test_portal_sweep,
    test_ui_tour,
)
from . import test_portal_usage
