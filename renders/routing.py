from django.urls import path

from renders.consumers import JobProgressConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:public_id>/", JobProgressConsumer.as_asgi()),
]
