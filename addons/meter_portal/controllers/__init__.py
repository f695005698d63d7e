from . import portal
from . import prepaid
from . import usage
