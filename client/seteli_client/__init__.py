"""Seteli thin client: SDK (``seteli_client.sdk``) and CLI (``seteli``)."""

__version__ = "0.1.0"
