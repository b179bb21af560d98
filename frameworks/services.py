"""Writes: loading framework data files into the database. Public API:

    load_framework_file(path) -> LoadResult
    sync_frameworks_from_data(data_dir=None) -> list[LoadResult]

Loading is idempotent: rows are matched on their natural keys (framework slug + version,
descriptor key, group code, vocabulary key, term code), saved only when a field changed, and
rows the file no longer has are deleted. Frameworks whose file disappeared are kept, since
published programmes point at them.

Both functions take `apps` so the data migration can run them on its historical models; they
then set only the fields those models already have, and a later migration re-syncs the rest.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as global_apps
from django.db import transaction

from .data_schema import FrameworkData, FrameworkDataError, check_framework_data

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadResult:
    slug: str
    version: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    framework: object = field(default=None, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()} | {
        f.attname for f in model._meta.concrete_fields
    }


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    """Create or update one row; count what happened. Returns the row."""
    known = _field_names(model)
    values = {name: value for name, value in values.items() if name in known}
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
        row.full_clean(validate_constraints=False)
        row.save()
        result.created += 1
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.full_clean(validate_constraints=False)
        row.save(update_fields=changed)
        result.updated += 1
    else:
        result.unchanged += 1
    return row


def _delete_stale(queryset, result: LoadResult) -> None:
    count = queryset.count()
    if count:
        queryset.delete()
        result.deleted += count


def _save_framework(data: FrameworkData, source_name: str, apps, result: LoadResult):
    Framework = apps.get_model("frameworks", "Framework")
    vocabularies_from = None
    if data.vocabularies_from:
        slug, version = data.vocabularies_from
        vocabularies_from = Framework.objects.filter(slug=slug, version=version).first()
        if vocabularies_from is None:
            raise FrameworkDataError(
                source_name, [f"vocabularies_from {slug} {version} is not loaded; load it first"]
            )
    if data.fields["is_default"]:
        # One default at a time (a partial unique constraint): step the old one down first.
        Framework.objects.filter(is_default=True).exclude(
            slug=data.slug, version=data.version
        ).update(is_default=False)
    values = data.fields | {"vocabularies_from": vocabularies_from, "data_file": source_name}
    return _upsert(Framework, {"slug": data.slug, "version": data.version}, values, result)


def _save_groups(framework, data: FrameworkData, apps, result: LoadResult) -> dict:
    DescriptorGroup = apps.get_model("frameworks", "DescriptorGroup")
    groups = {}
    for group in data.groups:
        values = {name: value for name, value in group.items() if name != "code"}
        groups[group["code"]] = _upsert(
            DescriptorGroup, {"framework": framework, "code": group["code"]}, values, result
        )
    return groups


def _save_descriptors(framework, data: FrameworkData, groups: dict, apps, result: LoadResult):
    Descriptor = apps.get_model("frameworks", "Descriptor")
    keys = [descriptor["key"] for descriptor in data.descriptors]
    _delete_stale(Descriptor.objects.filter(framework=framework).exclude(key__in=keys), result)
    # Numbers are unique per framework: park renumbered rows out of the way before saving.
    moved = Descriptor.objects.filter(framework=framework)
    for descriptor in data.descriptors:
        moved.filter(key=descriptor["key"]).exclude(number=descriptor["number"]).update(
            number=10000 + descriptor["number"]
        )
    for descriptor in data.descriptors:
        values = {name: value for name, value in descriptor.items() if name != "key"}
        values["group"] = groups[descriptor["group"]]
        _upsert(Descriptor, {"framework": framework, "key": descriptor["key"]}, values, result)


def _save_vocabularies(framework, data: FrameworkData, apps, result: LoadResult) -> None:
    Vocabulary = apps.get_model("frameworks", "Vocabulary")
    Term = apps.get_model("frameworks", "Term")
    keys = [vocabulary["key"] for vocabulary in data.vocabularies]
    _delete_stale(Vocabulary.objects.filter(framework=framework).exclude(key__in=keys), result)
    for vocabulary in data.vocabularies:
        values = {"label_ja": vocabulary["label_ja"], "label_en": vocabulary["label_en"]}
        row = _upsert(
            Vocabulary, {"framework": framework, "key": vocabulary["key"]}, values, result
        )
        codes = [term["code"] for term in vocabulary["terms"]]
        _delete_stale(Term.objects.filter(vocabulary=row).exclude(code__in=codes), result)
        for term in vocabulary["terms"]:
            term_values = {name: value for name, value in term.items() if name != "code"}
            _upsert(Term, {"vocabulary": row, "code": term["code"]}, term_values, result)


def read_framework_file(path) -> FrameworkData:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FrameworkDataError(path.name, [f"not valid JSON: {error}"]) from error
    return check_framework_data(data, path.name)


@transaction.atomic
def save_framework_data(data: FrameworkData, source_name: str, *, apps=None) -> LoadResult:
    apps = apps or global_apps
    result = LoadResult(data.slug, data.version)
    framework = _save_framework(data, source_name, apps, result)
    groups = _save_groups(framework, data, apps, result)
    _save_descriptors(framework, data, groups, apps, result)
    DescriptorGroup = apps.get_model("frameworks", "DescriptorGroup")
    codes = [group["code"] for group in data.groups]
    _delete_stale(
        DescriptorGroup.objects.filter(framework=framework).exclude(code__in=codes), result
    )
    if data.vocabularies_from is None:
        _save_vocabularies(framework, data, apps, result)
    else:
        # Shared vocabularies replace any the framework once had of its own.
        Vocabulary = apps.get_model("frameworks", "Vocabulary")
        _delete_stale(Vocabulary.objects.filter(framework=framework), result)
    result.framework = framework
    return result


def load_framework_file(path, *, apps=None) -> LoadResult:
    """Load (or re-sync) one framework data file."""
    return save_framework_data(read_framework_file(path), Path(path).name, apps=apps)


def _in_dependency_order(files: list[tuple[Path, FrameworkData]]):
    """Frameworks that others take vocabularies from come first."""
    pending, ordered = list(files), []
    loaded = set()
    while pending:
        ready = [
            item
            for item in pending
            if item[1].vocabularies_from is None or item[1].vocabularies_from in loaded
        ]
        if not ready:  # the rest refer to frameworks no file provides: let the loader say so
            ready = pending[:1]
        for item in ready:
            pending.remove(item)
            ordered.append(item)
            loaded.add((item[1].slug, item[1].version))
    return ordered


@transaction.atomic
def sync_frameworks_from_data(data_dir=None, *, apps=None) -> list[LoadResult]:
    """Load every *.json file of `data_dir` (default frameworks/data/) in one transaction."""
    directory = Path(data_dir) if data_dir else DATA_DIR
    files = [(path, read_framework_file(path)) for path in sorted(directory.glob("*.json"))]
    return [
        save_framework_data(data, path.name, apps=apps)
        for path, data in _in_dependency_order(files)
    ]
