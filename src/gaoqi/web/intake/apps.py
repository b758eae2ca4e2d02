from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "gaoqi.web.intake"
    label = "intake"
    verbose_name = "数据汇聚"
