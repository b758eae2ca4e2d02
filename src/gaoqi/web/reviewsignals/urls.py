from django.urls import path

from gaoqi.web.reviewsignals import views

app_name = "reviewsignals"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("<int:pk>/conclude/", views.conclude, name="conclude"),
]
