from . import portal
from . import prepaid
from . import documents
from . import solar
from . import usage
