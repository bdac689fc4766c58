"""IPv6 spellings of private and loopback IPv4 addresses are refused like those addresses, the
blocked networks come from a setting, and a host is refused when any of its addresses is."""

import ipaddress
import socket

import httpx
import pytest

from storyboard.providers import http
from storyboard.providers.http import address_allowed, build_client


def allowed(text, loopback=False):
    return address_allowed(ipaddress.ip_address(text), allow_loopback=loopback)


@pytest.mark.parametrize("spelling", [
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::c0a8:101",  # NAT64 of 127/8, 10/8, 192.168
    "2002:7f00:1::1", "2002:a00:1::", "2002:ac10:1::1",  # 6to4 of 127/8, 10/8, 172.16/12
    "::7f00:1", "::a00:1", "::a9fe:a9fe",  # IPv4-compatible, incl. 169.254.169.254
    "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
])
def test_an_ipv6_form_of_a_private_ipv4_is_refused(spelling):
    assert not allowed(spelling)


@pytest.mark.parametrize("spelling", ["64:ff9b::808:808", "2002:808:808::1", "8.8.8.8",
                                      "2606:4700:4700::1111"])
def test_public_addresses_in_any_spelling_are_allowed(spelling):
    assert allowed(spelling)


def test_loopback_for_the_sandbox_stays_possible_in_v4_and_v6():
    assert allowed("127.0.0.1", loopback=True) and allowed("::1", loopback=True)
    assert allowed("::ffff:127.0.0.1", loopback=True)
    assert not allowed("10.0.0.1", loopback=True)


def test_the_blocked_networks_come_from_a_setting():
    try:
        http.set_blocked_networks([*http.DEFAULT_BLOCKED_NETWORKS, "8.8.8.0/24"])
        assert not allowed("8.8.8.8")
        assert not allowed("64:ff9b::808:808")  # the same address through NAT64
        assert allowed("8.8.4.4")
    finally:
        http.set_blocked_networks(http.DEFAULT_BLOCKED_NETWORKS)


def test_a_host_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a00:5", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with build_client() as client, pytest.raises(httpx.ConnectError, match="64:ff9b::a00:5"):
        client.get("https://mixed.example/")


def test_the_app_adds_its_blocked_networks_setting_at_start(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import django, ipaddress; django.setup(); from storyboard.providers import http; "
            "print(http.address_allowed(ipaddress.ip_address('8.8.8.8'), allow_loopback=False),"
            " http.address_allowed(ipaddress.ip_address('10.1.2.3'), allow_loopback=False))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "storyboard.settings",
           "STORYBOARD_VAR_DIR": str(tmp_path), "STORYBOARD_BLOCKED_NETWORKS": "8.8.8.0/24"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"], result.stderr
    env["STORYBOARD_BLOCKED_NETWORKS"] = "8.8.8.0/24, intranet"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "STORYBOARD_BLOCKED_NETWORKS: 'intranet' is not a network" in result.stderr
