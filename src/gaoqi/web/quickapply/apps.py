from django.apps import AppConfig


class QuickApplyConfig(AppConfig):
    name = "gaoqi.web.quickapply"
    label = "quickapply"
    verbose_name = "快申快享"
