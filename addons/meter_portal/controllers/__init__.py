from . import portal
from . import prepaid
