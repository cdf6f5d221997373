import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnivibe.settings")
django_asgi_app = get_asgi_application()  # before importing consumers: it sets Django up

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from omnivibe.body_limits import BodyLimitMiddleware  # noqa: E402
from omnivibe.request_log import WebSocketLog  # noqa: E402
from publishing.routing import websocket_urlpatterns as series_websockets  # noqa: E402
from renders.routing import websocket_urlpatterns as job_websockets  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        "websocket": WebSocketLog(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(job_websockets + series_websockets)))
        ),
    }
)
