from django.urls import path

from gaoqi.web.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:list_id>/", views.detail, name="detail"),
    path("<str:list_id>/export.xlsx", views.export, name="export"),
    path("memberships/<int:pk>/remove/", views.remove, name="remove"),
]
