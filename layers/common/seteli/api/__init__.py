"""Shared handler plumbing: app factory, claims, problem JSON, paging, OpenAPI."""
