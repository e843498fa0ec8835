"""The wheel carries the code, the Lua scripts, py.typed and the widget; it installs and imports."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("onboarding_sdk-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "onboarding_sdk/__init__.py",
        "onboarding_sdk/py.typed",
        "onboarding_sdk/storage/lua/track.lua",
        "onboarding_sdk/static/onboarding.js",
        "onboarding_sdk/static/onboarding.css",
        "onboarding_sdk/static/onboarding-tour.js",  # the lazy chunk and the source maps: widget/build.mjs
        "onboarding_sdk/static/onboarding.js.map",
    ):
        assert required in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Python: >=3.11" in metadata
    for dependency in ("flask>=", "jinja2>=", "marshmallow>=4", "redis>=", "blinker>="):
        assert f"Requires-Dist: {dependency}" in metadata
    assert "License-Expression: MIT" in metadata


def test_wheel_installs_into_a_fresh_venv_and_finds_its_static_files(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # system site packages supply flask & co.; the package itself comes only from the wheel
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    probe = (
        "import onboarding_sdk, onboarding_sdk.assets as a, pathlib;"
        "d = a.static_dir();"
        "assert 'site-packages' in str(d), d;"
        "assert (d / 'onboarding.js').is_file() and (d / 'onboarding.css').is_file();"
        "assert pathlib.Path(onboarding_sdk.__file__).with_name('py.typed').is_file();"
        "print(d)"
    )
    result = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("onboarding_sdk/static")
