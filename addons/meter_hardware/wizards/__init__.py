from . import meter_gateway_assign
from . import meter_gateway_probe
from . import meter_supply_set
