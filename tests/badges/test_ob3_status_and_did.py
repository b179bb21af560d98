"""did:web documents and Bitstring Status List services (badges.ob3, badges.status)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from badges import dataintegrity, extension, ob3, services, status
from badges.models import BadgeRecord, StatusList
from badges.status_list import decode_status_list
from badges.views import versioned
from issuers.models import SigningKey
from issuers.services import ensure_signing_keys, rotate_signing_key
from tests.badges.ob3_world import issue, owner_of, passed_assessment, revoke
from tests.issuers.factories import IssuerFactory

pytestmark = pytest.mark.django_db


class TestDid:
    @override_settings(PORTAL_BASE_URL="http://localhost:8123")
    def test_did_web_encodes_the_port_and_resolves_to_the_did_document_route(self):
        issuer = IssuerFactory(slug="minato-u")
        did = ob3.did_for(issuer)
        assert did == "did:web:localhost%3A8123:issuers:minato-u"
        assert dataintegrity.did_web_url(did) == "http://localhost:8123/issuers/minato-u/did.json"
        assert extension.portal_url("did-document", slug="minato-u") == (
            "http://localhost:8123/issuers/minato-u/did.json"
        )

    @override_settings(PORTAL_BASE_URL="https://mc.example.ac.jp")
    def test_without_port(self):
        assert ob3.did_for(IssuerFactory(slug="x")) == "did:web:mc.example.ac.jp:issuers:x"

    def test_active_and_retired_ed25519_keys_are_listed_with_absolute_ids(self):
        issuer = IssuerFactory()
        first = ensure_signing_keys(issuer)["ed25519"]
        second = rotate_signing_key(actor=owner_of(issuer), issuer=issuer, algorithm="ed25519")
        document = ob3.did_document(issuer)
        did = ob3.did_for(issuer)
        assert document["id"] == did
        assert document["@context"] == [ob3.DID_V1, ob3.MULTIKEY_V1]
        methods = document["verificationMethod"]
        assert [m["id"] for m in methods] == [f"{did}#{second.key_id}", f"{did}#{first.key_id}"]
        assert document["assertionMethod"] == [m["id"] for m in methods]
        for method, key in zip(methods, (second, first), strict=True):
            assert method["type"] == "Multikey" and method["controller"] == did
            assert method["publicKeyMultibase"] == key.public_key_multibase
            assert "revoked" not in method and "expires" not in method
        # RSA (OB 2.0) keys are not DID verification methods.
        rsa = SigningKey.objects.get(issuer=issuer, algorithm="rsa2048")
        assert rsa.key_id not in str(document)

    def test_our_resolver_accepts_each_listed_key(self):
        issuer = IssuerFactory()
        key = ensure_signing_keys(issuer)["ed25519"]
        document = ob3.did_document(issuer)
        resolver = dataintegrity.ControllerDocumentResolver({document["id"]: document})
        public = resolver(ob3.verification_method_id(key), proof_purpose="assertionMethod")
        assert public.public_bytes_raw() == bytes(key.public_key)


class TestStatusIndices:
    def test_many_awards_get_distinct_random_indices(self):
        issuer = IssuerFactory()
        version = passed_assessment(issuer=issuer).programme_version
        records = [
            services.issue_badges_for_award(issue(passed_assessment(version=version)).pk)
            for _ in range(25)
        ]
        indices = [r.status_index for r in records]
        assert len(set(indices)) == 25
        assert len({r.status_list_id for r in records}) == 1
        assert indices != sorted(indices)  # random, not sequential (herd privacy)
        assert all(0 <= i < records[0].status_list.size for i in indices)

    def test_a_full_list_starts_a_new_one(self):
        issuer = IssuerFactory()
        first_list, _ = status.allocate_status_index(issuer)
        # 131,072 awards are too many for a unit test: every index of the first list is claimed.
        first_list.claimed = b"\xff" * (first_list.size // 8)
        first_list.save()
        second_list, index = status.allocate_status_index(issuer)
        assert second_list.pk != first_list.pk
        assert 0 <= index < second_list.size
        assert status.allocate_status_index(issuer)[0].pk == second_list.pk
        assert StatusList.objects.filter(issuer=issuer).count() == 2

    def test_a_batch_claim_spills_over_into_a_new_list(self):
        issuer = IssuerFactory()
        first_list, _ = status.allocate_status_index(issuer)
        # Only the last eight indices of the first list are free.
        first_list.claimed = b"\xff" * (first_list.size // 8 - 1) + b"\x00"
        first_list.save()
        claimed = status.claim_status_indices(issuer, 10)
        in_first = sorted(index for sl, index in claimed if sl.pk == first_list.pk)
        assert in_first == list(range(first_list.size - 8, first_list.size))
        assert len({sl.pk for sl, _ in claimed}) == 2
        first_list.refresh_from_db()
        assert bytes(first_list.claimed) == b"\xff" * (first_list.size // 8)

    def test_claims_are_remembered_so_no_index_is_handed_out_twice(self):
        issuer = IssuerFactory()
        first = status.claim_status_indices(issuer, 300)
        second = status.claim_status_indices(issuer, 300)
        assert len({index for _, index in first + second}) == 600


class TestRevocation:
    def test_revoking_sets_exactly_the_awards_bit_and_re_signs_once(
        self, django_capture_on_commit_callbacks
    ):
        award = issue(passed_assessment())
        record = services.issue_badges_for_award(award.pk)
        other = services.issue_badges_for_award(
            issue(passed_assessment(version=award.programme_version)).pk
        )
        status_list = record.status_list
        assert status_list.signed_version == status_list.version == 1
        signed_before = status_list.credential
        assert decode_status_list(signed_before["credentialSubject"]["encodedList"]).count() == 0

        revoke(award)
        services.revoke_badges_for_award(award.pk)
        status_list.refresh_from_db()
        assert status_list.version == 2 and status_list.signed_version == 2
        signed = status_list.credential
        bits = decode_status_list(signed["credentialSubject"]["encodedList"])
        assert list(bits.set_indices()) == [record.status_index]
        assert other.status_index != record.status_index

        # Again: nothing changes, nothing is re-signed.
        services.revoke_badges_for_award(award.pk)
        status_list.refresh_from_db()
        assert status_list.version == 2
        assert status.signed_status_list_credential(status_list) == signed

    def test_status_list_credential_shape_and_signature(self):
        award = issue(passed_assessment())
        record = services.issue_badges_for_award(award.pk)
        issuer = award.programme_version.programme.issuer
        signed = status.signed_status_list_credential(record.status_list)
        url = ob3.status_list_url(record.status_list)
        assert signed["@context"] == [ob3.VC_V2]
        assert signed["id"] == url
        assert signed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert signed["issuer"] == ob3.did_for(issuer)
        assert signed["credentialSubject"]["id"] == f"{url}#list"
        assert signed["credentialSubject"]["type"] == "BitstringStatusList"
        assert signed["credentialSubject"]["statusPurpose"] == "revocation"
        assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        document = ob3.did_document(issuer)
        result = dataintegrity.verify_eddsa_rdfc_2022(
            signed, resolver=dataintegrity.ControllerDocumentResolver({document["id"]: document})
        )
        assert result.verified, result.errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_share_an_index():
    """Eight threads (eight database connections, like eight workers) issue at once."""
    import threading

    from django.db import connection
    from django.utils import timezone

    from credentials.models import Award
    from tests.credentials.factories import AwardFactory
    from tests.frameworks.fixtures import ensure_frameworks_loaded

    ensure_frameworks_loaded()
    issuer = IssuerFactory()
    ensure_signing_keys(issuer)
    version = passed_assessment(issuer=issuer).programme_version
    # Rows written directly: issue_award would already run the (eager) task on commit.
    awards = [
        AwardFactory(
            assessment=passed_assessment(version=version),
            status=Award.Status.ISSUED,
            issued_at=timezone.now(),
        )
        for _ in range(8)
    ]
    assert not BadgeRecord.objects.exists()
    barrier = threading.Barrier(len(awards))
    errors = []

    def allocate(award_pk):
        try:
            barrier.wait(timeout=30)
            services.issue_badges_for_award(award_pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(a.pk,)) for a in awards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    records = BadgeRecord.objects.filter(award__in=awards)
    assert records.count() == 8
    assert len({r.status_index for r in records}) == 8


class TestHttpCaching:
    def test_status_list_revalidates_with_a_strong_etag_and_a_short_lifetime(self, client):
        record = services.issue_badges_for_award(issue(passed_assessment()).pk)
        url = reverse("badges:status-list", kwargs={"public_id": record.status_list.public_id})

        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=60"
        assert first["ETag"].startswith('"')
        assert again.status_code == 304 and again.content == b""

    def test_revocation_is_in_the_status_list_at_once_though_it_was_fetched_before(self, client):
        award = issue(passed_assessment())
        record = services.issue_badges_for_award(award.pk)
        url = reverse("badges:status-list", kwargs={"public_id": record.status_list.public_id})
        before = client.get(url)

        revoke(award)
        services.revoke_badges_for_award(award.pk)
        after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

        assert after.status_code == 200
        assert after["ETag"] != before["ETag"]
        bits = decode_status_list(after.json()["credentialSubject"]["encodedList"])
        assert list(bits.set_indices()) == [record.status_index]

    def test_did_document_answers_304_to_its_etag(self, client):
        issuer = IssuerFactory(slug="etag-u")
        ensure_signing_keys(issuer)
        url = reverse("badges:did-document", kwargs={"slug": "etag-u"})

        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=300"
        assert again.status_code == 304

    def test_a_kept_status_list_costs_one_query_and_is_byte_for_byte_the_rendered_one(
        self, client, django_assert_num_queries
    ):
        versioned.forget()
        record = services.issue_badges_for_award(issue(passed_assessment()).pk)
        url = reverse("badges:status-list", kwargs={"public_id": record.status_list.public_id})
        rendered = client.get(url)
        with django_assert_num_queries(1):  # the list's version, nothing else
            kept = client.get(url)
        assert kept.content == rendered.content and kept["ETag"] == rendered["ETag"]

    def test_a_key_rotation_shows_in_the_did_document_at_once(self, client):
        versioned.forget()
        issuer = IssuerFactory(slug="rotate-u")
        ensure_signing_keys(issuer)
        url = reverse("badges:did-document", kwargs={"slug": "rotate-u"})
        before = client.get(url).json()
        client.get(url)  # now kept
        rotate_signing_key(actor=owner_of(issuer), issuer=issuer, algorithm="ed25519")
        after = client.get(url).json()
        assert len(after["verificationMethod"]) == len(before["verificationMethod"]) + 1
        assert after["assertionMethod"][1:] == before["assertionMethod"]  # the new key first
