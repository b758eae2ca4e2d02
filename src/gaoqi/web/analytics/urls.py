from django.urls import path

from gaoqi.web.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.cohort, name="cohort"),
    path("export/", views.cohort_export, name="export"),
]
