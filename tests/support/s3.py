"""An S3 server for tests: moto in a thread on a free 127.0.0.1 port, a fresh bucket per test."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from voxhub.settings import StorageSettings

REGION = "us-east-1"
# moto accepts any keys; they still go through real SigV4 signing
KEY_ID = "voxhub-test"
SECRET = "voxhub-test-secret"


@dataclass(frozen=True)
class MotoS3:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )

    def new_bucket(self, prefix: str = "deploy-a") -> StorageSettings:
        """Storage settings of an empty bucket of its own."""
        bucket = f"voxhub-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=bucket)
        return StorageSettings(
            backend="s3",
            bucket=bucket,
            endpoint=self.endpoint,
            region=REGION,
            access_key_id=KEY_ID,
            secret_access_key=SECRET,
            path_style=True,
            prefix=prefix,
            presign_seconds=600,
        )

    def keys(self, storage: StorageSettings) -> list[str]:
        """Every key in the bucket of `storage`, as S3 itself names it (prefix included)."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=storage.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request moto serves
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # port 0: the operating system picks a free port, read back once listening
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield MotoS3(f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_storage(moto_s3: MotoS3) -> StorageSettings:
    return moto_s3.new_bucket()
