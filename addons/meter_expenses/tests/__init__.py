from . import test_meter_expense_period
from . import test_access_rights
from . import test_meter_expense_statement
from . import test_meter_expense_inputs
