"""moto in-process (`mock_aws`) plus moto's threaded server on a local port, sharing one state.

In-process boto3/pynamodb calls are intercepted by `mock_aws`; processes outside (the `seteli` CLI
signing in to Cognito, a browser PUTting to a presigned S3 URL) reach the same backends through
the server's endpoint. moto's documentation says so ("the ThreadedMotoServer and the decorators act
on the same state"), and the tests here check it.

Start it before any boto3 client exists: the fake credentials must be in the environment first.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

REGION = "eu-north-1"
ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# A developer's own AWS settings must never leak into the emulated account (or send calls to AWS).
_FOREIGN = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ROLE_ARN")

log = logging.getLogger("local")


@dataclass
class Emulator:
    mock: object
    server: object | None
    endpoint: str | None  # http://127.0.0.1:<port> of moto's server, None without one
    region: str = REGION

    def reset(self) -> None:
        """Forget every resource of every service, keeping the mock and the server running."""
        from moto.core.base_backend import BackendDict

        BackendDict.reset()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.mock is not None:
            self.mock.stop()
            self.mock = None


def start(with_server: bool = True, region: str = REGION) -> Emulator:
    """Start `mock_aws` (and, with_server, moto's threaded server on a free port of 127.0.0.1)."""
    for key in _FOREIGN:
        os.environ.pop(key, None)
    os.environ.update({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": region, "AWS_REGION": region})
    for noisy in ("werkzeug", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    server = endpoint = None
    if with_server:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
    return Emulator(mock, server, endpoint, region)
