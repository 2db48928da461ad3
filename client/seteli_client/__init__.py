"""Seteli thin client: SDK (``seteli_client.sdk``) and CLI (``seteli``)."""
