"""moto in-process (`mock_aws`) plus moto's threaded server on a local port, sharing one state.

In-process boto3/pynamodb calls are intercepted by `mock_aws`; processes outside (the `seteli` CLI
signing in to Cognito, a browser PUTting to a presigned S3 URL) reach the same backends through
the server's endpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

REGION = "eu-north-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass
class Emulator:
    mock: object
    server: object | None
    endpoint: str | None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.mock.stop()


def start(with_server: bool = True) -> Emulator:
    os.environ.update(FAKE_CREDENTIALS)
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
    return Emulator(mock, server, endpoint)
