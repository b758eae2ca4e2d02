from django.urls import path

from gaoqi.web.servicedesk import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("queue/export/", views.export, name="export"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("days/", views.days, name="days"),
    path("days/new/", views.day_create, name="day_create"),
    path("days/<int:pk>/", views.day, name="day"),
    path("days/<int:pk>/attendance/", views.day_attendance, name="day_attendance"),
    path("days/<int:pk>/followup/", views.day_followup, name="day_followup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
]
