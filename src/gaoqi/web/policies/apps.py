from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "gaoqi.web.policies"
    label = "policies"
