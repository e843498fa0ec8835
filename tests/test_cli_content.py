"""`flask onboarding import` and `export`: validation, dry run, atomicity, round trip."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from onboarding_sdk.content import load_content_text
from tests.guides.app import HERE, START, Clock, create_app, grow

SEED = (HERE / "seed.yaml").read_text(encoding="utf-8")
EDITED = SEED.replace("About reports", "Reports, explained")
NEW_GUIDE = """
  - id: brand-new
    kind: footer_help
    title: {en: "New here"}
    body: {en: "Hello."}
    when: {stages: [use], endpoints: [account]}
"""
BAD_GUIDE = """
  - id: broken
    kind: nonsense
    title: {en: "Broken"}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_publishes_and_the_app_serves_it(tmp_path: Path) -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    grow(app, ext, "u", "use")
    path = write(tmp_path, "guides.yaml", EDITED + NEW_GUIDE)
    result = app.test_cli_runner().invoke(args=["onboarding", "import", str(path), "--author", "ana"])
    assert result.exit_code == 0, result.output
    assert "+ brand-new" in result.output and "~ footer-reports: title" in result.output
    assert "published revision 1" in result.output
    store = app.extensions["onboarding"].storage
    assert store.load_content() == (1, EDITED + NEW_GUIDE)
    assert store.content_history()[0]["author"] == "ana"
    assert store.content_history()[0]["note"] == "import guides.yaml"
    assert "Reports, explained" in app.test_client().get("/reports", headers={"X-User": "u"}).text


def test_dry_run_prints_the_diff_and_changes_nothing(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START))
    without_home = SEED.replace("  - id: footer-home\n", "  - id: footer-home-2\n")
    path = write(tmp_path, "guides.yaml", without_home.replace("About reports", "Reports!") + NEW_GUIDE)
    result = app.test_cli_runner().invoke(args=["onboarding", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert "dry run:" in lines[0] and "against revision 0" in lines[0]
    assert "+ brand-new" in lines and "+ footer-home-2" in lines and "- footer-home" in lines
    assert "~ footer-reports: title" in lines
    assert app.extensions["onboarding"].storage.content_revision() == 0


def test_dry_run_of_the_same_content_has_no_changes(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START))
    result = app.test_cli_runner().invoke(
        args=["onboarding", "import", str(write(tmp_path, "s.yaml", SEED)), "--dry-run"]
    )
    assert "(no changes)" in result.output


def test_one_bad_guide_publishes_nothing_and_every_error_names_file_and_line(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START))
    store = app.extensions["onboarding"].storage
    store.publish_content(SEED, None, "ana", "before")
    text = EDITED + BAD_GUIDE + NEW_GUIDE.replace("footer_help", "footer_help\n    priority: lots")
    path = write(tmp_path, "bad.yaml", text)
    result = app.test_cli_runner().invoke(args=["onboarding", "import", str(path)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith(f"{path}:")]
    assert len(errors) >= 2, result.output
    bad_line = text.splitlines().index("    kind: nonsense") + 1
    assert any(line.startswith(f"{path}:{bad_line}: ") for line in errors), errors
    assert store.load_content() == (1, SEED)  # nothing from the file, not even the good guides
    assert len(store.content_history()) == 1


def test_export_writes_the_published_content(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START))
    runner = app.test_cli_runner()
    runner.invoke(args=["onboarding", "import", str(write(tmp_path, "in.yaml", EDITED + NEW_GUIDE))])
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["onboarding", "export", str(out)])
    assert result.exit_code == 0, result.output
    exported = load_content_text(
        out.read_text(encoding="utf-8"), "out.yaml", events=list(app.extensions["onboarding"].settings.events)
    )
    ids = {spec.id for spec in exported}
    assert "brand-new" in ids and "footer-home" in ids
    assert next(s for s in exported if s.id == "footer-reports").title["en"] == "Reports, explained"


def test_export_without_a_publication_dumps_the_files_to_stdout() -> None:
    app, _ = create_app(Clock(START))
    result = app.test_cli_runner().invoke(args=["onboarding", "export"])
    assert result.exit_code == 0
    assert "About reports" in result.output and result.output.startswith("version: 1")


def test_import_refuses_unreadable_files_with_a_line_and_no_traceback(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START), ONBOARDING_CONTENT_MAX_BYTES=8192)
    runner = app.test_cli_runner()
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("guides: []\n# caf\xe9\n".encode("latin-1"))
    deep_json = write(tmp_path, "deep.json", '{"guides": ' + "[" * 3000 + "]" * 3000 + "}")
    deep_yaml = write(tmp_path, "deep.yaml", "guides:\n" + "".join(" " * i + "- \n" for i in range(2, 100)))
    big = write(tmp_path, "big.yaml", SEED + "#" * 8192)
    cases = {
        latin1: f"{latin1}: not UTF-8 text (byte 16)",
        deep_json: f"{deep_json}:1: nested more than 32 levels deep: refusing to read this file",
        deep_yaml: f"{deep_yaml}:33: nested more than 32 levels deep: refusing to read this file",
        big: f"{big}: {len(SEED.encode()) + 8192} bytes, more than the limit of 8192 (ONBOARDING_CONTENT_MAX_BYTES)",
    }
    for path, message in cases.items():
        result = runner.invoke(args=["onboarding", "import", str(path)])
        assert result.exit_code == 1, (path, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert app.extensions["onboarding"].storage.content_revision() == 0


def test_import_refuses_more_guides_than_the_limit(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START), ONBOARDING_CONTENT_MAX_GUIDES=3)
    path = write(tmp_path, "many.yaml", SEED)
    result = app.test_cli_runner().invoke(args=["onboarding", "import", str(path)])
    assert result.exit_code == 1
    assert "guides, more than the limit of 3 (ONBOARDING_CONTENT_MAX_GUIDES)" in result.output
    assert app.extensions["onboarding"].storage.content_revision() == 0
