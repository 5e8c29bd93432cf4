"""Where ai-lca keeps its Brightway project, and how Brightway is imported.

The default home is a per-user data folder (``platformdirs.user_data_dir``),
overridden by the ``LCA_HOME`` environment variable or an explicit ``home``
argument (``--home`` on the command line). Brightway's data folder is
``<home>/brightway``; the XDG and matplotlib folders that Brightway's
dependencies write to are pointed inside ``<home>`` as well, so nothing is
written under the user's own Brightway folder or home directory.

bw2data reads ``BRIGHTWAY2_DIR`` once, when it is first imported. If it was
imported before (a notebook that already uses Brightway), ai-lca switches its
base folder with ``projects.change_base_directories`` and switches it back
afterwards, so the user's own projects are never touched.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import os
import pickle
import shutil
import socket
import sqlite3
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import platformdirs
from filelock import FileLock, Timeout

from ..environment import lock_timeout_s
from ..errors import ConcurrencyError, EngineError

__all__ = ["PROJECT", "brightway", "home_lock", "lca_home", "quiet", "repair_home", "explain_damage"]

PROJECT = "ai-lca"
WAIT_NOTICE_S = 3.0  # after this, say who holds the home
log = logging.getLogger("lca")
_ORIGINAL_ENV = {k: os.environ.get(k) for k in ("BRIGHTWAY2_DIR",)}


# the user's data folder, read before ai-lca points the XDG variables into its home (which would
# otherwise move the default home into itself for every later call in the same process)
_USER_DATA = platformdirs.user_data_dir("ai-lca", appauthor=False)


def lca_home(home: str | Path | None = None) -> Path:
    """The ai-lca home folder: ``home``, else ``$LCA_HOME``, else the user data folder."""
    if home is None:
        home = os.environ.get("LCA_HOME") or _USER_DATA
    path = Path(home).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(f"cannot create the ai-lca home folder: {exc.strerror}", file=path) from None
    return path


def _folders(home: Path) -> dict[str, Path]:
    return {
        "BRIGHTWAY2_DIR": home / "brightway",
        "XDG_DATA_HOME": home / "xdg" / "data",
        "XDG_STATE_HOME": home / "xdg" / "state",
        "XDG_CACHE_HOME": home / "xdg" / "cache",
        "XDG_CONFIG_HOME": home / "xdg" / "config",
        "MPLCONFIGDIR": home / "xdg" / "mpl",
    }


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence Brightway's progress bars, prints and warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield


def _import_brightway(home: Path) -> tuple[Any, Any]:
    first = "bw2data" not in sys.modules
    if first:
        for key, folder in _folders(home).items():
            folder.mkdir(parents=True, exist_ok=True)
            os.environ[key] = str(folder)
        logging.getLogger("bw2calc").setLevel(logging.ERROR)
        logging.getLogger("bw2data").setLevel(logging.ERROR)
        try:
            import structlog

            if not structlog.is_configured():
                structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        except ImportError:  # pragma: no cover - structlog comes with bw2data
            pass
        # bw2data creates its folders, ``projects.db`` and a "default" project
        # at import, without guarding against other processes doing the same
        # (check-then-mkdir, unique-name inserts): on a fresh home, processes
        # started together race. Make the folders here and import under a lock.
        (home / "brightway" / "logs").mkdir(parents=True, exist_ok=True)
        with FileLock(str(home / "import.lock"), timeout=lock_timeout_s()), quiet():
            # Every Brightway project switch closes its SQLite files and calls gc.collect(),
            # which walks every object the imports made (0.1-0.15 s each on the project's
            # machine, two per run). Objects alive now live as long as the process, so they
            # are moved out of the collector's sight (gc.freeze, once per process) before
            # and after the import; young garbage is collected first.
            gc.collect(1)
            gc.freeze()
            import bw2calc as bc
            import bw2data as bd

            gc.collect(1)
            gc.freeze()
        return bd, bc
    with quiet():
        import bw2calc as bc
        import bw2data as bd
    return bd, bc


def _locked_out(exc: Timeout) -> ConcurrencyError:
    return ConcurrencyError(
        f"the ai-lca home is locked by another process for more than {lock_timeout_s():.0f} s",
        file=exc.lock_file,
    )


def home_lock(home: Path) -> FileLock:
    """A lock file that serialises writes to the Brightway project of ``home``."""
    return FileLock(str(home / "project.lock"), timeout=lock_timeout_s())


@contextlib.contextmanager
def _held(home: Path) -> Iterator[None]:
    """Hold the home lock; say who holds it while waiting, and give up after ``LCA_LOCK_TIMEOUT_S`` seconds."""
    lock = home_lock(home)
    limit = lock_timeout_s()
    owner = home / "project.lock.owner"
    try:
        lock.acquire(timeout=WAIT_NOTICE_S)
    except Timeout:
        try:
            who = owner.read_text(encoding="utf-8").strip()
        except OSError:
            who = "another process"
        log.warning("waiting for the ai-lca home %s, in use by %s (gives up after %.0f s)", home, who, limit)
        try:
            lock.acquire(timeout=limit)
        except Timeout:
            raise ConcurrencyError(
                f"the ai-lca home stayed in use by {who} for more than {limit:.0f} s",
                file=home,
                hint="wait for that run to finish, or use another home (--home DIR or LCA_HOME)",
            ) from None
    try:
        with contextlib.suppress(OSError):
            owner.write_text(f"pid {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
        yield
    finally:
        lock.release()


DAMAGE: tuple[type[BaseException], ...] = (
    sqlite3.DatabaseError,
    json.JSONDecodeError,
    pickle.UnpicklingError,
    EOFError,
    zipfile.BadZipFile,
    peewee.DatabaseError,
)


@contextlib.contextmanager
def explain_damage(home: Path, target: Path, own: bool) -> Iterator[None]:
    """Turn the errors of a damaged Brightway folder into one message that says what to do."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - re-raised unless it is the mark of a damaged folder
        if not isinstance(exc, DAMAGE) and not (
            isinstance(exc, FileNotFoundError | KeyError | ValueError) and _looks_damaged(exc)
        ):
            raise
        reason = f"{type(exc).__name__}: {str(exc)[:120]}"
        if own:
            raise EngineError(
                f"the ai-lca Brightway project is damaged ({reason})",
                file=target,
                hint=f"run 'lca home repair{'' if home == lca_home() else f' --home {home}'}' (it rebuilds "
                "ai-lca's own project; your Brightway projects are not touched)",
            ) from None
        raise EngineError(
            f"your Brightway folder could not be read ({reason})",
            file=target,
            hint="check the project with Brightway itself",
        ) from None


def _looks_damaged(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(
        w in text
        for w in (
            "processed",
            ".zip",
            "datapackage",
            "databases.json",
            "not a database",
            "no such table",
            "malformed",
            "file is encrypted",
        )
    )


def user_brightway_dir(explicit: str | Path | None = None) -> Path:
    """The user's own Brightway folder: ``explicit`` (an API argument or ``--brightway-dir``),
    else their BRIGHTWAY2_DIR, else Brightway's default.

    Never a folder named by a study: Brightway unpickles files and database
    fields of the folder it opens, so only the user chooses it.
    """
    if explicit is not None:
        return Path(explicit).expanduser().resolve()
    if _ORIGINAL_ENV.get("BRIGHTWAY2_DIR"):
        return Path(str(_ORIGINAL_ENV["BRIGHTWAY2_DIR"]))
    return Path(platformdirs.user_data_dir("Brightway3", "pylca"))


@contextlib.contextmanager
def brightway(
    home: str | Path | None = None,
    *,
    lock: bool = True,
    base_dir: str | Path | None = None,
    project: str | None = None,
) -> Iterator[tuple[Any, Any, Path]]:
    """Yield ``(bw2data, bw2calc, home)`` with the ai-lca project current.

    The Brightway base folder is ``<home>/brightway``; it is switched back to
    what it was on exit. With ``lock`` (default) other processes using the
    same home wait until this block ends. ``base_dir`` and ``project`` select
    a user's own Brightway folder and (existing) project instead, for studies
    linked to a background database the user holds.
    """
    home_path = lca_home(home)
    try:
        with explain_damage(home_path, _folders(home_path)["BRIGHTWAY2_DIR"], own=True):
            bd, bc = _import_brightway(home_path)
    except Timeout as exc:
        raise _locked_out(exc) from None
    target = Path(base_dir).expanduser().resolve() if base_dir else _folders(home_path)["BRIGHTWAY2_DIR"]
    if base_dir is None:
        target.mkdir(parents=True, exist_ok=True)
    elif not (target / "projects.db").exists():
        raise EngineError(
            "no Brightway projects found in this folder",
            file=target,
            hint="point BRIGHTWAY2_DIR (or --brightway-dir) at the folder that holds projects.db",
        )
    project_name = project or PROJECT
    lock_obj = _held(home_path) if lock else contextlib.nullcontext()
    try:
        with lock_obj, explain_damage(home_path, target, own=base_dir is None):
            previous = Path(bd.projects._base_data_dir)
            previous_logs = Path(bd.projects._base_logs_dir)
            previous_project = bd.projects.current
            switched = previous.resolve() != target.resolve()
            if switched:
                logs = home_path / "xdg" / "state" / "brightway-logs"
                logs.mkdir(parents=True, exist_ok=True)
                if project is not None:
                    _require_project(bd, target, project)
                with quiet():
                    bd.projects.change_base_directories(target, base_logs_dir=logs, project_name=project_name)
            else:
                if project is not None and project not in bd.projects:
                    raise EngineError(
                        f"Brightway project {project!r} not found",
                        file=target,
                        valid=", ".join(sorted(p.name for p in bd.projects)),
                    )
                with quiet():
                    bd.projects.set_current(project_name)
            try:
                yield bd, bc, home_path
            finally:
                if switched:
                    with quiet():
                        bd.projects.change_base_directories(
                            previous, base_logs_dir=previous_logs, project_name=previous_project, update=False
                        )
    except Timeout as exc:
        raise _locked_out(exc) from None


def _require_project(bd: Any, base: Path, project: str) -> None:
    """Refuse to create a user project by accident: it must exist in ``base``."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(base / "projects.db")) as con:
            names = [r[0] for r in con.execute("select name from projectdataset")]
    except sqlite3.Error as exc:
        raise EngineError(f"cannot read the Brightway projects of this folder: {exc}", file=base) from None
    if project not in names:
        raise EngineError(f"Brightway project {project!r} not found", file=base, valid=", ".join(sorted(names)))


def repair_home(home: str | Path | None = None) -> Path:
    """Delete ai-lca's own Brightway project in ``home``; the next run rebuilds it (offline, seconds).

    Only ``<home>/brightway`` is removed: the results, your inventories and
    your own Brightway projects are elsewhere and are not touched.
    """
    home_path = lca_home(home)
    folder = _folders(home_path)["BRIGHTWAY2_DIR"]
    if "bw2data" in sys.modules:
        raise EngineError(
            "repair the home in a fresh process: this one has Brightway loaded",
            hint="run 'lca home repair' from the command line",
        )
    with _held(home_path):
        if folder.exists():
            shutil.rmtree(folder)
    return folder
