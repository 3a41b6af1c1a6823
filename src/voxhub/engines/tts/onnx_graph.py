"""Expose an inner tensor of a serialized ONNX model as an extra graph output, in place."""

from __future__ import annotations


def with_graph_output(model: bytes, tensor: str) -> bytes:
    """The model with `tensor` added to its graph outputs.

    Protobuf merges repeated occurrences of an embedded message field, so appending
    a ModelProto fragment holding only `graph { output { name } }` adds one output
    without parsing or re-serializing the model (and without the `onnx` package).
    """
    value_info = _field(1, tensor.encode())  # ValueInfoProto.name
    graph = _field(12, value_info)  # GraphProto.output
    return model + _field(7, graph)  # ModelProto.graph


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)
