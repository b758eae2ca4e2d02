from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gaoqi.web.evaluation"
    label = "evaluation"
