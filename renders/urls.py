from django.urls import path

from renders import views

app_name = "renders"
urlpatterns = [
    path("<uuid:public_id>/", views.job_detail, name="job"),
    path("<uuid:public_id>/files/<str:kind>", views.job_file, name="job_file"),
    path("<uuid:public_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("<uuid:public_id>/keep/", views.job_keep, name="job_keep"),
    path("<uuid:public_id>/retry/", views.job_retry, name="job_retry"),
    path("<uuid:public_id>/duplicate/", views.job_duplicate, name="job_duplicate"),
    path("<uuid:public_id>/blocks/<int:index>/regenerate/", views.job_regenerate_block, name="job_regenerate"),
    path("<uuid:public_id>/pronounce/", views.job_adopt_pronunciation, name="job_pronounce"),
    path("<uuid:public_id>/storyboard/scenes/<int:number>/", views.scene_save, name="scene_save"),
    path(
        "<uuid:public_id>/storyboard/scenes/<int:number>/alternatives/",
        views.scene_alternatives,
        name="scene_alternatives",
    ),
    path("<uuid:public_id>/storyboard/scenes/<int:number>/swap/", views.scene_swap, name="scene_swap"),
    path("<uuid:public_id>/storyboard/scenes/<int:number>/words/", views.scene_words, name="scene_words"),
    path("<uuid:public_id>/storyboard/scenes/<int:number>/split/", views.scene_split, name="scene_split"),
    path("<uuid:public_id>/storyboard/scenes/<int:number>/merge/", views.scene_merge, name="scene_merge"),
    path(
        "<uuid:public_id>/storyboard/scenes/<int:number>/library/",
        views.scene_library_upload,
        name="scene_library_upload",
    ),
    path("<uuid:public_id>/storyboard/render/", views.storyboard_render, name="storyboard_render"),
]
