"""The import graph runs one way (pyproject.toml's layers contract): a test fails the moment an import runs back up."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_apps_import_only_downwards():
    # import-linter reads every import, including those inside functions.
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_names_every_app():
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    layered = {name.strip() for layer in contract["layers"] for name in layer.split(":")}
    apps = {f"apps.{p.name}" for p in (ROOT / "apps").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    apps |= {f"apps.{p.stem}" for p in (ROOT / "apps").glob("*.py") if p.stem != "__init__"}
    assert apps == layered
