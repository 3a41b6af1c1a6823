"""The object store that settings name: a local directory, or an S3/MinIO bucket."""

from __future__ import annotations

from voxhub.errors import ConfigurationError
from voxhub.objects.base import ObjectStore
from voxhub.objects.local import LocalObjects
from voxhub.objects.s3 import S3Objects
from voxhub.settings import Settings

# S3 refuses presigned URLs that live longer than seven days
_LONGEST_LINK = 7 * 24 * 3600


def object_store(settings: Settings) -> ObjectStore:
    """Checks the storage settings; nothing is contacted until the store is first used."""
    storage = settings.storage
    if storage.backend == "local":
        return LocalObjects(settings.data_dir)
    if storage.backend != "s3":
        raise ConfigurationError(
            f"Unknown storage backend {storage.backend!r}; "
            "set VOXHUB_STORAGE__BACKEND to 'local' or 's3'."
        )
    if not storage.bucket:
        raise ConfigurationError("S3 storage needs a bucket: set VOXHUB_STORAGE__BUCKET.")
    if bool(storage.access_key_id) != bool(storage.secret_access_key):
        raise ConfigurationError(
            "Set both VOXHUB_STORAGE__ACCESS_KEY_ID and VOXHUB_STORAGE__SECRET_ACCESS_KEY, "
            "or neither to use the AWS credential chain."
        )
    if not 1 <= storage.presign_seconds <= _LONGEST_LINK:
        raise ConfigurationError(
            f"VOXHUB_STORAGE__PRESIGN_SECONDS must be between 1 and {_LONGEST_LINK}."
        )
    return S3Objects(storage)
