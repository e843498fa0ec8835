"""The wheel carries the code, the Lua scripts, py.typed, and the widget's built files with their
source maps. Installed into a fresh virtual environment, which gets the package's dependencies
from the package index itself (nothing borrowed from the development environment), it imports
and serves its widget.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
#: the widget's built files, as the repository holds them today (a new chunk is covered too)
BUILT = sorted(p.name for p in STATIC.iterdir() if p.suffix in (".js", ".css"))
MAPS = sorted(p.name for p in STATIC.iterdir() if p.suffix == ".map")


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


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_contents(wheel: Path) -> None:
    names = wheel_names(wheel)
    for required in (
        "onboarding_sdk/__init__.py",
        "onboarding_sdk/py.typed",
        "onboarding_sdk/storage/lua/track.lua",
        "onboarding_sdk/static/onboarding.js",
        "onboarding_sdk/static/onboarding.css",
    ):
        assert required in names
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Python: >=3.11" in metadata
    for dependency in ("flask>=", "jinja2>=", "marshmallow>=4", "redis>=", "blinker>="):
        assert f"Requires-Dist: {dependency}" in metadata
    assert "License-Expression: MIT" in metadata


def test_wheel_carries_every_built_widget_file(wheel: Path) -> None:
    assert "onboarding.js" in BUILT and "onboarding.css" in BUILT
    missing = [name for name in BUILT if f"onboarding_sdk/static/{name}" not in wheel_names(wheel)]
    assert not missing, f"static/ files missing from the wheel (setup.cfg package_data): {missing}"


def test_wheel_carries_the_widget_source_maps(wheel: Path) -> None:
    expected = [f"{name}.map" for name in BUILT]
    assert all(name in MAPS for name in expected), f"static/ lacks source maps: {set(expected) - set(MAPS)}"
    missing = [name for name in expected if f"onboarding_sdk/static/{name}" not in wheel_names(wheel)]
    assert not missing, f"source maps missing from the wheel: {missing}"


PROBE = """
import pathlib, onboarding_sdk, onboarding_sdk.assets as assets
from flask import Flask
from onboarding_sdk import Onboarding
static = assets.static_dir()
assert 'site-packages' in str(static), static
assert pathlib.Path(onboarding_sdk.__file__).with_name('py.typed').is_file()
for name in {built!r}:
    assert (static / name).is_file(), name
app = Flask('probe')
app.config.update(SECRET_KEY='probe', ONBOARDING_STORAGE_URI='memory://', ONBOARDING_EVENTS=['signed_up'])
Onboarding(app)
client = app.test_client()
assert client.get('/onboarding/static/onboarding.js').status_code == 200
assert client.get('/onboarding/api/openapi.json').get_json()['openapi'].startswith('3.1')
print(static)
"""


def test_wheel_installs_with_its_dependencies_into_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=True, clear=True)
    python = env_dir / "bin" / "python"
    # only the fresh venv: no PYTHONPATH or virtualenv of the test run leaks in
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True, env=env, timeout=600
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    result = subprocess.run(
        [python, "-I", "-c", PROBE.format(built=BUILT)], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("onboarding_sdk/static")
