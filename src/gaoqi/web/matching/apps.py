from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "gaoqi.web.matching"
    label = "matching"
    verbose_name = "供需对接"
