"""Job routes without workers: submission, validation, listing, cancel and retry rules."""

from __future__ import annotations

from typing import Any

import httpx

TEXT = "First sentence of the job. " * 40


async def _submit(client: httpx.AsyncClient, **fields: object) -> httpx.Response:
    return await client.post("/v1/tts/jobs", json={"voice": "espeak:en-us", **fields})


async def test_submit_then_inspect_list_cancel_and_retry(client: httpx.AsyncClient) -> None:
    response = await _submit(client, text=TEXT, format="mp3", priority=7)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == job["urls"]["self"]
    assert job["status"] == "queued" and job["priority"] == 7
    assert job["characters"] == len(TEXT.strip())
    assert job["progress"] == {
        "chunks_done": 0,
        "chunks_total": job["progress"]["chunks_total"],
        "percent": 0.0,
        "eta_seconds": None,
    }
    assert job["progress"]["chunks_total"] >= 4  # 1,000+ characters in chunks of <= 250
    assert (job["voice"], job["language"], job["format"]) == ("espeak:en-us", "en", "mp3")

    fetched = (await client.get(job["urls"]["self"])).json()
    assert fetched["id"] == job["id"]
    listing = (await client.get("/v1/tts/jobs", params={"status": "queued"})).json()
    assert [j["id"] for j in listing["jobs"]] == [job["id"]] and listing["total"] == 1

    download = await client.get(job["urls"]["audio"])
    assert download.status_code == 409 and "succeeded" in download.json()["error"]["message"]

    retry = await client.post(job["urls"]["retry"])
    assert retry.status_code == 409 and retry.json()["error"]["code"] == "conflict"

    cancelled = await client.post(job["urls"]["cancel"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.post(job["urls"]["cancel"])
    assert again.status_code == 409
    assert "cancelled" in again.json()["error"]["message"]

    reopened = await client.post(job["urls"]["retry"])
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "queued" and reopened.json()["manual_retries"] == 1


async def test_newest_first_and_paginated(client: httpx.AsyncClient) -> None:
    ids = [(await _submit(client, text=f"Job number {n}.")).json()["id"] for n in range(3)]
    page = (await client.get("/v1/tts/jobs", params={"limit": 2})).json()
    assert page["total"] == 3 and [j["id"] for j in page["jobs"]] == ids[::-1][:2]
    rest = (await client.get("/v1/tts/jobs", params={"limit": 2, "offset": 2})).json()
    assert [j["id"] for j in rest["jobs"]] == [ids[0]]


async def test_bad_input_is_refused_with_a_clear_error(client: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"text": "   "}, 422, "empty_text"),
        ({"text": "a" * 50_001}, 413, "text_too_long"),
        ({"text": "hello", "voice": "nobody:here"}, 404, None),
        ({"text": "hello", "format": "aiff"}, 422, "unsupported_format"),
        ({"text": "hello", "priority": 12}, 422, "invalid_request"),
    ]
    for fields, status, code in cases:
        response = await client.post("/v1/tts/jobs", json={"voice": "espeak:en-us", **fields})
        assert response.status_code == status, (fields, response.text)
        if code:
            assert response.json()["error"]["code"] == code
    too_long = await client.post("/v1/tts/jobs", json={"text": "a" * 50_001})
    assert "50,000" in too_long.json()["error"]["message"]
    bad_status = await client.get("/v1/tts/jobs", params={"status": "sleeping"})
    assert bad_status.status_code == 422


async def test_unknown_jobs_are_404(client: httpx.AsyncClient) -> None:
    for path in ["/v1/tts/jobs/" + "0" * 32, "/v1/tts/jobs/not-an-id", "/v1/tts/jobs/x/audio"]:
        response = await client.get(path)
        assert response.status_code == 404, path
    response = await client.post("/v1/tts/jobs/" + "0" * 32 + "/cancel")
    assert response.status_code == 404 and response.json()["error"]["code"] == "job_not_found"
