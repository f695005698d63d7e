from . import test_meter_occupancy
from . import test_meter_reading
from . import test_meter_reading_bulk
from . import test_meter_replace
from . import test_meter_meter_import
from . import test_meter_structure
from . import test_access_rights
from . import test_ui_tour
