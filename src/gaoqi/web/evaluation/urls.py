from django.urls import path

from gaoqi.web.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("compute/", views.compute, name="compute"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/area/", views.area, name="area"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/report.pdf", views.pdf, name="pdf"),
]
