from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "gaoqi.web.units"
    label = "units"
