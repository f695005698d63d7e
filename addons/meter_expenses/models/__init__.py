from . import account_move
from . import meter_meter
from . import meter_expense_period
from . import meter_expense_section
from . import meter_expense_cost
from . import meter_expense_run
from . import meter_expense_statement
from . import meter_expense_statement_line
