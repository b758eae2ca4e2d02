from django.urls import path

from gaoqi.web.drafting import views

app_name = "drafting"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/try/", views.try_, name="try"),
    path("<int:pk>/act/", views.act, name="act"),
]
