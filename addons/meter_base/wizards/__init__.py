from . import meter_wizard_reopen
from . import meter_replace
from . import meter_replace_line
from . import meter_reading_correct
from . import meter_meter_import
from . import meter_reading_import
from . import meter_reading_export
from . import meter_reading_estimate
