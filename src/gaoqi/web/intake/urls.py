from django.urls import path

from gaoqi.web.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/quarantine.csv", views.quarantine_report, name="quarantine_report"),
    path("publish/", views.publish, name="publish"),
    path("progress/<int:pk>/", views.progress, name="progress"),
]
