"""Where stored files live: the default storage is a local folder (the embedded default) or an S3-compatible
bucket (`AWS_STORAGE_BUCKET_NAME`, django-storages). Nothing here or above assumes a disk shared between web
and worker machines: files are read and written through the storage, downloads from a bucket are presigned
URLs of it, and a storage that fails is named in a sentence, never a 500 (`omnivibe/storage_errors.py`).
"""

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError
from django.conf import settings
from django.core.files.storage import Storage
from storages.backends.s3 import S3Storage

# What a bucket's client raises when the storage fails (unreachable, no such bucket, refused keys).
STORAGE_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

_REFUSED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"}


def is_local(storage: Storage) -> bool:
    """True for a folder this machine can open by path; object storages raise NotImplementedError for `path`."""
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True


def presigning(storage: Storage) -> Storage:
    """What signs download URLs for `storage`: itself, or the same bucket at the address people reach
    (AWS_S3_PUBLIC_ENDPOINT_URL; the host is part of the signature, which is computed here: nothing is sent)."""
    public = settings.AWS_S3_PUBLIC_ENDPOINT_URL
    if not public or public == getattr(storage, "endpoint_url", public):
        return storage
    signer = getattr(storage, "presigning_twin", None)
    if signer is None or signer.endpoint_url != public:
        # Kept on the storage (one per process): a boto3 client takes tens of milliseconds to build.
        options = {name: getattr(storage, name) for name in storage.get_default_settings()}
        signer = storage.presigning_twin = S3Storage(**{**options, "endpoint_url": public})
    return signer


def storage_failure(error: Exception) -> str:
    """What went wrong, in words for the person who asked (the log has the details for the operator)."""
    if isinstance(error, ConnectionError | HTTPClientError):
        return "the file storage cannot be reached right now"
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code == "NoSuchBucket":
        return "the file storage is not set up (its bucket does not exist)"
    if code in _REFUSED:
        return "the file storage refused access (its keys are wrong or lack a permission)"
    return "the file storage failed" + (f" ({code})" if code else "")
