# One image for web and worker machines:
#   web:    python -m omnivibe.serve -b 0.0.0.0 -p 8000 omnivibe.asgi:application  (daphne + body limits)
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
EXPOSE 8000
CMD ["python", "-m", "omnivibe.serve", "-b", "0.0.0.0", "-p", "8000", "omnivibe.asgi:application"]
