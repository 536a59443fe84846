#!/usr/bin/env python3
"""Install and run Meldroute on a fresh machine (Python 3.11 and Node/npm are all it needs).

    python3 scripts/dev.py run    install, migrate, load demo data, start web server + timer worker
    python3 scripts/dev.py test   install, then run every test (pytest arguments may follow)

Installs into .venv/ and node_modules/ inside the checkout; repeated runs only reinstall what
changed (pyproject.toml, package-lock.json).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    if sys.version_info[:2] != (3, 11):
        print(f"Meldroute needs Python 3.11; this is {sys.version.split()[0]}", file=sys.stderr)
        return 2
    install_python_packages()
    build_frontend()
    if argv[0] == "run":
        return run_system(argv[1:])
    return run_tests(argv[1:])


def install_python_packages() -> None:
    if not VENV_PYTHON.exists():
        print("» Python-omgeving maken (.venv)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / ".meldroute-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("» Python-pakketten installeren")
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(digest)


def build_frontend() -> None:
    if not (ROOT / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is nodig om de diagramweergave (bpmn-js) te bouwen; installeer Node.js")
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".meldroute-installed"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else ""
    if not (stamp.exists() and stamp.read_text() == digest):
        print("» JavaScript-pakketten installeren (npm ci)")
        subprocess.run([npm, "ci", "--include=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
        stamp.write_text(digest)
    print("» Diagramweergave bouwen")
    subprocess.run([npm, "run", "--silent", "build"], cwd=ROOT, check=True)


def run_system(extra: list[str]) -> int:
    env = {**os.environ, "MELDROUTE_INSTANCE_PATH": os.environ.get("MELDROUTE_INSTANCE_PATH", str(ROOT / "instance"))}
    # exec, not a child: Ctrl-C and SIGTERM reach 'meldroute demo', which stops server and worker.
    os.chdir(ROOT)
    meldroute = str(VENV / "bin" / "meldroute")
    os.execve(meldroute, [meldroute, "demo", *extra], env)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here)."""
    if shutil.which("chromium"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("» Chromium installeren (Debian-pakket) voor de browsertests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    raise SystemExit("Chromium ontbreekt: installeer het Debian-pakket 'chromium' (sudo apt-get install chromium)")


def run_tests(extra: list[str]) -> int:
    ensure_chromium()
    return subprocess.call([str(VENV_PYTHON), "-m", "pytest", *extra], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
