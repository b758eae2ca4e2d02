from django.urls import path

from gaoqi.web.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("recommendations/", views.recommendation_queue, name="recommendation_queue"),
    path("recommendations/<int:pk>/confirm/", views.recommendation_confirm, name="recommendation_confirm"),
    path("recommendations/<int:pk>/decline/", views.recommendation_decline, name="recommendation_decline"),
    path("recommendations/<int:pk>/withdraw/", views.recommendation_withdraw, name="recommendation_withdraw"),
    # the records of cultivation (issue 12); before "<str:list_id>/", which "cultivation/" would match
    path("cultivation/", views.cultivation, name="cultivation"),
    path("cultivation/coverage/", views.coverage, name="coverage"),
    path("cultivation/tutorings.xlsx", views.cultivation_export, name="cultivation_export"),
    path("cultivation/tutoring/new/", views.tutoring_new, name="tutoring_new"),
    path("cultivation/tutoring/<int:pk>/", views.tutoring_detail, name="tutoring_detail"),
    path("cultivation/tutoring/<int:pk>/answer/", views.tutoring_answer, name="tutoring_answer"),
    path("cultivation/tutoring/<int:pk>/followups/", views.followup_add, name="followup_add"),
    path("cultivation/followups/<int:pk>/outcome/", views.followup_outcome, name="followup_outcome"),
    path("cultivation/trainings/new/", views.training_new, name="training_new"),
    path("cultivation/trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("cultivation/trainings/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
    path("cultivation/trainings/<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("cultivation/materials/<int:pk>/", views.material_download, name="material_download"),
    path("cultivation/attendances/<int:pk>/answer/", views.attendance_answer, name="attendance_answer"),
    path("<str:list_id>/", views.detail, name="detail"),
    path("<str:list_id>/export.xlsx", views.export, name="export"),
    path("<str:list_id>/add/", views.add, name="add"),
    path("<str:list_id>/adjustments/", views.adjustments, name="adjustments"),
    path("<str:list_id>/funnel/", views.funnel, name="funnel"),
    path("<str:list_id>/funnel/export.xlsx", views.funnel_export, name="funnel_export"),
    path("<str:list_id>/recommendations/", views.recommendations, name="recommendations"),
    path("<str:list_id>/recommend/<str:uscc>/", views.recommend, name="recommend"),
    path("memberships/<int:pk>/remove/", views.remove, name="remove"),
]
