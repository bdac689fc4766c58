"""The outbound-HTTP tests run their stand-in vendor (`local_server`) on a random loopback port:
it is the sandbox this test server runs, so sandbox clients reach it and no other local port."""

import pytest


@pytest.fixture(autouse=True)
def _local_server_is_the_sandbox(request, name_sandbox):
    if "local_server" in request.fixturenames:
        name_sandbox(request.getfixturevalue("local_server"))
