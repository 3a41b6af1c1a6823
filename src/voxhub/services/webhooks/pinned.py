"""One HTTP request to the addresses an SSRF check approved, never to a fresh DNS answer."""

from __future__ import annotations

import httpx

from voxhub.services.webhooks.ssrf import Destination


def send_pinned(
    client: httpx.Client,
    method: str,
    destination: Destination,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Send to the checked addresses in turn until one connects; the response is streamed
    (the caller reads or closes it)."""
    url = httpx.URL(destination.url)
    pinned = {**(headers or {}), "Host": url.netloc.decode("ascii")}
    # certificates are still checked against the name, not the address connected to
    secure = destination.scheme == "https"
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if secure else {}
    failure: httpx.HTTPError | None = None
    for address in destination.addresses:
        request = client.build_request(
            method,
            url.copy_with(host=address),
            content=body,
            headers=pinned,
            extensions=extensions,
        )
        try:
            return client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failure = exc
    assert failure is not None
    raise failure
