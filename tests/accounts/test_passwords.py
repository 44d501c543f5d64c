"""Stored passwords are hashed with argon2id's strong parameters; only the test process hashes cheaply.

The suite calls ``passwords.cheap_for_tests()`` once (tests/conftest.py), so thousands of logins cost
milliseconds. These tests hold production to the strong parameters: a new process, as ``ducha`` and
the server are, and a user created through the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.accounts import passwords

ROOT = Path(__file__).resolve().parents[2]
STRONG = "$argon2id$v=19$m=65536,t=3,p=4$"

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def test_a_server_process_hashes_with_the_strong_parameters():
    code = "from server.accounts.passwords import hash_password, verify_password; h = hash_password('pw-0123456789'); " \
           "assert verify_password(h, 'pw-0123456789'); print(h)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(STRONG), out.stdout


async def test_a_user_added_from_the_command_line_is_stored_with_the_strong_parameters(world):
    from server.accounts.tables import User

    env = {**os.environ, "PICCOLO_CONF": "piccolo_conf"}
    out = subprocess.run([sys.executable, "-m", "server.cli", "user", "strong1", "--role", "city_inspector",
                          "--name", "强口令", "--password", "0123456789abc"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr + out.stdout
    stored = (await User.select(User.password_hash).where(User.username == "strong1").first())["password_hash"]
    assert stored.startswith(STRONG), stored
    client = await world.client()  # this (cheap) process checks a strong hash all the same: the hash names its parameters
    r = await client.post("/api/auth/login", json={"username": "strong1", "password": "0123456789abc"})
    assert r.status_code == 200, r.text


def test_the_test_process_alone_hashes_cheaply():
    assert passwords.STRONG.time_cost == 3 and passwords.STRONG.memory_cost == 65536 and passwords.STRONG.parallelism == 4
    cheap = passwords.hash_password("x" * 12)
    assert not cheap.startswith(STRONG) and passwords.verify_password(cheap, "x" * 12)
