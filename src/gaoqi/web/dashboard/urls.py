from django.urls import path

from gaoqi.web.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.home, name="home")]
