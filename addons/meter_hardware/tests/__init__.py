from . import test_access_rights
from . import test_alarms_relays
from . import test_commissioning
from . import test_polling
from . import test_ocpp
from . import test_wiring_checks
