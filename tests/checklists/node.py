"""Running a piece of the phone's code (an ES module script) under node over a JSON payload: how the
parity tests put the phone's rules and the server's side by side."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: the script's preamble: the payload arrives on stdin as ``input`` (a string), the script writes its answer
READ_STDIN = """
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
"""


def run(script: str, payload: Any) -> Any:
    """``script`` (after :data:`READ_STDIN`, from the repository's root) over ``payload``; its JSON answer."""
    done = subprocess.run(["node", "--input-type=module", "-e", READ_STDIN + script], input=json.dumps(payload, ensure_ascii=False),
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout)
