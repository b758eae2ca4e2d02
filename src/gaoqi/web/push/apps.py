from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "gaoqi.web.push"
    label = "push"
