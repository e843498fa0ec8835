"""`flask onboarding check --render` against the blog host of tests/hosts/render_check: the real
`flask` command on a copy of the host, one anchor removed from a template at a time; pages
that cannot be rendered, endpoints that never match, and the host's store left untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from flask import redirect

from onboarding_sdk.errors import ConfigurationError
from tests.hosts.render_check.app import create_app

HOST = Path(__file__).resolve().parent / "hosts" / "render_check"
FLASK = Path(sys.executable).with_name("flask")


def copy_host(tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(HOST, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def check(host: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(HOST.parent.parent.parent)}
    return subprocess.run(
        [str(FLASK), "--app", str(host / "app.py"), "onboarding", "check", "--render"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def line_of(content: Path, guide_id: str) -> int:
    lines = content.read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip() == f"- id: {guide_id}")


def remove(template: Path, mark: str) -> None:
    text = template.read_text()
    assert mark in text
    template.write_text(text.replace(mark, ""))


def test_the_blog_passes_and_a_removed_anchor_names_the_guides_file_and_line(tmp_path: Path) -> None:
    host = copy_host(tmp_path)
    ok = check(host)
    assert ok.returncode == 0, ok.stderr
    assert "rendered 4 page(s) as a user of awareness, use, depth, adaptation, stickiness" in ok.stdout
    assert ok.stderr == ""

    remove(host / "templates" / "blog" / "update.html", ' {{ onboarding_anchor("save") }}')
    failed = check(host)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    content = host / "onboarding.yaml"
    assert f"{content}:{line_of(content, 'editing-tour')}: guides.editing-tour.steps[1].anchor: " in failed.stderr


def test_an_anchor_the_page_does_not_render_is_found_only_by_rendering(tmp_path: Path) -> None:
    host = copy_host(tmp_path)
    update = host / "templates" / "blog" / "update.html"
    mark = '{{ onboarding_anchor("save") }}'
    update.write_text(update.read_text().replace(mark, "{% if post.locked %}" + mark + "{% endif %}"))
    failed = check(host)
    assert failed.returncode == 1
    content = host / "onboarding.yaml"
    where = f"{content}:{line_of(content, 'editing-tour')}: guides.editing-tour.steps[1].anchor:"
    assert f"{where} 'save' is not on page blog.update (GET /1/update) as rendered for" in failed.stderr


def test_a_validation_hints_field_without_an_anchor(tmp_path: Path) -> None:
    host = copy_host(tmp_path)
    remove(host / "templates" / "blog" / "update.html", ' {{ onboarding_anchor("title") }}')
    failed = check(host)
    assert failed.returncode == 1
    content = host / "onboarding.yaml"
    where = f"{content}:{line_of(content, 'title-required')}: guides.title-required.field:"
    assert f"{where} the field 'title' carries no anchor on any page" in failed.stderr


def test_a_term_shown_to_some_stages_is_looked_for_as_those_users(tmp_path: Path) -> None:
    host = copy_host(tmp_path)
    remove(host / "templates" / "blog" / "index.html", ' ({{ onboarding_term("UV") }})')
    failed = check(host)
    content = host / "onboarding.yaml"
    where = f"{content}:{line_of(content, 'glossary-uv')}: guides.glossary-uv.term:"
    assert failed.returncode == 1
    assert f"{where} 'term-glossary-uv' is not on page blog.index (GET /) as rendered for use, depth," in failed.stderr


BROKEN = """
guides:
  - id: on-delete
    kind: footer_help
    title: Deleting
    body: Gone for good.
    when: {endpoints: [blog.delete]}
  - id: ghost-tip
    kind: footer_help
    title: Ghost
    body: Nothing here.
    when: {endpoints: [ghost]}
  - id: nowhere
    kind: footer_help
    title: Nowhere
    body: No such page.
    when: {paths: ["/nowhere/*"]}
  - id: private-tip
    kind: tooltip
    anchor: nav-about
    title: Private
    body: Behind a login.
    when: {endpoints: [private]}
  - id: edit-tip
    kind: tooltip
    anchor: title
    title: Title
    body: The post's title.
    when: {endpoints: [blog.update]}
  - id: home-tip
    kind: footer_help
    title: Home
    body: Named by its alias.
    when: {endpoints: [home]}
"""


def test_pages_that_cannot_be_checked_and_endpoints_that_never_match(tmp_path: Path) -> None:
    content = tmp_path / "broken.yaml"
    content.write_text(BROKEN)
    app = create_app({"ONBOARDING_CONTENT": [str(content)], "ONBOARDING_CHECK_SAMPLE_ARGS": {}})
    app.add_url_rule("/ghost", endpoint="ghost")  # a rule without a view function
    app.add_url_rule("/private", "private", lambda: redirect("/login"))
    app.add_url_rule("/", endpoint="home")  # flaskr's alias: "/" is answered by blog.index
    result = app.test_cli_runner().invoke(args=["onboarding", "check", "--render"])
    assert result.exit_code == 1
    err = result.stderr
    at = {guide: f"{content}:{line_of(content, guide)}: guides.{guide}." for guide in ("on-delete", "ghost-tip")}
    assert f"{at['on-delete']}when.endpoints: endpoint 'blog.delete' answers no GET: it is never a page" in err
    assert f"{at['ghost-tip']}when.endpoints: endpoint 'ghost' has no view function" in err
    assert "warning: page ghost not rendered: no view function" in err
    alias = f"{content}:{line_of(content, 'home-tip')}: guides.home-tip.when.endpoints: endpoint 'home' never matches:"
    assert f"{alias} its URL is answered by 'blog.index' (a page view has that endpoint); use 'blog.index'" in err
    assert "page home" not in err  # an alias is no page of its own
    assert f"{content}:{line_of(content, 'nowhere')}: guides.nowhere.when.paths: warning: '/nowhere/*' matches" in err
    assert (
        "warning: page blog.update not rendered: needs URL arguments id: add them to ONBOARDING_CHECK_SAMPLE_ARGS"
        in err
    )
    assert "warning: page private not rendered: GET /private answered 302 to /login" in err
    edit = f"{content}:{line_of(content, 'edit-tip')}: guides.edit-tip.anchor: warning: cannot check 'title' on page"
    assert edit in err
    private = (
        f"{content}:{line_of(content, 'private-tip')}: guides.private-tip.anchor: warning: cannot check 'nav-about'"
    )
    assert private in err


def test_the_hosts_store_is_never_read_or_written(redis_uri: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    app = create_app({"ONBOARDING_STORAGE_URI": redis_uri, "ONBOARDING_KEY_PREFIX": prefix})
    engine = app.extensions["onboarding"]
    with app.app_context():
        engine.track("real-user", "post_created")
    server = redis.Redis.from_url(redis_uri)
    before = {key: server.dump(key) for key in server.scan_iter(match=f"{prefix}:*")}
    assert before
    result = app.test_cli_runner().invoke(args=["onboarding", "check", "--render"])
    assert result.exit_code == 0, result.output
    after = {key: server.dump(key) for key in server.scan_iter(match=f"{prefix}:*")}
    assert after == before
    assert engine.storage.uri == redis_uri  # the host's store is back in place
    with app.app_context():
        assert engine.state_of("real-user").count("post_created") == 1
    engine.storage.reset()


def test_a_page_behind_the_hosts_login_needs_the_login_hook() -> None:
    app = create_app({"ONBOARDING_CHECK_LOGIN": None})
    result = app.test_cli_runner().invoke(args=["onboarding", "check", "--render"])
    assert result.exit_code == 0, result.stderr  # nothing wrong was found; what was not seen is said
    assert "warning: page blog.update not rendered: GET /1/update answered 302 to /login" in result.stderr
    assert "guides.editing-tour.steps[1].anchor: warning: cannot check 'save' on page blog.update" in result.stderr
    named = create_app({"ONBOARDING_CHECK_LOGIN": "tests.hosts.render_check.app:sign_in"})
    result = named.test_cli_runner().invoke(args=["onboarding", "check", "--render"])
    assert result.exit_code == 0 and result.stderr == ""


def test_check_settings_are_checked_at_start() -> None:
    with pytest.raises(ConfigurationError, match="ONBOARDING_CHECK_SAMPLE_ARGS"):
        create_app({"ONBOARDING_CHECK_SAMPLE_ARGS": {"blog.update": 1}})
    with pytest.raises(ConfigurationError, match="ONBOARDING_CHECK_LOGIN: cannot import"):
        create_app({"ONBOARDING_CHECK_LOGIN": "tests.hosts.render_check.app:nobody"})
    with pytest.raises(ConfigurationError, match="ONBOARDING_CHECK_LOGIN must be a function"):
        create_app({"ONBOARDING_CHECK_LOGIN": 3})
