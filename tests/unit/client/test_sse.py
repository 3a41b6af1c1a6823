"""The client's Server-Sent Events decoder against the rules of the HTML standard."""

from __future__ import annotations

from voxhub.client.sse import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> tuple[list[ServerSentEvent], SSEDecoder]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events, decoder


def test_fields_make_an_event_at_each_blank_line() -> None:
    events, decoder = decode(b'id: 7\nevent: progress\ndata: {"percent": 50}\n\n')
    assert events == [ServerSentEvent(event="progress", data='{"percent": 50}', id="7")]
    assert decoder.last_event_id == "7"


def test_data_lines_join_with_newlines_and_the_type_defaults_to_message() -> None:
    events, _ = decode(b"data: first\ndata:second\ndata\ndata:  indented\n\n")
    assert events == [ServerSentEvent(event="message", data="first\nsecond\n\n indented", id=None)]


def test_comments_and_unknown_fields_are_ignored() -> None:
    events, _ = decode(b": keep-alive\n\n:another\nfoo: bar\ndata: x\n: inside\n\n")
    assert [e.data for e in events] == ["x"]


def test_cr_lf_and_crlf_all_end_lines() -> None:
    for ending in (b"\n", b"\r", b"\r\n"):
        stream = ending.join([b"id: 1", b"event: status", b"data: a", b"data: b", b"", b""])
        events, _ = decode(stream)
        assert events == [ServerSentEvent(event="status", data="a\nb", id="1")], ending


def test_any_split_of_the_bytes_gives_the_same_events() -> None:
    stream = (
        '\ufeffretry: 2500\r\nid: 1\r\nevent: snapshot\r\ndata: {"text": "你好"}\r\n\r\n'
        ": comment\rid: 2\rdata: two\r\rid: 3\ndata: three\n\n"
    ).encode()
    whole, _ = decode(stream)
    assert [e.data for e in whole] == ['{"text": "你好"}', "two", "three"]
    for cut in range(len(stream) + 1):
        for second in (cut, min(cut + 1, len(stream)), min(cut + 3, len(stream))):
            events, decoder = decode(stream[:cut], stream[cut:second], stream[second:])
            assert events == whole, (cut, second)
            assert decoder.retry == 2500 and decoder.last_event_id == "3"
    one_byte_at_a_time, _ = decode(*(stream[i : i + 1] for i in range(len(stream))))
    assert one_byte_at_a_time == whole


def test_a_cr_at_the_end_of_a_chunk_and_lf_at_the_start_of_the_next_are_one_line_end() -> None:
    events, _ = decode(b"data: a\r", b"\n", b"\r\n")
    assert [e.data for e in events] == ["a"]
    # but an LF after a chunk that ended in CR then LF is a blank line of its own
    events, _ = decode(b"data: a\r", b"\n", b"\n")
    assert [e.data for e in events] == ["a"]


def test_the_byte_order_mark_is_dropped_only_at_the_start() -> None:
    events, _ = decode(b"\xef\xbb", b"\xbfdata: x\n\ndata: \xef\xbb\xbfy\n\n")
    assert [e.data for e in events] == ["x", "\ufeffy"]


def test_the_last_event_id_carries_over_and_an_empty_id_resets_it() -> None:
    events, decoder = decode(b"id: 5\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert [e.id for e in events] == ["5", "5", ""]
    assert decoder.last_event_id == ""


def test_an_id_with_nul_is_ignored() -> None:
    events, _ = decode(b"id: 4\ndata: a\n\nid: 9\x00\ndata: b\n\n")
    assert [e.id for e in events] == ["4", "4"]


def test_an_event_without_data_is_not_dispatched_but_its_id_counts() -> None:
    events, decoder = decode(b"id: 11\nevent: progress\n\ndata: next\n\n")
    assert events == [ServerSentEvent(event="message", data="next", id="11")]
    assert decoder.last_event_id == "11"


def test_retry_takes_digits_only() -> None:
    _, decoder = decode(b"retry: 3000\n\nretry: 1.5\n\nretry: soon\n\nretry:\n\n")
    assert decoder.retry == 3000


def test_an_unfinished_event_at_the_end_is_not_dispatched() -> None:
    events, decoder = decode(b"data: done\n\nid: 8\ndata: half")
    assert [e.data for e in events] == ["done"]
    assert decoder.last_event_id is None
