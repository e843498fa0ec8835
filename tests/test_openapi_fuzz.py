"""Issue 10 item 9: schemathesis over our OpenAPI document, against a live server.

The document is the one the app serves (``GET /onboarding/api/openapi.json``); the server is
tests/hosts/login_app.py on a real werkzeug server in a thread; every request is sent as a
signed-in customer with a valid CSRF header. Positive and negative data, a fixed seed
(``derandomize``) and a small number of examples per operation. Checks: no server error (5xx),
no invalid request accepted (negative data must get a 4xx), and answers that match the
document (schema, content type, status codes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from tests.hosts import login_app

DOCUMENT = "/onboarding/api/openapi.json"
MAX_EXAMPLES = 60  # per operation and mode; with the seed fixed, every run sends the same cases
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
#: the guide each /guides/{guide_id}/<action> operation is sent to (tests/hosts/login_content.yaml)
REAL_GUIDES = {
    "shown": "projects-tip",
    "dismiss": "projects-tip",
    "complete": "first-steps",
    "progress": "projects-tour",
    "feedback": "faq-invite",
    "followup": "projects-tip",  # no trouble noted: the body is validated, then 404
}


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    app = login_app.create_app({"ONBOARDING_STORAGE_URI": "memory://"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def signed_in(live_url: str) -> Iterator[tuple[requests.Session, str]]:
    """A customer's browser session and their CSRF token (from the widget's payload)."""
    session = requests.Session()
    answer = session.post(f"{live_url}/login", data={"username": "cora", "password": login_app.PASSWORD})
    assert answer.ok, answer.text
    payload = session.get(f"{live_url}/onboarding/api/guides", params={"page": "projects"})
    assert payload.status_code == 200, payload.text
    yield session, payload.json()["csrf"]["token"]
    session.close()


def served_document() -> dict[str, Any]:
    """The document exactly as the app serves it (read at import: schemathesis parametrizes then)."""
    answer = login_app.create_app({"ONBOARDING_STORAGE_URI": "memory://"}).test_client().get(DOCUMENT)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.get_json()
    return document


schema = schemathesis.openapi.from_dict(served_document())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True
)


def fuzz(case: schemathesis.Case[Any], live_url: str, signed_in: tuple[requests.Session, str]) -> None:
    session, token = signed_in
    if case.path_parameters and "guide_id" in case.path_parameters:
        # a made-up id only ever meets the 404; a real one lets the body reach validation
        case.path_parameters["guide_id"] = REAL_GUIDES[case.path.rsplit("/", 1)[-1]]
    case.call_and_validate(
        base_url=f"{live_url}/onboarding/api", session=session, headers={"X-Onboarding-CSRF": token}, checks=CHECKS
    )


@schema.parametrize()
@settings(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(
    case: schemathesis.Case[Any], live_url: str, signed_in: tuple[requests.Session, str]
) -> None:
    fuzz(case, live_url, signed_in)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/guides/projects-tip/shown", {"auto": "yes"}),
        ("/guides/projects-tip/shown", {"auto": 1}),
        ("/guides/faq-invite/feedback", {"helpful": "yes"}),
        ("/guides/faq-invite/feedback", {"helpful": 1}),
        ("/guides/faq-invite/feedback", {"helpful": "true"}),
    ],
)
def test_booleans_are_strict(live_url: str, signed_in: tuple[requests.Session, str], path: str, body: Any) -> None:
    """The document says boolean: a string or a number is refused with the field named."""
    session, token = signed_in
    answer = session.post(f"{live_url}/onboarding/api{path}", json=body, headers={"X-Onboarding-CSRF": token})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["error"]["fields"]) == set(body)
