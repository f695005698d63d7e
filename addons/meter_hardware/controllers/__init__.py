from . import ocpp_api
