"""The benchmark's own PostgreSQL database, created and dropped through the server's
``postgres`` database, and its own Redis keys (the queues of one queue prefix)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class BenchDatabase:
    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise ValueError("the benchmark needs a PostgreSQL URL (postgres://…/name)")
        self.name = parts.path.lstrip("/")
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"unsafe database name {self.name!r}")
        self.url = url
        self.admin_dsn = urlunsplit(parts._replace(path="/postgres"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def delete_queues(broker_url: str, queue_prefix: str) -> int:
    """Remove this run's queues (and kombu's bindings for them) from Redis."""
    import redis

    client = redis.Redis.from_url(broker_url)
    keys = list(client.scan_iter(match=f"*{queue_prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)
