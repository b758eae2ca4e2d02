from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "gaoqi.web.enterprises"
    label = "enterprises"
    verbose_name = "企业库"
