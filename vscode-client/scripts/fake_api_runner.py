"""Runs the project's fake Anthropic API (tests/fake_anthropic.py) as a process for the e2e test.

Prints `URL <address>` once listening, then writes every request it receives to the
JSON-lines file given as the first argument (model, system prompt, user text, and
whether the key matched; never the key itself). Stops on SIGTERM or when stdin closes.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from fake_anthropic import FakeAnthropic, RecordedRequest, Scenario, tool_turn  # noqa: E402

# Marker the e2e looks for in the editor: proves the answer shown came from this server.
ANSWER = (
    "## Review from the fake API\n\n"
    "E2E-ANSWER-7f3a: the order service keeps its state in a module-level dict; move it behind a "
    "repository interface so the storage can change without touching the handlers.\n"
)

# A file holding this marker gets an agent run that edits it: a Read, then an Edit, then an answer, so the e2e can
# see VS Code's refactor preview of the proposed edit.
EDIT_MARKER = "EDIT-ME-7c1e"
EDIT_ANSWER = "E2E-EDIT-ANSWER-91b2: totals are rounded to cents now; review the proposed edit."


def agent_turn(request: RecordedRequest, default: Scenario) -> Scenario:
    """The scenario for one request: the edit run's next step for the marked file, else the default."""
    messages = request.messages
    first = messages[0].get("content") if messages else None
    text = "".join(b.get("text", "") for b in first if isinstance(b, dict)) if isinstance(first, list) else ""
    if EDIT_MARKER not in text:
        return default
    path = next((line[len("File: ") :] for line in text.splitlines() if line.startswith("File: ")), "")
    turns = sum(1 for m in messages if m.get("role") == "assistant")
    if turns == 0:
        return tool_turn(("Read", {"file_path": path}), text="Reading the file first.")
    if turns == 1:
        edit = {"file_path": path, "old_string": "sum(prices)", "new_string": "round(sum(prices), 2)"}
        return tool_turn(("Edit", edit))
    return Scenario(text=EDIT_ANSWER)


def main() -> int:
    log_path = Path(sys.argv[1])
    required_key = sys.argv[2] if len(sys.argv) > 2 else None
    fake = FakeAnthropic()
    fake.answer(ANSWER, chunks=5, delay=0.2)
    # The real API refuses other keys with a 401; so does the fake when told the key to expect.
    fake.required_key = required_key
    choose = fake._next

    def next_scenario(request: RecordedRequest) -> tuple[Scenario, int]:
        scenario, number = choose(request)
        return (agent_turn(request, scenario) if scenario.kind == "answer" else scenario), number

    fake._next = next_scenario  # type: ignore[method-assign]
    fake.start()
    print(f"URL {fake.url}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

    written = 0
    with log_path.open("w", encoding="utf-8") as out:
        while not stop.wait(0.2):
            requests = list(fake.requests)
            for request in requests[written:]:
                system = request.system
                if isinstance(system, list):
                    system = "".join(block.get("text", "") for block in system if isinstance(block, dict))
                record = {
                    "path": request.path,
                    "model": request.body.get("model") if isinstance(request.body, dict) else None,
                    "stream": request.body.get("stream") if isinstance(request.body, dict) else None,
                    "system": system,
                    "user_text": request.user_text,
                    "key_matched": required_key is None or request.api_key == required_key,
                }
                out.write(json.dumps(record) + "\n")
                out.flush()
            written = len(requests)
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
