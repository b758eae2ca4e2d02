from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "gaoqi.web.drafting"
    label = "drafting"
    verbose_name = "政策沙盘"
