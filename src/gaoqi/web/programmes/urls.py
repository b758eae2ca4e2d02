from django.urls import path

from gaoqi.web.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("recommendations/<int:pk>/confirm/", views.recommendation_confirm, name="recommendation_confirm"),
    path("recommendations/<int:pk>/decline/", views.recommendation_decline, name="recommendation_decline"),
    path("recommendations/<int:pk>/withdraw/", views.recommendation_withdraw, name="recommendation_withdraw"),
    path("<str:list_id>/", views.detail, name="detail"),
    path("<str:list_id>/export.xlsx", views.export, name="export"),
    path("<str:list_id>/funnel/", views.funnel, name="funnel"),
    path("<str:list_id>/funnel/export.xlsx", views.funnel_export, name="funnel_export"),
    path("<str:list_id>/recommendations/", views.recommendations, name="recommendations"),
    path("<str:list_id>/recommend/<str:uscc>/", views.recommend, name="recommend"),
    path("memberships/<int:pk>/remove/", views.remove, name="remove"),
]
