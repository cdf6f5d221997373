"""The product's URLs plus `/bench/baseline`: a bare Django JSON view behind the same middleware and server."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from omnivibe.urls import urlpatterns as product_urlpatterns


def baseline(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/baseline", baseline), *product_urlpatterns]
