from django.apps import AppConfig


class ReviewSignalsConfig(AppConfig):
    name = "gaoqi.web.reviewsignals"
    label = "reviewsignals"
    verbose_name = "审查风险提示"
