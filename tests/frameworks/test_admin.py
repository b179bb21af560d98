"""The read-only admin of frameworks and vocabularies."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from frameworks.models import Descriptor, Framework, Vocabulary


@pytest.fixture
def superuser_client(client, frameworks_loaded):
    user = get_user_model().objects.create_superuser("root", "root@example.ac.jp", "pw-for-tests")
    client.force_login(user)
    return client


def test_the_framework_admin_lists_and_shows_frameworks_with_descriptors(superuser_client):
    framework = Framework.objects.get(slug="jp-mc")
    listing = superuser_client.get(reverse("admin:frameworks_framework_changelist"))
    page = superuser_client.get(reverse("admin:frameworks_framework_change", args=[framework.pk]))
    assert listing.status_code == page.status_code == 200
    assert "learner_identification" in page.content.decode()


def test_the_admin_cannot_add_change_or_delete_framework_data(superuser_client):
    assert superuser_client.get(reverse("admin:frameworks_framework_add")).status_code == 403
    vocabulary = Vocabulary.objects.get(key="credit_systems")
    change = reverse("admin:frameworks_vocabulary_change", args=[vocabulary.pk])
    before = vocabulary.label_ja
    superuser_client.post(change, {"label_ja": "変更"})
    vocabulary.refresh_from_db()
    assert vocabulary.label_ja == before
    descriptor = Descriptor.objects.first()
    delete = reverse("admin:frameworks_descriptor_delete", args=[descriptor.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403


def test_the_vocabulary_admin_shows_terms(superuser_client):
    vocabulary = Vocabulary.objects.get(key="jeqf_levels")
    page = superuser_client.get(reverse("admin:frameworks_vocabulary_change", args=[vocabulary.pk]))
    assert page.status_code == 200
    assert "レベル8（博士）" in page.content.decode()


def test_the_resync_action_reloads_from_the_data_files(superuser_client):
    Descriptor.objects.filter(framework__slug="jp-mc", key="title").update(label_en="Edited")
    response = superuser_client.post(
        reverse("admin:frameworks_framework_changelist"),
        {
            "action": "resync_from_data_files",
            "_selected_action": [Framework.objects.get(slug="jp-mc").pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    title = Descriptor.objects.get(framework__slug="jp-mc", key="title")
    assert title.label_en == "Title of the micro-credential"
