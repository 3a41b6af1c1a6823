"""Callback URLs reach public addresses only, unless the operator allows a host or network."""

from __future__ import annotations

import ipaddress
import re
import socket

import pytest

from voxhub.errors import CallbackUrlRefused, ConfigurationError, InvalidInput
from voxhub.services.webhooks.ssrf import CallbackPolicy, refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.0.9", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.170.2", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("::1", "a loopback address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("fc00::1", "a private address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        # IPv6 forms that carry an IPv4 address go where that address goes
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("64:ff9b::7f00:1", "a loopback address"),
        ("2002:a00:1::", "a private address"),
    ],
)
def test_internal_addresses_are_refused_with_their_kind(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::1]:9000/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("https://100.100.100.200/", "a cloud metadata address"),
        # spellings of 127.0.0.1 that only a resolver understands are resolved, then refused
        ("http://2130706433/", "resolves to a loopback address"),
        ("http://0x7f.1/", "resolves to a loopback address"),
        ("ftp://example.com/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http:///hook", "has no host"),
        ("http://example.com:99999/", "port is invalid"),
    ],
)
def test_refused_urls_name_the_problem(url: str, problem: str) -> None:
    with pytest.raises(CallbackUrlRefused) as refused:
        CallbackPolicy().check(url)
    assert problem in refused.value.message
    assert refused.value.message.startswith(f"callback_url {url} is refused")
    assert isinstance(refused.value, InvalidInput)  # a 422 from the API


def test_a_name_resolving_to_loopback_is_refused_without_naming_the_address() -> None:
    with pytest.raises(CallbackUrlRefused) as refused:
        CallbackPolicy().check("http://localhost:8000/hook")
    message = refused.value.message
    assert "its host 'localhost' resolves to a loopback address" in message
    assert "VOXHUB_WEBHOOKS__ALLOW_HOSTS" in message
    # internal DNS answers stay out of what a client sees
    assert "127.0.0.1" not in message and "::1" not in message


def test_a_name_with_one_internal_address_among_public_ones_is_refused() -> None:
    # a fault injected in the DNS answer: every address a client could use must be public
    policy = CallbackPolicy(resolver=lambda host, port: ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(CallbackUrlRefused, match="resolves to a private address"):
        policy.check("https://hooks.example.com/x")


def test_a_public_name_passes_with_the_addresses_to_connect_to() -> None:
    policy = CallbackPolicy(resolver=lambda host, port: ["93.184.216.34", "2606:2800::1"])
    destination = policy.check("https://Hooks.Example.com:8443/x?y=1")
    assert destination.host == "hooks.example.com"
    assert destination.port == 8443
    assert destination.scheme == "https"
    assert destination.addresses == ("93.184.216.34", "2606:2800::1")


def test_an_unresolvable_host_is_refused_at_submit_but_left_to_retry_when_sending() -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    policy = CallbackPolicy(resolver=nxdomain)
    with pytest.raises(CallbackUrlRefused, match="could not be resolved"):
        policy.check("http://nowhere.example/")
    with pytest.raises(OSError):
        policy.destination("http://nowhere.example/")


def test_allow_listing_by_address_and_network() -> None:
    single = CallbackPolicy(["127.0.0.1"])
    assert single.check("http://127.0.0.1:9/hook").addresses == ("127.0.0.1",)
    # an IPv4-mapped spelling of an allowed address is allowed too
    mapped = single.check("http://[::ffff:127.0.0.1]:9/").addresses
    assert [ipaddress.ip_address(a) for a in mapped] == [ipaddress.ip_address("::ffff:127.0.0.1")]
    with pytest.raises(CallbackUrlRefused, match=r"127\.0\.0\.2 is a loopback address"):
        single.check("http://127.0.0.2:9/hook")

    network = CallbackPolicy(["10.0.0.0/8", "[fd12::/16]"])
    assert network.check("http://10.20.30.40/").addresses == ("10.20.30.40",)
    assert network.check("http://[fd12::5]/").addresses == ("fd12::5",)
    with pytest.raises(CallbackUrlRefused, match="private"):
        network.check("http://192.168.0.1/")
    with pytest.raises(CallbackUrlRefused, match="cloud metadata"):
        network.check("http://169.254.169.254/")


def test_allow_listing_by_name() -> None:
    assert CallbackPolicy(["localhost"]).check("http://LocalHost:9/").addresses
    internal = CallbackPolicy(["*.hooks.internal"], resolver=lambda host, port: ["10.9.8.7"])
    assert internal.check("http://a.hooks.internal/x").addresses == ("10.9.8.7",)
    with pytest.raises(CallbackUrlRefused, match="private"):
        internal.check("http://hooks.internal.attacker.example/x")
    with pytest.raises(CallbackUrlRefused, match="private"):
        internal.check("http://hooks.internal/x")


def test_a_malformed_network_in_the_allow_list_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=re.escape("10.0.0.0/33")):
        CallbackPolicy(["10.0.0.0/33"])
