"""The read API other apps use."""

import pytest

from frameworks.models import Framework
from frameworks.selectors import (
    descriptors_for,
    get_crosswalk_framework,
    get_default_framework,
    get_framework,
    jeqf_level,
    vocabulary_index,
    vocabulary_terms,
)


def test_get_framework_by_slug_and_version(jp_framework):
    assert get_framework("jp-mc", "1.0") == jp_framework
    assert get_framework("jp-mc") == jp_framework
    assert get_framework("eu-mc").version == "2022"


def test_without_a_version_the_newest_non_default_version_is_chosen(eu_framework):
    newer = Framework.objects.create(
        slug="eu-mc", version="2030", name_ja="EU 2030", name_en="EU 2030",
        published_on="2030-01-01", crosswalk_code="eu",
    )  # fmt: skip
    assert get_framework("eu-mc") == newer
    assert get_crosswalk_framework("eu") == newer


def test_unknown_frameworks_raise_does_not_exist(frameworks_loaded):
    with pytest.raises(Framework.DoesNotExist):
        get_framework("nz-mc")
    with pytest.raises(Framework.DoesNotExist):
        get_framework("jp-mc", "0.1")


def test_without_a_default_framework_the_error_says_how_to_load_one(frameworks_loaded):
    Framework.objects.update(is_default=False)
    with pytest.raises(Framework.DoesNotExist, match="load_frameworks"):
        get_default_framework()


def test_descriptors_for_is_ordered_by_number_with_groups_joined(
    jp_framework, django_assert_num_queries
):
    with django_assert_num_queries(1):
        groups = [d.group.code for d in descriptors_for(jp_framework)]
    assert groups[0] == "issuing"


def test_vocabulary_terms_are_in_data_order(jp_framework):
    assert [t.code for t in vocabulary_terms(jp_framework, "synchronicity")] == [
        "synchronous",
        "asynchronous",
    ]
    assert list(vocabulary_terms(jp_framework, "no_such_vocabulary")) == []


def test_the_vocabulary_index_loads_everything_in_two_queries(
    jp_framework, django_assert_num_queries
):
    with django_assert_num_queries(2):
        index = vocabulary_index(jp_framework)
    assert index.label("assessment_types", "oral", "ja") == "口頭試問"
    assert index.label("assessment_types", "unknown", "ja") == "unknown"
    assert index.term("credit_systems", "ucts").data["hours_per_credit_max"] == 48


@pytest.mark.parametrize(
    ("level", "label_ja", "label_en"),
    [
        (5, "レベル5（短期高等教育）", "Level 5 (short-cycle higher education)"),
        (6, "レベル6（学士）", "Level 6 (bachelor)"),
        (7, "レベル7（修士）", "Level 7 (master)"),
        (8, "レベル8（博士）", "Level 8 (doctorate)"),
    ],
)
def test_jeqf_level_returns_the_term_with_labels_and_meaning(
    frameworks_loaded, level, label_ja, label_en
):
    term = jeqf_level(level)
    assert (term.label_ja, term.label_en) == (label_ja, label_en)
    assert term.description_ja


def test_jeqf_level_outside_one_to_eight_is_none(frameworks_loaded):
    assert jeqf_level(9) is None
    assert jeqf_level(0) is None
