from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "gaoqi.web.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"
