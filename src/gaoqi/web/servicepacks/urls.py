from django.urls import path

from gaoqi.web.servicepacks import views

app_name = "servicepacks"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("items.xlsx", views.queue_export, name="queue_export"),
    path("packages/", views.packages, name="packages"),
    path("packages/new/", views.package_new, name="package_new"),
    path("packages/bulk/", views.package_bulk, name="package_bulk"),
    path("packages/<int:pk>/", views.package, name="package"),
    path("packages/<int:pk>/items/", views.item_assign, name="item_assign"),
    path("items/<int:pk>/act/", views.item_act, name="item_act"),
    path("items/<int:pk>/rate/", views.item_rate, name="item_rate"),
    path("mine/", views.mine, name="mine"),
]
