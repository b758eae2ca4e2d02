from django.urls import path

from gaoqi.web.support import views

app_name = "support"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("records/new/", views.record_new, name="record_new"),
    path("mine/", views.mine, name="mine"),
    path("enterprises/<str:uscc>/", views.enterprise, name="enterprise"),
    path("enterprises/<str:uscc>/inform/", views.inform, name="inform"),
    path("enterprises/<str:uscc>/claim/", views.claim, name="claim"),
    path("quotas/", views.quotas, name="quotas"),
    path("quotas/set/", views.quota_set, name="quota_set"),
    path("quotas/<int:pk>/", views.quota_detail, name="quota_detail"),
    path("quotas/<int:pk>/tier/", views.tier_set, name="tier_set"),
    path("quotas/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("space/", views.space, name="space"),
    path("space/new/", views.space_new, name="space_new"),
    path("space/<int:pk>/", views.space_detail, name="space_detail"),
    path("space/<int:pk>/offer/", views.space_offer, name="space_offer"),
    path("space/<int:pk>/act/", views.space_act, name="space_act"),
    path("delivery/", views.delivery, name="delivery"),
    path("delivery/export.xlsx", views.delivery_export, name="delivery_export"),
]
