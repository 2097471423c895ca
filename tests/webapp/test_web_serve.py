"""``clatlas serve``: builds when missing or stale, refuses invalid data with exit 1, then serves."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

from support.webfixture import make_data  # noqa: E402

from catalog.build import is_stale  # noqa: E402
from clatlas_cli.web import cmd_serve, ensure_database  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ensure_database_builds_when_missing_and_stale(tmp_path):
    data = make_data(tmp_path)
    db = tmp_path / "var" / "catalog.sqlite"
    assert ensure_database(db, data) == 0 and db.exists() and not is_stale(db, data)
    mtime = db.stat().st_mtime_ns
    assert ensure_database(db, data) == 0 and db.stat().st_mtime_ns == mtime  # fresh: not rebuilt
    paper = data / "papers" / "wang2023orthogonal.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("year: 2023", "year: 2023 "), encoding="utf-8")
    os.utime(paper, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert is_stale(db, data)
    assert ensure_database(db, data) == 0 and not is_stale(db, data)


def test_invalid_data_exits_1_without_traceback(tmp_path, capsys):
    data = make_data(tmp_path)
    (data / "papers" / "wang2023orthogonal.yaml").write_text("title: [broken\n", encoding="utf-8")
    args = argparse.Namespace(host="127.0.0.1", port=free_port(), db=tmp_path / "x.sqlite", data=data)
    assert cmd_serve(args) == 1
    err = capsys.readouterr().err
    assert "wang2023orthogonal" in err and "Traceback" not in err
    assert not (tmp_path / "x.sqlite").exists()


def test_cli_serve_invalid_data_subprocess(tmp_path):
    data = make_data(tmp_path)
    (data / "papers" / "wang2023orthogonal.yaml").write_text("year: not-a-year\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "clatlas_cli", "serve", "--db", str(tmp_path / "x.sqlite"), "--data", str(data), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "wang2023orthogonal" in out.stderr


def test_cli_serve_builds_and_serves(tmp_path):
    data = make_data(tmp_path)
    db = tmp_path / "served.sqlite"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "clatlas_cli", "serve", "--db", str(db), "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/papers?family=LLM", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server did not start") from None
                time.sleep(0.2)
        assert '"total":2' in body.replace(" ", "")
        assert db.exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
