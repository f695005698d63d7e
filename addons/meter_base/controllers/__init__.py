from . import readings_api
