from django.urls import path

from gaoqi.web.benefits import views

app_name = "benefits"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("totals/", views.totals, name="totals"),
    path("payment-list.xlsx", views.payment_list, name="payment_list"),
    path("uploads/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/report.xlsx", views.upload_report, name="upload_report"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/object/", views.object_, name="object"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
]
