from django.urls import path

from gaoqi.web.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.index, name="index"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/run/", views.demand_run, name="demand_run"),
    path("demands/<int:pk>/act/", views.demand_act, name="demand_act"),
    path("run-all/", views.run_all, name="run_all"),
    path("matches/<int:pk>/act/", views.match_act, name="match_act"),
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/act/", views.product_act, name="product_act"),
    path("results/upload/", views.results_upload, name="results_upload"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/signup/", views.event_signup, name="event_signup"),
    path("signups/<int:pk>/result/", views.signup_result, name="signup_result"),
    path("kpis/", views.kpis, name="kpis"),
    path("mine/", views.mine, name="mine"),
]
