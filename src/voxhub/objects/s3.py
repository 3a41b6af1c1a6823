"""Objects in an S3 or S3-compatible (MinIO) bucket; clients download through presigned URLs."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from voxhub.errors import ConfigurationError
from voxhub.objects.obstore_backend import ObstoreObjects, check_key
from voxhub.objects.signal_mask import signals_blocked
from voxhub.settings import StorageSettings

if TYPE_CHECKING:
    from obstore import Attributes
    from obstore.store import ClientConfig, RetryConfig, S3Config


class S3Objects(ObstoreObjects):
    """Every key is stored as `{prefix}/{key}` in the bucket of `settings`."""

    def __init__(self, settings: StorageSettings) -> None:
        prefix = settings.prefix.strip("/")
        super().__init__(f"s3://{settings.bucket}/{prefix}".rstrip("/"))
        self._expires = timedelta(seconds=settings.presign_seconds)
        config: S3Config = {"region": settings.region}
        # MinIO and most self-hosted servers only answer path-style requests
        config["virtual_hosted_style_request"] = not settings.path_style
        if settings.endpoint:
            config["endpoint"] = settings.endpoint
        # empty keys leave credentials to the usual AWS chain (environment, instance role)
        if settings.access_key_id:
            config["access_key_id"] = settings.access_key_id
            config["secret_access_key"] = settings.secret_access_key
        client: ClientConfig = {"allow_http": settings.endpoint.startswith("http://")}
        # /health must answer quickly while the endpoint is down: one try, short timeouts
        probe_client: ClientConfig = {
            **client,
            "connect_timeout": timedelta(seconds=2),
            "timeout": timedelta(seconds=5),
        }
        probe_retry: RetryConfig = {"max_retries": 0, "retry_timeout": timedelta(seconds=5)}
        try:
            # no request is made here: building a store only parses its configuration
            with signals_blocked():
                self._main = S3Store(
                    settings.bucket, prefix=prefix or None, config=config, client_options=client
                )
                self._probe = S3Store(
                    settings.bucket,
                    prefix=prefix or None,
                    config=config,
                    client_options=probe_client,
                    retry_config=probe_retry,
                )
        except (BaseError, ValueError) as exc:
            raise ConfigurationError(f"The S3 storage settings do not work: {exc}") from exc

    def download_url(self, key: str) -> str | None:
        with self._errors(key):
            return obstore.sign(self._main, "GET", check_key(key), self._expires)

    def check(self) -> None:
        """One listing request of at most one key: the bucket exists and the keys work."""
        with self._errors(""):
            next(iter(obstore.list(self._probe, None, chunk_size=1)), None)

    def _attributes(self, media_type: str | None, filename: str | None) -> Attributes | None:
        # obstore signs only method and path, so a presigned GET cannot ask for
        # response-content-type/-disposition: S3 keeps them with the object instead
        attributes: Attributes = {}
        if media_type:
            attributes["Content-Type"] = media_type
        if filename:
            attributes["Content-Disposition"] = f'attachment; filename="{filename}"'
        return attributes or None

    def _backend(self) -> S3Store:
        return self._main
