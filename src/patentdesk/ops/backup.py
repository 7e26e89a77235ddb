"""`patentdesk backup` / `restore`: the catalogue database, the search index and the vectors, with a
manifest of checksums and counts.

A backup is a folder::

    manifest.json       format, patentdesk version, time, the counts of every table, the index's
                        and vectors' descriptions, and the sha256 and size of every file below
                        (and of every file inside the two archives)
    database.sqlite     SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump     PostgreSQL: `pg_dump --format=custom`, taken in the same snapshot as the
                        counts (`pg_export_snapshot`), so the counts describe exactly the dump
    index.tar           the current generation of each index (no lock files)
    vectors.tar         the vector store folder

`manifest.json` is written last: a folder without it is not a backup. `restore` checks every
checksum before it touches anything, refuses a home whose catalogue already holds publications
(unless forced), restores the database (`pg_restore --clean` for PostgreSQL), unpacks the index
as a new generation published atomically (`index.swap`) and the vectors beside the old ones before
swapping them, then compares every table count with the manifest.

Backups restore onto the same kind of database they were taken from. The database copy is
consistent on its own; each index is copied under its writer lock (`index.swap.writer_lock`), so
no update lands in the middle of the copy, but an ingest between the two copies leaves the index
describing another moment than the database (`patentdesk doctor` then says so, and
`patentdesk index rebuild` fixes it): schedule backups between ingests (docs/deployment.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Settings
from ..errors import ConfigError, UserError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
INDEX_TAR = "index.tar"
VECTORS_TAR = "vectors.tar"
_SKIP_SUFFIXES = (".tmp", ".lock")


class BackupError(ConfigError):
    code = "backup"


class ChecksumMismatch(BackupError):
    code = "backup_checksum"


# ----------------------------------------------------------------------------- database helpers
def backend(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise UserError(f"backup supports SQLite and PostgreSQL catalogues, not {url.split(':', 1)[0]}")


def sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    db = make_url(url).database
    if not db or db == ":memory:":
        raise UserError("an in-memory SQLite catalogue cannot be backed up")
    return Path(db)


def pg_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the client tools, and the environment carrying the password
    (never on a command line, where `ps` would show it)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts: dict[str, str] = {}
    host = u.host or u.query.get("host")
    if host:
        parts["host"] = str(host)
    if u.port or u.query.get("port"):
        parts["port"] = str(u.port or u.query.get("port"))
    if u.username:
        parts["user"] = u.username
    if u.database:
        parts["dbname"] = u.database
    for k in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if k in u.query:
            parts[k] = str(u.query[k])
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = str(u.password)
    conninfo = " ".join(f"{k}={_quote(v)}" for k, v in parts.items())
    return conninfo, env


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_tool(name: str) -> str:
    """`pg_dump` / `pg_restore`: from PATH, else the newest of Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")


def _run(cmd: list[str], env: dict[str, str]) -> None:
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({res.returncode}): {res.stderr.strip()[-2000:]}")


def table_counts(conn: Any) -> dict[str, int]:
    """Rows of every table of the database (the catalogue's and any other), by name."""
    from sqlalchemy import inspect, text

    names = sorted(inspect(conn).get_table_names())
    return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}


def mask(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ----------------------------------------------------------------------------- files
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(_SKIP_SUFFIXES) or f.startswith(".tantivy-"):
                continue
            yield Path(dirpath) / f


def _index_roots(index_dir: Path) -> list[tuple[str, Path]]:
    """(name in the archive, folder) of each index: the current generation behind each link."""
    from ..index import swap

    if not index_dir.is_dir():
        return []
    out = []
    for child in sorted(index_dir.iterdir()):
        if child.name.startswith(".") or swap.GEN_MARK in child.name or ".building-" in child.name \
                or ".old-" in child.name:
            continue
        target = swap.current(child) if child.is_symlink() else child
        if target is not None and target.is_dir():
            out.append((child.name, target))
    return out


def _tar(dest: Path, roots: list[tuple[str, Path]]) -> dict[str, dict[str, Any]]:
    """An uncompressed tar (index files are compressed already) of the roots; returns the
    sha256 and size of every member."""
    contents: dict[str, dict[str, Any]] = {}
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, root in roots:
            for path in _files_under(root):
                arc = f"{name}/{path.relative_to(root).as_posix()}"
                data = path.read_bytes()  # one read: the checksum is of exactly what is archived
                info = tarfile.TarInfo(arc)
                info.size = len(data)
                info.mtime = int(path.stat().st_mtime)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
                contents[arc] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    return contents


def _tar_indexes(dest: Path, index_dir: Path) -> dict[str, dict[str, Any]]:
    """The indexes, each copied while holding its writer lock: no update lands mid-copy."""
    import contextlib

    from ..index import swap

    with contextlib.ExitStack() as stack:
        if index_dir.is_dir():
            for child in sorted(index_dir.iterdir()):
                if child.is_symlink():
                    stack.enter_context(swap.writer_lock(child))
        return _tar(dest, _index_roots(index_dir))


# ----------------------------------------------------------------------------- backup
def backup(settings: Settings, out: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Write a backup folder of this home and catalogue; returns its manifest."""
    from sqlalchemy.exc import OperationalError

    try:
        return _backup(settings, out)
    except OperationalError as e:
        raise BackupError(f"cannot reach the database {mask(settings.database_url)}: {e.orig}") from None


def _backup(settings: Settings, out: str | os.PathLike[str] | None) -> dict[str, Any]:
    url = settings.database_url
    kind = backend(url)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(out) if out else settings.home / "backups" / stamp
    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty; choose a new folder for the backup")
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        db_file, counts = _backup_sqlite(url, folder / SQLITE_FILE)
    else:
        db_file, counts = _backup_pg(url, folder / PG_FILE)
    index_contents = _tar_indexes(folder / INDEX_TAR, settings.index_dir)
    vec_root = settings.vectors_dir
    vectors_contents = _tar(folder / VECTORS_TAR, [("vectors", vec_root)] if vec_root.is_dir() else [])
    files: dict[str, dict[str, Any]] = {}
    for name in (db_file, INDEX_TAR, VECTORS_TAR):
        p = folder / name
        files[name] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
    manifest = {
        "format": FORMAT, "patentdesk": __version__, "created": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"backend": kind, "file": db_file, "url": mask(url)}, "home": str(settings.home),
        "counts": counts, "files": files,
        "index": {"contents": index_contents, "meta": _index_meta(settings)},
        "vectors": {"contents": vectors_contents, "meta": _vectors_meta(settings)},
    }
    manifest["publications"] = counts.get("publications", 0)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    manifest["path"] = str(folder)
    manifest["bytes"] = sum(f["bytes"] for f in files.values())
    return manifest


def _backup_sqlite(url: str, dest: Path) -> tuple[str, dict[str, int]]:
    src = sqlite_path(url)
    if not src.is_file():
        raise UserError(f"no catalogue at {src}")
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)  # consistent even while another process writes
    d.close()
    s.close()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            return SQLITE_FILE, table_counts(conn)
    finally:
        engine.dispose()


def _backup_pg(url: str, dest: Path) -> tuple[str, dict[str, int]]:
    from sqlalchemy import text

    from ..store.catalogue import make_engine

    engine = make_engine(url)
    conninfo, env = pg_conninfo(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = table_counts(conn)
            # pg_dump reads in the very snapshot the counts were taken in (held while this
            # transaction stays open)
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={conninfo}"], env)
            conn.rollback()
    finally:
        engine.dispose()
    return PG_FILE, counts


def _index_meta(settings: Settings) -> dict[str, Any] | None:
    try:
        from ..index import fulltext

        st = fulltext.status(settings)
        return {k: st.get(k) for k in ("documents", "catalogue", "schema_version", "state")}
    except Exception as e:  # noqa: BLE001 - the backup records what it can; the files are what count
        return {"error": str(e)}


def _vectors_meta(settings: Settings) -> dict[str, Any] | None:
    meta = settings.vectors_dir / "vectors.json"
    if not meta.is_file():
        return None
    try:
        from ..index.vectors import VectorStore

        st = VectorStore(settings.vectors_dir).status()
        return {k: st.get(k) for k in ("documents", "passages", "model", "generation")}
    except Exception as e:  # noqa: BLE001
        return {"error": str(e)}


# ----------------------------------------------------------------------------- restore
def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise UserError(f"{folder}: no {MANIFEST}; not a patentdesk backup, or an unfinished one")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: backup format {manifest.get('format')}, this patentdesk reads {FORMAT}")
    return manifest


def verify(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Check every file of a backup against its manifest; returns the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    bad = []
    for name, want in manifest["files"].items():
        p = folder / name
        if not p.is_file():
            bad.append(f"{name} is missing")
        elif p.stat().st_size != want["bytes"] or sha256_file(p) != want["sha256"]:
            bad.append(f"{name} does not match its checksum")
    if bad:
        raise ChecksumMismatch(f"backup {folder} is damaged: {'; '.join(bad)}; nothing was restored")
    return manifest


def restore(settings: Settings, folder: str | os.PathLike[str], *, force: bool = False) -> dict[str, Any]:
    """Restore a backup into this home and database; returns what was restored and checked."""
    from sqlalchemy.exc import OperationalError

    try:
        return _restore(settings, Path(folder), force)
    except OperationalError as e:
        raise BackupError(f"cannot reach the database {mask(settings.database_url)}: {e.orig}") from None


def _restore(settings: Settings, folder: Path, force: bool) -> dict[str, Any]:
    manifest = verify(folder)
    kind = backend(settings.database_url)
    if manifest["database"]["backend"] != kind:
        raise UserError(f"this backup holds a {manifest['database']['backend']} catalogue and the target is "
                        f"{kind}; restore onto the same kind of database")
    existing = _target_publications(settings.database_url)
    if existing and not force:
        raise UserError(f"the target catalogue holds {existing} publications; restore into an empty one, "
                        "or pass --force to replace it")
    settings.home.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        _restore_sqlite(folder / SQLITE_FILE, sqlite_path(settings.database_url))
    else:
        _restore_pg(folder / PG_FILE, settings.database_url)
    _restore_index(folder / INDEX_TAR, settings, manifest["index"]["contents"])
    _restore_vectors(folder / VECTORS_TAR, settings, manifest["vectors"]["contents"])
    counts = _counts_of(settings.database_url)
    if counts != manifest["counts"]:
        diff = {k: (manifest["counts"].get(k), counts.get(k)) for k in set(counts) | set(manifest["counts"])
                if counts.get(k) != manifest["counts"].get(k)}
        raise BackupError(f"restored counts differ from the backup's (table: backup, restored): {diff}")
    return {"path": str(folder), "counts": counts, "index": _index_meta(settings),
            "vectors": _vectors_meta(settings), "verified": True}


def _counts_of(url: str) -> dict[str, int]:
    from ..store.catalogue import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return table_counts(conn)
    finally:
        engine.dispose()


def _target_publications(url: str) -> int:
    from sqlalchemy import inspect, text

    from ..store.catalogue import make_engine

    if url.startswith("sqlite") and not sqlite_path(url).exists():
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "publications" not in inspect(conn).get_table_names():
                return 0
            return int(conn.execute(text("SELECT count(*) FROM publications")).scalar_one())
    finally:
        engine.dispose()


def _restore_sqlite(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".restoring")
    shutil.copyfile(src, tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    os.replace(tmp, dest)


def _restore_pg(src: Path, url: str) -> None:
    conninfo, env = pg_conninfo(url)
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(src)], env)


def _extract(tar_path: Path, dest: Path, contents: dict[str, dict[str, Any]]) -> None:
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest, filter="data")  # no absolute paths, links out or devices
    for arc, want in contents.items():
        p = dest / arc
        if not p.is_file() or sha256_file(p) != want["sha256"]:
            raise ChecksumMismatch(f"{tar_path.name}: {arc} does not match its checksum after unpacking")


def _restore_index(tar_path: Path, settings: Settings, contents: dict[str, dict[str, Any]]) -> None:
    from ..index import swap

    index_dir = settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    staging = index_dir / f".restore-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _extract(tar_path, staging, contents)
        for root in sorted(p for p in staging.iterdir() if p.is_dir()):
            link = index_dir / root.name
            gen = swap.new_generation(link)
            gen.rmdir()
            os.replace(root, gen)
            swap.publish(gen, link)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_vectors(tar_path: Path, settings: Settings, contents: dict[str, dict[str, Any]]) -> None:
    target = settings.vectors_dir
    staging = target.parent / f".vectors-restore-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _extract(tar_path, staging, contents)
        new = staging / "vectors"
        if not new.is_dir():
            return  # the backup had no vector store
        old = target.parent / f".vectors-old-{os.getpid()}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
