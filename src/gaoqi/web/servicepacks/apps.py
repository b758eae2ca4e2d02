from django.apps import AppConfig


class ServicepacksConfig(AppConfig):
    name = "gaoqi.web.servicepacks"
    label = "servicepacks"
    verbose_name = "服务包"
