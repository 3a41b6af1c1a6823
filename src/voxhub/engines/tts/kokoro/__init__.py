"""The Kokoro-82M ONNX engine, assembled from its PyPI parts."""
