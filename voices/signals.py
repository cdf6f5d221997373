"""What voices asks the apps above it, without importing them."""

from django.dispatch import Signal

# Sent with `voice` before it is deleted; each receiver returns the titles of work in progress that still
# needs it (renders: queued or running jobs whose frozen voices name it). Any title refuses the deletion.
voice_needed_by = Signal()
