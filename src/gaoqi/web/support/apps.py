from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "gaoqi.web.support"
    label = "support"
