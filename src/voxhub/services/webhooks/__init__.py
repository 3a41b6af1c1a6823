"""Signed job callbacks: dispatch, delivery, signing and the address policy."""
