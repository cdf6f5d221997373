from django.urls import path

from publishing import views

app_name = "publishing"
urlpatterns = [
    path("series/", views.series_list, name="series_list"),
    path("series/<uuid:public_id>/", views.series_detail, name="series"),
    path("series/<uuid:public_id>/rows/<int:number>/render/", views.row_render, name="row_render"),
    path("series/<uuid:public_id>/rows/<int:number>/approve/", views.row_approve, name="row_approve"),
    path("series/<uuid:public_id>/rows/<int:number>/changes/", views.row_request_changes, name="row_changes"),
    path(
        "series/<uuid:public_id>/rows/<int:number>/blocks/<int:index>/regenerate/",
        views.row_regenerate_block,
        name="row_regenerate",
    ),
    path(
        "series/<uuid:public_id>/rows/<int:number>/scenes/<int:scene>/regenerate/",
        views.row_regenerate_scene,
        name="row_regenerate_scene",
    ),
    path("review/", views.review, name="review"),
    path("campaigns/<int:pk>/performance/", views.campaign_performance, name="campaign_performance"),
    path("campaigns/<int:pk>/performance/topics/", views.campaign_topic_ideas, name="campaign_topic_ideas"),
    path("campaigns/<int:pk>/performance.csv", views.campaign_performance_csv, name="campaign_performance_csv"),
    path("publishing/", views.publishing_page, name="publishing"),
    path("publishing/youtube/connect/", views.youtube_connect, name="youtube_connect"),
    path("publishing/youtube/callback/", views.youtube_callback, name="youtube_callback"),
    path("publishing/webhooks/", views.webhook_add, name="webhook_add"),
    path("publishing/connections/<int:pk>/disconnect/", views.connection_disconnect, name="disconnect"),
    path("publishing/schedule/", views.schedule_publication, name="schedule"),
    path("publishing/connections/<int:pk>/schedule-approved/", views.schedule_approved, name="schedule_approved"),
    path("publishing/<uuid:public_id>/retry/", views.publication_retry, name="retry"),
]
