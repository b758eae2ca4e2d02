from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "gaoqi.web.assist"
    label = "assist"
    verbose_name = "智能助手"
