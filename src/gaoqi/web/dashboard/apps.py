from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "gaoqi.web.dashboard"
    label = "dashboard"
