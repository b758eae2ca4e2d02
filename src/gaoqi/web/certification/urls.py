from django.urls import path

from gaoqi.web.certification import views

app_name = "certification"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("publicity/", views.publicity, name="publicity"),
    path("overdue/", views.overdue, name="overdue"),
    path("experts/", views.experts, name="experts"),
    path("notifications/", views.notifications, name="notifications"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("objections/<int:pk>/handle/", views.objection_handle, name="objection_handle"),
    path("post-checks/<int:pk>/", views.postcheck, name="postcheck"),
    path("certificates/<int:pk>/annual-report/", views.annual, name="annual"),
    path("certificates/<int:pk>/rename/", views.rename, name="rename"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/form/", views.edit, name="edit"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:att>/", views.attachment, name="attachment"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/selfcheck/", views.selfcheck, name="selfcheck"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/object/", views.object_, name="object"),
]
