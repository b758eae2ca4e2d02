from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "gaoqi.web.certification"
    label = "certification"
    verbose_name = "高企认定"
