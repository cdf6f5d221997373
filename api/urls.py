from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views, writer

router = SimpleRouter(trailing_slash=False)
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("jobs", views.JobViewSet, basename="job")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("scripts", views.ScriptViewSet, basename="script")
router.register("pronunciations", views.PronunciationViewSet, basename="pronunciation")
router.register("series", views.SeriesViewSet, basename="series")

app_name = "api"
urlpatterns = [
    path("v1/synthesize", views.SynthesizeView.as_view(), name="synthesize"),
    path("v1/renders", views.RenderView.as_view(), name="renders"),
    path("v1/usage", views.UsageView.as_view(), name="usage"),
    path("v1/videos/<uuid:public_id>/metrics", views.VideoMetricsView.as_view(), name="video_metrics"),
    path("v1/drafts", writer.DraftView.as_view(), name="drafts"),
    path("v1/drafts/<uuid:draft_id>", writer.DraftDetailView.as_view(), name="draft"),
    path("v1/rewrites", writer.RewriteView.as_view(), name="rewrites"),
    path("v1/files/<str:token>", views.download, name="file"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
