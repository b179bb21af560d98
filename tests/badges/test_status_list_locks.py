"""Status list row locks: taken in one order (the issuer's row, then the list's), so that a
batch chunk claiming indices and a list being re-signed (after a revocation) never deadlock."""

import threading
import time

import pytest
from django.db import connection, transaction

from badges import status
from badges.models import StatusList
from issuers.models import Issuer
from issuers.services import ensure_signing_keys
from tests.issuers.factories import IssuerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def a_list_to_resign() -> StatusList:
    issuer = IssuerFactory()
    ensure_signing_keys(issuer)
    [(status_list, index)] = status.claim_status_indices(issuer, 1)
    status.signed_status_list_credential(status_list)
    status.set_status(status_list, index)  # a revocation: the list needs signing again
    StatusList.objects.filter(pk=status_list.pk).update(signed_version=0)
    return status_list


def test_a_claim_and_a_re_signing_of_the_same_list_do_not_deadlock():
    status_list = a_list_to_resign()
    issuer_held, errors = threading.Event(), []

    def claim_like_a_chunk():
        # What claim_status_indices does, slowed down between its two locks.
        try:
            with transaction.atomic():
                Issuer.objects.select_for_update(no_key=True).get(pk=status_list.issuer_id)
                issuer_held.set()
                time.sleep(0.5)  # the re-signing below starts meanwhile
                StatusList.objects.select_for_update(no_key=True).get(pk=status_list.pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=claim_like_a_chunk)
    worker.start()
    assert issuer_held.wait(timeout=10)
    signed = status.signed_status_list_credential(status_list)  # waits for the claim, no cycle
    worker.join(timeout=30)
    assert errors == []
    assert signed["proof"]["proofValue"]
    status_list.refresh_from_db()
    assert status_list.signed_version == status_list.version
