"""The atomic index swap: readers in another process open whatever the link names while a writer
publishes generation after generation, and never see a missing or half-built index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patentdesk.index import swap

READER = r"""
import json, sys, time
from pathlib import Path
import tantivy
from patentdesk.index import swap

link, stop = Path(sys.argv[1]), Path(sys.argv[2])
sb = tantivy.SchemaBuilder(); sb.add_text_field("body", stored=True); schema = sb.build()
reads, errors, seen = 0, [], set()
end = time.monotonic() + 60  # bounded even if the test dies
print("ready", flush=True)
while time.monotonic() < end and not stop.exists():
    try:
        cur = swap.current(link)
        meta = json.loads((cur / "gen.json").read_text())
        idx = tantivy.Index(schema, path=str(cur), reuse=True)
        n = idx.searcher().num_docs
        if n != meta["docs"]:
            errors.append(f"{cur.name}: {n} documents, its description says {meta['docs']}")
        seen.add(meta["docs"])
        reads += 1
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
print(json.dumps({"reads": reads, "errors": errors[:5], "n_errors": len(errors), "seen": sorted(seen)}))
"""


def build(link: Path, docs: int) -> Path:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=True)
    gen = swap.new_generation(link)
    idx = tantivy.Index(sb.build(), path=str(gen), reuse=False)
    w = idx.writer(15_000_000, 1)
    for i in range(docs):
        w.add_document(tantivy.Document(body=f"document {i} of generation {docs}"))
    w.commit()
    w.wait_merging_threads()
    (gen / "gen.json").write_text(json.dumps({"docs": docs}))
    return gen


def test_readers_never_see_a_half_built_index(tmp_path: Path) -> None:
    link = tmp_path / "index" / "fulltext"
    swap.publish(build(link, 1), link)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(link), str(stop)], stdout=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    for docs in range(2, 8):
        swap.publish(build(link, docs * 10), link)
        time.sleep(0.2)
    stop.touch()
    out, _ = reader.communicate(timeout=60)
    result = json.loads(out)
    assert result["n_errors"] == 0, result["errors"]
    assert result["reads"] > 20
    assert len(result["seen"]) >= 3  # it did read across flips
    assert json.loads((swap.current(link) / "gen.json").read_text())["docs"] == 70  # type: ignore[operator]


def test_publish_migrates_a_plain_folder_once(tmp_path: Path) -> None:
    link = tmp_path / "fulltext"
    link.mkdir()
    (link / "meta.json").write_text("old")
    assert swap.current(link) == link
    gen = swap.new_generation(link)
    (gen / "meta.json").write_text("new")
    swap.publish(gen, link)
    assert link.is_symlink() and os.readlink(link) == gen.name  # relative: the home can move
    assert (link / "meta.json").read_text() == "new"
    assert [p.name.startswith("fulltext.gen-0-") for p in swap.generations(link)] == [True, False]


def test_collect_keeps_the_current_the_previous_and_young_ones(tmp_path: Path) -> None:
    link = tmp_path / "fulltext"
    gens = []
    for _ in range(4):
        g = swap.new_generation(link)
        swap.publish(g, link)
        gens.append(g)
        time.sleep(0.002)
    assert swap.collect(link) == []  # all young
    for g in gens:
        os.utime(g, (time.time() - 3600, time.time() - 3600))
    removed = swap.collect(link)
    assert removed == gens[:2]
    assert swap.generations(link) == gens[2:] and swap.current(link) == gens[3]


def test_publish_refuses_a_folder_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match="beside"):
        swap.publish(tmp_path / "a", tmp_path / "b" / "fulltext")


def test_writer_lock_serializes_processes(tmp_path: Path) -> None:
    link = tmp_path / "fulltext"
    code = ("import sys,time; from pathlib import Path; from patentdesk.index import swap\n"
            "with swap.writer_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(1.5)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(link)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    with pytest.raises(TimeoutError), swap.writer_lock(link, timeout_s=0.3):
        pass
    started = time.monotonic()
    with swap.writer_lock(link, timeout_s=30):
        waited = time.monotonic() - started
    holder.communicate(timeout=30)
    assert waited > 0.3
