from django.urls import path

from gaoqi.web.techsme import views

app_name = "techsme"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("start/", views.start, name="start"),
    path("queue/", views.queue, name="queue"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("publicity/", views.publicity, name="publicity"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fill/", views.fill, name="fill"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/selfcheck/", views.selfcheck, name="selfcheck"),
    path("<int:pk>/act/", views.act, name="act"),
]
