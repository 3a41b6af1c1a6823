"""The OpenAPI document: every status an operation answers, in its route family's shape."""
