"""The example app runs on the embedded default store and moves a user through stages."""

from __future__ import annotations

from example_app import create_app


def test_demo_user_moves_from_awareness_to_use() -> None:
    app = create_app({"TESTING": True})
    client = app.test_client()
    assert "Sign in as a demo user" in client.get("/").text
    client.get("/login/ana")
    assert "Stage: <strong>awareness</strong>" in client.get("/").text
    client.post("/do", data={"event": "installed_code"})
    page = client.get("/").text
    assert "Stage: <strong>use</strong>" in page
    assert "installed_code: 1" in page
    client.post("/do", data={"event": "not_declared"})  # ignored, never a 500
    assert client.get("/").status_code == 200
