from django.urls import path

from gaoqi.web.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("export.xlsx", views.export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/explain/<str:policy_id>/", views.explain, name="explain"),
    path("<str:uscc>/reveal/", views.reveal, name="reveal"),
]
