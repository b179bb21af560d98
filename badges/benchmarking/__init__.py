"""Support for ``manage.py bench_issue``, the batch-issuing benchmark (docs/benchmarks.md):
its data (world), its processes (Celery workers, gunicorn, RSS sampling), the signing
comparison with Digital Bazaar (signing) and the independent checks of a sample (sample).
Product code so that the command needs nothing from tests/; never used by the portal itself."""
