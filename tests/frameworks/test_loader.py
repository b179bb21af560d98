"""Loading framework data files: idempotent, complete, and strict about mistakes."""

import json

import pytest
from django.core.management import CommandError, call_command

from frameworks.data_schema import FrameworkDataError
from frameworks.models import Descriptor, DescriptorGroup, Framework, Term, Vocabulary
from frameworks.services import DATA_DIR, load_framework_file, sync_frameworks_from_data

MODELS = (Framework, DescriptorGroup, Descriptor, Vocabulary, Term)


def snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def jp_data() -> dict:
    return json.loads((DATA_DIR / "jp-mc-1.0.json").read_text(encoding="utf-8"))


def write(tmp_path, data, name="custom.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_data_file_is_loaded(frameworks_loaded):
    loaded = set(Framework.objects.values_list("slug", "version"))
    assert loaded == {("jp-mc", "1.0"), ("eu-mc", "2022"), ("au-nmf", "2022")}


def test_loading_twice_changes_nothing(frameworks_loaded):
    before = snapshot()
    results = sync_frameworks_from_data()
    assert snapshot() == before
    assert [result.changed for result in results] == [False, False, False]
    assert all(result.unchanged > 0 for result in results)


def test_an_edited_data_file_updates_only_what_changed_and_removes_what_is_gone(
    frameworks_loaded, tmp_path
):
    data = jp_data()
    data["descriptors"][2]["label"]["en"] = "Name of the micro-credential"
    assessment = next(v for v in data["vocabularies"] if v["key"] == "assessment_types")
    assessment["terms"] = [t for t in assessment["terms"] if t["code"] != "oral"]
    title_pk = Descriptor.objects.get(framework__slug="jp-mc", key="title").pk

    result = load_framework_file(write(tmp_path, data, "jp-mc-1.0.json"))

    # Updated: the title, and the two terms after "oral" that moved up one place.
    assert (result.created, result.updated, result.deleted) == (0, 3, 1)
    title = Descriptor.objects.get(framework__slug="jp-mc", key="title")
    assert (title.pk, title.label_en) == (title_pk, "Name of the micro-credential")
    assert not Term.objects.filter(vocabulary__key="assessment_types", code="oral").exists()


def test_a_new_framework_version_can_take_over_as_default(frameworks_loaded, tmp_path):
    data = jp_data() | {"version": "1.1"}
    result = load_framework_file(write(tmp_path, data))
    assert result.created > 0
    assert list(Framework.objects.filter(is_default=True)) == [result.framework]
    assert Framework.objects.get(slug="jp-mc", version="1.0").is_default is False


def test_renumbering_descriptors_does_not_trip_the_unique_numbers(frameworks_loaded, tmp_path):
    data = jp_data()
    first, second = data["descriptors"][0], data["descriptors"][1]
    first["number"], second["number"] = second["number"], first["number"]
    load_framework_file(write(tmp_path, data))
    numbers = dict(Descriptor.objects.filter(framework__slug="jp-mc").values_list("key", "number"))
    assert (numbers["learner_identification"], numbers["date_of_issuing"]) == (2, 1)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(format=2), "format must be 1"),
        (lambda d: d["descriptors"][0].update(source="learner"), "source must be one of"),
        (lambda d: d["descriptors"][0].update(group="nowhere"), "is not one of the groups"),
        (lambda d: d["descriptors"][1].update(key="title"), "key 'title' is used twice"),
        (lambda d: d["descriptors"][0].update(key="made_up"), "give draws_on"),
        (
            lambda d: d["descriptors"][2].update(draws_on=[{"key": "title", "facet": "ects"}]),
            "title has no facet 'ects'",
        ),
        (lambda d: d["descriptors"][2].update(comparison={"eu": "yes"}), "must be one of"),
        (lambda d: d["descriptors"][2].update(comparison={"us": "required"}), "not a comparison"),
        (lambda d: d["rules"].update(min_credits=-1), "rules.min_credits must be a number"),
        (lambda d: d["rules"].update(max_fun=True), "rules.max_fun is not a known rule"),
        (lambda d: d.update(vocabularies=d["vocabularies"][1:]), "lacks participation_modes"),
        (lambda d: d["name"].update(en=""), "framework.name needs both ja and en"),
        (lambda d: d.update(published_on="April 2024"), "published_on must be a date"),
    ],
)
def test_a_broken_data_file_is_refused_with_the_reason_and_nothing_is_written(
    frameworks_loaded, tmp_path, change, problem
):
    data = jp_data() | {"version": "9.9"}
    change(data)
    with pytest.raises(FrameworkDataError) as error:
        load_framework_file(write(tmp_path, data))
    assert problem in str(error.value)
    assert not Framework.objects.filter(version="9.9").exists()


def test_a_file_that_is_not_json_is_refused(frameworks_loaded, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(FrameworkDataError, match="not valid JSON"):
        load_framework_file(path)


def test_shared_vocabularies_must_already_be_loaded(frameworks_loaded, tmp_path):
    data = json.loads((DATA_DIR / "eu-mc-2022.json").read_text(encoding="utf-8"))
    data["vocabularies_from"] = {"slug": "jp-mc", "version": "0.9"}
    with pytest.raises(FrameworkDataError, match=r"jp-mc 0\.9 is not loaded"):
        load_framework_file(write(tmp_path, data))


def test_the_command_re_syncs_and_reports_each_framework(frameworks_loaded, capsys):
    call_command("load_frameworks")
    output = capsys.readouterr().out
    assert "jp-mc 1.0: 0 created, 0 updated, 0 deleted" in output
    assert "eu-mc 2022" in output and "au-nmf 2022" in output


def test_the_command_loads_a_single_file_and_fails_cleanly_on_a_bad_one(
    frameworks_loaded, tmp_path, capsys
):
    call_command("load_frameworks", str(write(tmp_path, jp_data() | {"version": "2.0"})))
    assert "jp-mc 2.0: " in capsys.readouterr().out
    with pytest.raises(CommandError, match="format must be 1"):
        call_command("load_frameworks", str(write(tmp_path, jp_data() | {"format": 0}, "bad.json")))
