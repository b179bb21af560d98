"""Installed as sitecustomize.py in .interop/ob2-venv only (scripts/install-interop-python.sh).

validator-core 1.1.2 pins old dependencies that import ``collections.Mapping`` and friends,
removed in Python 3.10: pytz 2017.2 at import time, requests-cache 0.4.13 in its sqlite/redis/
mongo backends. Alias every ``collections.abc`` name into ``collections`` before anything runs.
"""

import collections
import collections.abc

for _name in collections.abc.__all__:
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
