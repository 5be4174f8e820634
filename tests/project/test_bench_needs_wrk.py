"""`make bench` refuses to run its HTTP figure without wrk, before it drops any database, instead of using a weaker generator."""
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_without_wrk_the_bench_exits_naming_the_package_and_touches_nothing(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path), "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tierflow_bench_must_not_exist",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only=status"], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "wrk is not installed" in result.stderr and "apt-get install -y wrk" in result.stderr
    assert "database ready" not in result.stderr
