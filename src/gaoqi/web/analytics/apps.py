from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "gaoqi.web.analytics"
    label = "analytics"
