from django.urls import path

from gaoqi.web.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("rules/", views.rules, name="rules"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
]
