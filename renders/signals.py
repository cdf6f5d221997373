"""What renders tells the apps above it, without importing them."""

from django.dispatch import Signal

# Sent with `job` once the job's end (succeeded, failed or cancelled) has committed; the API posts its webhook.
job_ended = Signal()
