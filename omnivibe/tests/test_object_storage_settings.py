"""The storage settings: a folder unless a bucket is named, then S3Storage built from the environment, with the
bucket's origin allowed to serve the Studio's players and thumbnails (CSP)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from omnivibe.env import SettingError
from omnivibe.object_storage import bucket_origins, object_storage_options, presigning_options

ENDPOINT = {"endpoint_url": "http://127.0.0.1:9000", "region": "eu-west-1", "access_key": "k", "secret_key": "s"}


def options(**changes) -> dict | None:
    return object_storage_options(**{"bucket": "media", **ENDPOINT, "addressing_style": "", "location": "", **changes})


def test_without_a_bucket_there_is_no_object_storage():
    assert options(bucket="") is None and bucket_origins(None) == []


def test_a_bucket_on_an_s3_compatible_server_is_served_from_the_servers_origin():
    built = options(location="/omnivibe/")
    assert built["bucket_name"] == "media" and built["location"] == "omnivibe"
    assert built["file_overwrite"] is False and built["default_acl"] is None and built["querystring_auth"] is True
    assert bucket_origins(built) == ["http://127.0.0.1:9000"]
    assert bucket_origins(options(endpoint_url="https://s3.example.com", addressing_style="virtual")) == [
        "https://media.s3.example.com"
    ]


def test_amazon_s3_itself_is_served_from_the_buckets_own_host():
    assert bucket_origins(options(endpoint_url="")) == [
        "https://media.s3.eu-west-1.amazonaws.com",
        "https://media.s3.amazonaws.com",
    ]


def test_a_public_address_of_the_bucket_signs_downloads_and_is_the_origin_pages_allow():
    public = presigning_options(options(endpoint_url="http://s3:9000"), "http://localhost:9000")
    assert public["endpoint_url"] == "http://localhost:9000" and bucket_origins(public) == ["http://localhost:9000"]
    assert presigning_options(None, "http://localhost:9000") is None
    with pytest.raises(SettingError, match="AWS_S3_PUBLIC_ENDPOINT_URL='localhost:9000' is not an http"):
        presigning_options(options(), "localhost:9000")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"endpoint_url": "127.0.0.1:9000"}, "AWS_S3_ENDPOINT_URL='127.0.0.1:9000' is not an http(s) URL"),
        ({"addressing_style": "sideways"}, "AWS_S3_ADDRESSING_STYLE='sideways': use path, virtual or auto"),
    ],
)
def test_bad_values_fail_at_start_up_naming_the_variable(changes, message):
    with pytest.raises(SettingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        options(**changes)


def test_the_environment_turns_the_bucket_on_for_the_default_storage_and_the_csp():
    env = {
        "PATH": os.environ["PATH"],
        "OMNIVIBE_VAR_DIR": "/tmp/omnivibe-storage-settings",
        "AWS_STORAGE_BUCKET_NAME": "media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    code = (
        "import json; from omnivibe import settings as s; "
        "print(json.dumps([s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['access_key'], "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    backend, key, media_src = json.loads(result.stdout)
    assert backend == "storages.backends.s3.S3Storage" and key == "key"
    assert "http://127.0.0.1:9000" in media_src
