from django.urls import path

from publishing.consumers import SeriesProgressConsumer

websocket_urlpatterns = [
    path("ws/series/<uuid:public_id>/", SeriesProgressConsumer.as_asgi()),
]
