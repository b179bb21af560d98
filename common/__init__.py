"""Plumbing shared by every app, at the very bottom of the house: it imports none of them.

`problems` (RFC 9457 API errors), `idempotency` (Idempotency-Key replay), `bulk` (one UPDATE
for many rows), `csv_export` (formula-safe CSV downloads with a BOM), `timezones` (the viewer's
time zone middleware)."""
