from . import test_meter_expense_period
from . import test_access_rights
from . import test_meter_expense_statement
from . import test_meter_expense_inputs
from . import test_swiss_qr_bill
from . import test_ui_tour
from . import test_meter_expense_workflow_errors
