from django.apps import AppConfig


class TechSmeConfig(AppConfig):
    name = "gaoqi.web.techsme"
    label = "techsme"
    verbose_name = "科技型中小企业评价"
