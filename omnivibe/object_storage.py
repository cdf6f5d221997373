"""Settings for an S3-compatible bucket (django-storages' S3Storage), read by `omnivibe/settings.py`.

Off (None) unless a bucket is named: the embedded default keeps files in MEDIA_ROOT.
"""

from typing import Any
from urllib.parse import urlsplit

from botocore.config import Config

from omnivibe.env import SettingError


def object_storage_options(
    *,
    bucket: str,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    addressing_style: str,
    location: str,
) -> dict[str, Any] | None:
    if not bucket:
        return None
    if endpoint_url and urlsplit(endpoint_url).scheme not in ("http", "https"):
        raise SettingError(f"AWS_S3_ENDPOINT_URL={endpoint_url!r} is not an http(s) URL")
    if addressing_style not in ("", "auto", "path", "virtual"):
        raise SettingError(f"AWS_S3_ADDRESSING_STYLE={addressing_style!r}: use path, virtual or auto")
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,  # None: Amazon S3 itself
        "region_name": region,
        "access_key": access_key or None,  # None: boto3's own chain (instance role, ~/.aws)
        "secret_key": secret_key or None,
        "addressing_style": addressing_style or None,
        "location": location.strip("/"),  # a key prefix inside the bucket
        "default_acl": None,  # private objects: the bucket's policy decides, reads go through presigned URLs
        "querystring_auth": True,  # url() signs: every download link expires
        # As on a local disk, a name already taken gets a new one ("name_x7Yz"): two voices' "sample.wav" are two
        # objects, and deleting one never deletes the other's (the speech cache deletes an entry before writing it).
        "file_overwrite": False,
        # Given a client config, django-storages ignores its own addressing and signature options: set them here.
        # Short connect timeout, few retries: a storage that is down fails a request in seconds with a clear
        # message (renders/storage.py), instead of holding a web worker for botocore's 60 s per attempt.
        "client_config": Config(
            s3={"addressing_style": addressing_style or "auto"},
            signature_version="s3v4",  # presigned URLs carry X-Amz-Expires; every region accepts v4
            connect_timeout=5,
            read_timeout=60,
            retries={"mode": "standard", "max_attempts": 3},
        ),
    }


def presigning_options(options: dict[str, Any] | None, public_endpoint_url: str) -> dict[str, Any] | None:
    """The bucket as browsers and API clients reach it, for presigned URLs (the host is part of the signature):
    the same as the app's unless AWS_S3_PUBLIC_ENDPOINT_URL names another address of the same server (the app
    reaches http://s3:9000 inside a compose network, people reach http://localhost:9000)."""
    if not options or not public_endpoint_url:
        return options
    if urlsplit(public_endpoint_url).scheme not in ("http", "https"):
        raise SettingError(f"AWS_S3_PUBLIC_ENDPOINT_URL={public_endpoint_url!r} is not an http(s) URL")
    return {**options, "endpoint_url": public_endpoint_url}


def bucket_origins(options: dict[str, Any] | None) -> list[str]:
    """Where browsers fetch presigned URLs from, for the Content-Security-Policy's img-src and media-src."""
    if not options:
        return []
    bucket, style = options["bucket_name"], options["addressing_style"]
    if options["endpoint_url"]:
        parts = urlsplit(options["endpoint_url"])
        # botocore addresses a custom endpoint by path unless told "virtual".
        path_style = f"{parts.scheme}://{parts.netloc}"
        return [f"{parts.scheme}://{bucket}.{parts.netloc}"] if style == "virtual" else [path_style]
    region = options["region_name"]
    if style == "path":
        return [f"https://s3.{region}.amazonaws.com", "https://s3.amazonaws.com"]
    return [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://{bucket}.s3.amazonaws.com"]
