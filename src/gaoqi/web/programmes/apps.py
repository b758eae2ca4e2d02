from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "gaoqi.web.programmes"
    label = "programmes"
