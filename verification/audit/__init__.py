"""Append-only, hash-chained, Ed25519-signed audit log; verification; evidence packs."""
