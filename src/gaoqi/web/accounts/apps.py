from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gaoqi.web.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from gaoqi.web.accounts import receivers  # noqa: F401  (login audit)
