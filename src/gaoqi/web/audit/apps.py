from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gaoqi.web.audit"
    label = "audit"
    verbose_name = "审计"
