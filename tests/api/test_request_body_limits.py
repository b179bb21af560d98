"""Request bodies over an endpoint's limit are refused with 413 before they are read: the
handler is driven with a wsgi.input that counts the bytes taken from it."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, encode_multipart

from badges.forms import MAX_UPLOAD_BYTES
from common.body_limits import (
    ADMIN_MAX_BODY_BYTES,
    DEFAULT_MAX_BODY_BYTES,
    MULTIPART_SLACK,
    body_limit_for,
)
from credentials.forms import MAX_IMPORT_BYTES

THIRTY_MB = 30 * 2**20


class CountingInput:
    """A wsgi.input that remembers how much was read from it."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = self._data.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = self._data.readline(size)
        self.bytes_read += len(line)
        return line


def _send(path, body: bytes, content_type: str, *, chunked=False, **headers):
    """(response, the CountingInput) of a POST through Django's full handler stack."""
    environ = RequestFactory().generic("POST", path, **headers).environ
    counting = CountingInput(body)
    environ["wsgi.input"] = counting
    environ["CONTENT_TYPE"] = content_type
    if chunked:  # what a WSGI server passes on for Transfer-Encoding: chunked
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    return ClientHandler()(environ), counting


def _multipart(**fields) -> bytes:
    return encode_multipart(BOUNDARY, fields)


@pytest.fixture(scope="module")
def big_image():
    return _multipart(file=SimpleUploadedFile("badge.png", b"\x89PNG" + b"\0" * THIRTY_MB))


def _problem(response, language_detail):
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 413 and body["type"] == "urn:mc-portal:problem:payload-too-large"
    assert language_detail in body["detail"]
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [("ja", "リクエストの本文が、この宛先で受け付ける大きさ"), ("en", "larger than this endpoint")],
)
def test_a_30_mb_upload_to_verify_is_refused_unread(big_image, language, detail):
    response, body = _send(
        "/api/v1/verify/", big_image, MULTIPART_CONTENT, HTTP_ACCEPT_LANGUAGE=language
    )
    _problem(response, detail)
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_a_30_mb_csv_batch_is_refused_unread_even_with_a_token(api_a, version_a):
    csv = b"email,result,assessed_on\n" + b"a@example.ac.jp,pass,2026-07-31\n" * (THIRTY_MB // 32)
    upload = _multipart(
        program=str(version_a.programme_id), file=SimpleUploadedFile("results.csv", csv)
    )
    response, body = _send(
        "/api/v1/batches/",
        upload,
        MULTIPART_CONTENT,
        HTTP_AUTHORIZATION=api_a._credentials["HTTP_AUTHORIZATION"],
        HTTP_ACCEPT_LANGUAGE="en",
    )
    problem = _problem(response, "(20 MB)")
    assert problem["instance"] == "/api/v1/batches/"
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_a_json_body_over_the_general_limit_is_refused_unread(api_a):
    payload = json.dumps({"slug": "x", "descriptors": {"pad": "x" * THIRTY_MB}}).encode()
    response, body = _send(
        "/api/v1/programs/", payload, "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    _problem(response, "(2.5 MB)")
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_a_chunked_body_is_read_only_up_to_the_limit(big_image):
    response, body = _send(
        "/api/v1/verify/", big_image, MULTIPART_CONTENT, chunked=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    _problem(response, "larger than this endpoint")
    limit = MAX_UPLOAD_BYTES + MULTIPART_SLACK
    assert limit < body.bytes_read <= limit + 1
    assert body.bytes_read < THIRTY_MB // 5


@pytest.mark.django_db
def test_a_chunked_body_within_the_limit_reaches_the_view():
    payload = json.dumps({"jws": "a.b.c"}).encode()
    response, body = _send(
        "/api/v1/verify/", payload, "application/json", chunked=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["verdict"] in {"invalid", "error"}
    assert body.bytes_read == len(payload)


@pytest.mark.django_db
def test_an_upload_within_the_limit_is_still_verified():
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_UPLOAD_BYTES - 100)
    response, body = _send(
        "/api/v1/verify/",
        _multipart(file=SimpleUploadedFile("badge.png", image)),
        MULTIPART_CONTENT,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    assert body.bytes_read > MAX_UPLOAD_BYTES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"), [("ja", "リクエストが大きすぎます"), ("en", "too large")]
)
def test_the_verify_page_answers_413_with_a_page(big_image, language, message):
    response, body = _send("/verify/", big_image, MULTIPART_CONTENT, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert body.bytes_read == 0


def test_each_endpoint_has_its_limit():
    assert body_limit_for("/api/v1/verify/") == MAX_UPLOAD_BYTES + MULTIPART_SLACK
    assert body_limit_for("/verify/") == MAX_UPLOAD_BYTES + MULTIPART_SLACK
    assert body_limit_for("/api/v1/batches/") == MAX_IMPORT_BYTES + MULTIPART_SLACK
    assert body_limit_for("/api/v1/awards/") == DEFAULT_MAX_BODY_BYTES
    assert body_limit_for("/learner/sign-in/") == DEFAULT_MAX_BODY_BYTES
    assert body_limit_for("/admin/credentials/programme/") == ADMIN_MAX_BODY_BYTES
    assert body_limit_for("/no/such/page/") == DEFAULT_MAX_BODY_BYTES


def test_the_admin_body_limit_fits_the_results_import_file_limit():
    assert ADMIN_MAX_BODY_BYTES == MAX_IMPORT_BYTES + MULTIPART_SLACK
