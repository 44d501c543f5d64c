"""A local S3-protocol server (moto's standalone server, in its own process) and the settings that
point the server at a fresh bucket of it. Real HTTP, real signatures, real boto3 retries: what a
MinIO or Alibaba OSS endpoint would see."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

ACCESS, SECRET, REGION = "ducha-test", "ducha-test-secret", "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.05)
        raise RuntimeError("moto server did not answer")

    def client(self):
        import boto3

        return boto3.session.Session().client("s3", endpoint_url=self.endpoint, region_name=REGION,
                                              aws_access_key_id=ACCESS, aws_secret_access_key=SECRET)

    def new_bucket(self) -> str:
        name = f"ducha-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, monkeypatch, tmp_path):
    """The server's photos and ledgers in a fresh bucket (under a prefix, as a shared bucket would
    be used), set in the environment so that the ledger workers' processes use it too; returns
    (server, bucket, prefix)."""
    bucket, prefix = s3_server.new_bucket(), "yuncheng"
    env = {"DUCHA_STORAGE": f"s3://{bucket}/{prefix}", "DUCHA_S3_ENDPOINT": s3_server.endpoint, "DUCHA_S3_REGION": REGION,
           "DUCHA_S3_ACCESS_KEY": ACCESS, "DUCHA_S3_SECRET_KEY": SECRET, "DUCHA_S3_ADDRESSING": "path",
           "DUCHA_MEDIA_DIR": str(tmp_path / "node-media")}  # the node's own folder: only caches and partial uploads
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from server.settings import Settings, use_settings

    use_settings(Settings.from_env(dict(os.environ)))
    return s3_server, bucket, prefix
