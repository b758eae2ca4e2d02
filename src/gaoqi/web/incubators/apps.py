from django.apps import AppConfig


class IncubatorsConfig(AppConfig):
    name = "gaoqi.web.incubators"
    label = "incubators"
