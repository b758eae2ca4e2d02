from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "gaoqi.web.servicedesk"
    label = "servicedesk"
    verbose_name = "企业诉求与企业家服务日"
