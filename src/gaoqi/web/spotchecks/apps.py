from django.apps import AppConfig


class SpotchecksConfig(AppConfig):
    name = "gaoqi.web.spotchecks"
    label = "spotchecks"
