# One image for web and worker machines:
#   web:    granian's WSGI, WEB_WORKERS processes (2) of WEB_THREADS threads (4) on port 8000: HTTP (the command
#           below; runstack.granian_wsgi_command)
#   live:   granian's ASGI on port 8001: the WebSockets (runstack.granian_command; pages are told by WEBSOCKET_URL)
#   worker: python manage.py qcluster                          (the render lane: videos, long narrations)
#   fast worker: Q_CLUSTER_NAME=fast python manage.py qcluster  (the fast lane: previews, webhooks, Stripe events)
#   worker health check: python manage.py workerhealth (docker-compose.yml runs all of these, with their services)
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
RUN DEBUG=1 python manage.py collectstatic --no-input -v0
RUN useradd --create-home omnivibe && mkdir -p /app/var && chown omnivibe /app/var
USER omnivibe
EXPOSE 8000 8001
ENV WEB_WORKERS=2 WEB_THREADS=4
CMD ["sh", "-c", "exec python -m granian --interface wsgi --host 0.0.0.0 --port 8000 --workers \"$WEB_WORKERS\" --blocking-threads \"$WEB_THREADS\" --no-access-log --log-level warning omnivibe.wsgi:application"]
