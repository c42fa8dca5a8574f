"""The index keeps no text of files read from disk: it reads them again for navigation, and notices
when a file changed since it was indexed (tests/workspace_sample)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from agent_lsp.features import navigation
from agent_lsp.lsp.handlers import workspace as lsp_workspace
from agent_lsp.lsp.server import AgentLanguageServer
from agent_lsp.lsp.session import Session
from agent_lsp.project.entry import IndexedFile
from agent_lsp.project.index import WorkspaceIndex, build_index
from agent_lsp.project.paths import FileKind
from agent_lsp.project.references import RefKind

LEAD = "project/.claude/agents/lead.md"
REVIEWER = "project/.claude/agents/reviewer.md"


def _entry(index: WorkspaceIndex, sample: Path, rel: str) -> IndexedFile:
    entry = index.get(str(sample / rel))
    assert entry is not None, rel
    return entry


def _offset_in(entry: IndexedFile, needle: str) -> int:
    return entry.text.index(needle) + 1


def _rewrite(path: Path, text: str) -> None:
    """Write a new version whose stamp surely differs (a coarse mtime clock may not have ticked)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 5_000_000_000, before + 5_000_000_000))


def test_files_read_from_disk_keep_no_text_and_open_documents_do(index: WorkspaceIndex, sample: Path) -> None:
    for entry in index.files():
        assert entry.held_text is None and entry.stamp is not None, entry.path
    lead = _entry(index, sample, LEAD)
    on_disk = (sample / LEAD).read_text(encoding="utf-8")
    assert lead.text == on_disk  # read again, exactly
    assert lead.held_text is None  # and not kept
    edited = on_disk + "More.\n"
    index.set_overlay(str(sample / LEAD), edited)
    opened = _entry(index, sample, LEAD)
    assert opened.held_text is edited and opened.stamp is None
    index.clear_overlay(str(sample / LEAD))
    closed = _entry(index, sample, LEAD)
    assert closed.held_text is None and closed.text == on_disk


def test_packed_references_come_back_whole(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, LEAD)
    refs = lead.references
    assert lead.reference_names == tuple(r.name for r in refs)
    assert [(r.how, r.field) for r in refs][:4] == [
        ("tools", "tools"),
        ("tools", "tools"),
        ("tools", "tools"),
        ("skills", "skills"),
    ]
    assert [r.span for r in lead.references_named(RefKind.AGENT, ["reviewer"])] == [
        r.span for r in refs if r.name == "reviewer"
    ]
    assert lead.references_named(RefKind.SKILL, ["reviewer"]) == []


def test_definition_and_rename_stay_exact_without_kept_texts(index: WorkspaceIndex, sample: Path) -> None:
    lead = _entry(index, sample, LEAD)
    symbol = navigation.symbol_at(lead, _offset_in(lead, "reviewer"))
    assert symbol is not None
    (target,) = navigation.definitions(index, lead, symbol)
    assert target.held_text is None
    span = navigation.definition_span(target)
    assert target.text[span.start : span.end] == "reviewer"
    assert target.lines.line_col(span.start) == (1, 6)
    plan = navigation.rename(index, lead, _offset_in(lead, "reviewer"), "checker")
    for path, edits in plan.edits.items():
        text = Path(path).read_text(encoding="utf-8")
        assert all(text[s.start : s.end] == "reviewer" for s, _ in edits), path


def test_a_change_on_disk_after_indexing_is_noticed_by_navigation(index: WorkspaceIndex, sample: Path) -> None:
    # No watcher reports these edits: the stamp (size, mtime, inode) tells.
    reviewer_path = sample / REVIEWER
    _rewrite(reviewer_path, reviewer_path.read_text(encoding="utf-8").replace("---\n", "---\n# moved\n\n", 1))
    lead_path = sample / LEAD
    _rewrite(lead_path, lead_path.read_text(encoding="utf-8").replace("You plan", "Intro.\n\nYou plan"))
    lead = _entry(index, sample, LEAD)  # the stale entry: its text is read again, and it is re-indexed first
    symbol = navigation.symbol_at(lead, _offset_in(lead, "@agent-reviewer") + 7)
    assert symbol is not None and symbol.name == "reviewer"
    (target,) = navigation.definitions(index, lead, symbol)
    span = navigation.definition_span(target)
    assert target.text[span.start : span.end] == "reviewer"
    assert target.lines.line_of(span.start) == 3  # the name's new line
    found = navigation.references(index, lead, symbol)
    assert found and all(o.entry.text[o.span.start : o.span.end] == "reviewer" for o in found)
    # A name changed on disk: the definition follows it, and other files' findings must be redone.
    generation = index.generation
    _rewrite(reviewer_path, reviewer_path.read_text(encoding="utf-8").replace("name: reviewer", "name: critic"))
    assert navigation.definitions(index, lead, symbol) == []
    assert index.generation > generation
    assert index.named(FileKind.AGENT, "critic")


def test_a_held_stale_entry_is_re_indexed_when_its_text_is_read(index: WorkspaceIndex, sample: Path) -> None:
    reviewer = _entry(index, sample, REVIEWER)
    path = sample / REVIEWER
    _rewrite(path, "---\nname:    reviewer\n" + path.read_text(encoding="utf-8").split("\n", 2)[2])
    assert reviewer.text == path.read_text(encoding="utf-8")
    span = reviewer.name_span  # the same object now agrees with the text it returned
    assert span is not None and reviewer.text[span.start : span.end] == "reviewer" and span.start == 13
    assert _entry(index, sample, REVIEWER).name_span == span


def test_a_file_gone_or_turned_into_a_link_out_of_the_workspace_is_not_read(
    index: WorkspaceIndex, sample: Path, tmp_path: Path
) -> None:
    lead = _entry(index, sample, LEAD)
    (sample / LEAD).unlink()
    assert lead.text == "" and index.get(str(sample / LEAD)) is None
    reviewer = _entry(index, sample, REVIEWER)
    outside = tmp_path / "outside.md"
    outside.write_text("---\nname: secret\ndescription: Not yours.\n---\nSecret.\n", encoding="utf-8")
    (sample / REVIEWER).unlink()
    (sample / REVIEWER).symlink_to(outside)
    assert reviewer.text == "" and index.get(str(sample / REVIEWER)) is None
    assert index.named(FileKind.AGENT, "secret") == []


def test_workspace_diagnostic_result_ids_follow_the_file(index: WorkspaceIndex, sample: Path) -> None:
    reviewer = _entry(index, sample, REVIEWER)
    first = lsp_workspace._result_id(reviewer, index.generation)
    assert first == lsp_workspace._result_id(reviewer, index.generation)
    _rewrite(sample / REVIEWER, (sample / REVIEWER).read_text(encoding="utf-8") + "More.\n")
    assert index.revalidate(index.files()) is True
    assert index.revalidate(index.files()) is False
    assert lsp_workspace._result_id(_entry(index, sample, REVIEWER), index.generation) != first


def test_an_indexed_file_retains_far_less_than_its_text(tmp_path: Path) -> None:
    agents = tmp_path / "project" / ".claude" / "agents"
    agents.mkdir(parents=True)
    body = "".join(f"Step {i}: ask @agent-helper-{i % 7} to check the work, then report.\n" for i in range(12))
    body += "Some more prose about the work, without any mention of another agent in it.\n" * 100
    for n in range(200):
        text = f"---\nname: agent-{n}\ndescription: Agent number {n}.\ntools: Read, Agent(helper-1)\n---\n{body}"
        (agents / f"agent-{n}.md").write_text(text, encoding="utf-8")
    size = len(body)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        index = build_index([tmp_path / "project"], None)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert len(index.files()) == 200
    ours = [tracemalloc.Filter(True, "*agent_lsp/project/*.py")]  # the index and what it holds
    retained = sum(s.size_diff for s in after.filter_traces(ours).compare_to(before.filter_traces(ours), "filename"))
    # Each file has a ~8 KB text and 13 references; what stays is a small part of the text alone.
    assert retained < 200 * size / 5, retained  # (with the texts kept it was over 200 * size)


def test_importing_lsp_workspace_loads_no_parser_index_or_validator() -> None:
    code = (
        "import sys, agent_lsp.lsp.handlers.workspace\n"
        "heavy = ('checks.crossfile', 'features.navigation', 'project.index', 'checks.validate',\n"
        "         'syntax.frontmatter', 'features.analysis', 'features.diagnostics')\n"
        "loaded = [m for m in heavy if 'agent_lsp.' + m in sys.modules] + [m for m in sys.modules if m == 'yaml']\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_symbol_kinds_are_mapped_on_first_use() -> None:
    from lsprotocol import types

    assert lsp_workspace._symbol_kind(FileKind.AGENT) is types.SymbolKind.Class
    assert lsp_workspace._symbol_kind(FileKind.SKILL) is types.SymbolKind.Module
    assert lsp_workspace._symbol_kind(FileKind.COMMAND) is types.SymbolKind.Function
    assert lsp_workspace._symbol_kind(FileKind.MEMORY) is types.SymbolKind.File


def _session(encoding: str = "utf-16") -> Session:
    """A session whose client agreed on `encoding`, with no document open (what the location helpers read)."""
    from lsprotocol import types
    from pygls.workspace import Workspace

    server = AgentLanguageServer()
    server.protocol._workspace = Workspace(None, position_encoding=types.PositionEncodingKind(encoding))
    return server.session


def test_definition_locations_come_from_the_index_when_the_line_is_ascii(index: WorkspaceIndex, sample: Path) -> None:
    reviewer = _entry(index, sample, REVIEWER)
    assert reviewer.name_position == (1, 6, 14)
    location = lsp_workspace._definition_location(_session(), reviewer)
    assert (location.range.start.line, location.range.start.character, location.range.end.character) == (1, 6, 14)
    assert location.uri == (sample / REVIEWER).as_uri()
    memory = _entry(index, sample, "project/CLAUDE.md")  # names nothing: the file's start
    assert memory.name_position is None and lsp_workspace._definition_location(_session(), memory).range.end.line == 0


def test_a_name_after_wide_characters_is_placed_in_the_client_encoding(sample: Path) -> None:
    path = sample / "project/.claude/agents/wide.md"
    path.write_text('---\n{"😀": 1, name: wide}\n---\nBody.\n', encoding="utf-8")
    index = build_index([sample / "project"], None)
    entry = _entry(index, sample, "project/.claude/agents/wide.md")
    assert entry.name_position is None  # a column that differs by encoding: mapped from the text
    span = entry.name_span
    assert span is not None and entry.text[span.start : span.end] == "wide"
    utf16 = lsp_workspace._definition_location(_session("utf-16"), entry).range.start.character
    utf32 = lsp_workspace._definition_location(_session("utf-32"), entry).range.start.character
    assert (utf16, utf32) == (16, 15)  # the emoji is two UTF-16 units
