from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gaoqi.web.core"
    label = "core"
    verbose_name = "平台公共机制"
