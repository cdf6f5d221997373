from django.urls import path

from api import compat

app_name = "compat"
urlpatterns = [
    path("audio/speech", compat.OpenAISpeechView.as_view(), name="openai_speech"),
    path("voices", compat.ElevenVoicesView.as_view(), name="voices"),
    path("voices/<str:voice_id>", compat.ElevenVoiceView.as_view(), name="voice"),
    path("text-to-speech/<str:voice_id>", compat.ElevenTextToSpeechView.as_view(), name="tts"),
    path("text-to-speech/<str:voice_id>/stream", compat.ElevenTextToSpeechView.as_view(), name="tts_stream"),
    path(
        "text-to-speech/<str:voice_id>/with-timestamps",
        compat.ElevenTextToSpeechView.as_view(with_timestamps=True),
        name="tts_timestamps",
    ),
]
