from django.urls import path

from gaoqi.web.incubators import views

app_name = "incubators"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("export.xlsx", views.export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("<str:code>/", views.detail, name="detail"),
]
