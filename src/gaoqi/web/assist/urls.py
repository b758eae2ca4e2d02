from django.urls import path

from gaoqi.web.assist import views

app_name = "assist"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("plan/<str:uscc>/", views.plan, name="plan"),
]
