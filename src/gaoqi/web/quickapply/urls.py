from django.urls import path

from gaoqi.web.quickapply import views

app_name = "quickapply"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("queue/export/", views.export, name="export"),
    path("policy/<str:policy_id>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fill/", views.fill, name="fill"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:att>/", views.attachment, name="attachment"),
    path("<int:pk>/selfcheck/", views.selfcheck, name="selfcheck"),
    path("<int:pk>/act/", views.act, name="act"),
]
