from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gaoqi.web.benefits"
    label = "benefits"
