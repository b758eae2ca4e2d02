from django.urls import path

from gaoqi.web.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("simulate/", views.simulate, name="simulate"),
    path("<str:policy_id>/", views.detail, name="detail"),
    path("<str:policy_id>/enterprises/", views.enterprises, name="enterprises"),
]
