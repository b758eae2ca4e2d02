from django.urls import path

from gaoqi.web.push import views

app_name = "push"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.message, name="message"),
    path("settings/", views.settings_page, name="settings"),
    path("log/", views.log, name="log"),
    path("log/export.xlsx", views.export, name="export"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/start/", views.job_start, name="job_start"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/stop/", views.job_stop, name="job_stop"),
    path("jobs/<int:pk>/resume/", views.job_resume, name="job_resume"),
]
