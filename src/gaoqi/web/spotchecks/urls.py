from django.urls import path

from gaoqi.web.spotchecks import views

app_name = "spotchecks"
urlpatterns = [
    path("", views.index, name="index"),
    path("draw/", views.draw, name="draw"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/verify/", views.verify, name="verify"),
    path("cases/", views.cases, name="cases"),
    path("cases/export.xlsx", views.export, name="export"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/act/", views.case_act, name="case_act"),
    path("cases/<int:pk>/refer/", views.case_refer, name="case_refer"),
    path("inspectors/", views.inspectors, name="inspectors"),
    path("inspectors/new/", views.inspector_create, name="inspector_create"),
    path("inspectors/<int:pk>/", views.inspector_update, name="inspector_update"),
    path("public/", views.public, name="public"),
    path("public/<int:pk>/", views.public_draw, name="public_draw"),
]
