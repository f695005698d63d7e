from . import test_meter_billing_run
from . import test_meter_billing_reliability
from . import test_access_rights
from . import test_meter_interval
from . import test_meter_billing_move
from . import test_meter_billing_common
from . import test_ui_tour
from . import test_site_boundaries
