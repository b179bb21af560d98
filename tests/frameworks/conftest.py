import pytest

from frameworks.selectors import get_crosswalk_framework, get_default_framework, vocabulary_index
from frameworks.value_types import value_type_for
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors


@pytest.fixture
def frameworks_loaded(db):
    ensure_frameworks_loaded()


@pytest.fixture
def jp_framework(frameworks_loaded):
    return get_default_framework()


@pytest.fixture
def eu_framework(frameworks_loaded):
    return get_crosswalk_framework("eu")


@pytest.fixture
def au_framework(frameworks_loaded):
    return get_crosswalk_framework("au")


@pytest.fixture
def vocabularies(jp_framework):
    return vocabulary_index(jp_framework)


@pytest.fixture
def descriptors():
    return fully_described_descriptors()


@pytest.fixture
def check(vocabularies):
    """check(key, value) -> the shape problems, as "path: message" in English."""

    def run(key, value, lang="en"):
        problems = value_type_for(key).check(value, key, vocabularies)
        return [problem.text(lang) for problem in problems]

    return run
