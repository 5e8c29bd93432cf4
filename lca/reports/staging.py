"""Results folders that cannot mix or clobber: staged, then swapped in with one rename.

A run writes every output into a fresh staging folder beside its target
(``.<name>.staging-*``) and, when all are written and synced, exchanges the
staging folder and the target in one ``renameat2(RENAME_EXCHANGE)`` (Linux;
elsewhere two renames, with the previous set restored by the next run if a
crash falls between them). So a target holds either its previous complete set
or the new one, never a mix; the provenance hashes the bytes this run wrote.

Guards, before anything is written:

* the target must be absent, empty, or a folder ai-lca wrote (one with an
  ai-lca provenance file); a folder of the user's own is refused unless
  ``force`` (then its other files are kept and ours replaced);
* the target may not lie in an inventory folder the run reads;
* one writer at a time per target (a hidden lock file beside it; a second writer is refused);
* staging folders left by a killed run are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import ConcurrencyError, InputError, OutputError

__all__ = ["staged_folder", "is_results_folder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def is_results_folder(folder: Path) -> bool:
    """True for a folder that an ai-lca run or analysis wrote (an ai-lca provenance file in it)."""
    for prov in (*folder.glob("provenance.json"), *folder.glob("*-provenance.json")):
        try:
            data = json.loads(prov.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "ai-lca" in (data.get("versions") or {}):
            return True
    return False


def _check_target(out: Path, force: bool, protected: Iterable[Path]) -> None:
    for folder in protected:
        folder = Path(folder).resolve()
        if out == folder or folder in out.parents:
            raise InputError(
                "the output folder lies in an inventory folder the run reads",
                file=out,
                hint="write the results elsewhere (--out): files there would be read as inventory",
            )
    if out.exists() and not out.is_dir():
        raise InputError("the output path is a file, not a folder", file=out, hint="give a folder (--out DIR)")
    if out.is_dir() and any(out.iterdir()) and not is_results_folder(out) and not force:
        raise InputError(
            "the output folder holds files ai-lca did not write",
            file=out,
            hint="choose an empty or new folder, or pass --force to add the results to it (files of "
            "the same names are replaced)",
        )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; False where the system has no renameat2."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - not Linux/glibc
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # pragma: no cover - old kernel or filesystem
            return False
        raise OSError(code, os.strerror(code), str(b))
    return True


def _sync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _restore_or_clean(parent: Path, name: str, out: Path) -> None:
    """Remove what a killed run left beside ``out``; put back a previous set caught between two renames."""
    for old in sorted(parent.glob(f".{name}.previous-*")):
        if not out.exists():
            os.rename(old, out)  # the two-rename fallback was interrupted: the previous set comes back
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in parent.glob(f".{name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(
    out: Path | str, *, force: bool = False, protected: Iterable[Path] = (), keep_existing: bool = False
) -> Iterator[Path]:
    """Yield a fresh staging folder for ``out``; swap it in when the block ends without an error.

    ``keep_existing`` copies the files already in ``out`` into the staging
    folder first (an analysis adding its files to a run's folder).

    Raises
    ------
    InputError
        The target is a file, holds files of the user's own (without ``force``)
        or lies in an inventory folder.
    ConcurrencyError
        Another ai-lca process is writing into the same target.
    OutputError
        The outputs could not be written (disk full, permissions); the
        previous results are left as they were.
    """
    out = Path(out).expanduser().absolute()
    _check_target(out.resolve(), force, protected)
    users_folder = out.is_dir() and any(out.iterdir()) and not is_results_folder(out)
    parent, name = out.parent, out.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = (
            "a part of the path is a file, not a folder" if exc.errno in (errno.EEXIST, errno.ENOTDIR) else exc.strerror
        )
        raise OutputError(f"cannot create the folder for the results: {why}", file=parent) from None
    lock_path = parent / f".{name}.lock"
    try:  # a lock file that cannot be made is not a lock someone else holds: say why
        os.close(os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o666))
    except OSError as exc:
        raise OutputError(f"cannot write in the folder for the results: {exc.strerror}", file=parent) from None
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ConcurrencyError(
            "another ai-lca run is writing into this folder",
            file=out,
            hint="wait for it to finish, or write elsewhere (--out)",
        ) from None
    stage: Path | None = None
    try:
        _restore_or_clean(parent, name, out)
        stage = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=parent))
        if (keep_existing or users_folder) and out.is_dir():
            for item in out.iterdir():  # the files already there come along; ours replace same-named ones
                if item.is_dir() and not item.is_symlink():
                    shutil.copytree(item, stage / item.name, symlinks=True, copy_function=_link_or_copy)
                else:
                    _link_or_copy(item, stage / item.name)
        yield stage
        _sync_tree(stage)
        os.chmod(stage, 0o777 & ~_umask())
        if not out.exists():
            os.rename(stage, out)
            stage = None
        elif not _exchange(stage, out):  # pragma: no cover - systems without renameat2
            previous = Path(tempfile.mkdtemp(prefix=f".{name}.previous-", dir=parent))
            os.rmdir(previous)
            os.rename(out, previous)
            os.rename(stage, out)
            stage = previous
    except OSError as exc:
        what = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError(
            f"could not write the results: {what}",
            file=out,
            hint="the previous results in this folder are left as they were",
        ) from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        lock.release()  # the hidden lock file stays: unlinking it would let two writers lock different files


def _link_or_copy(src: Path | str, dst: Path | str) -> None:
    """A hard link to ``src`` at ``dst`` (no copy of a large output; every write replaces a file, never edits it
    in place), or a copy where the filesystem has no hard links."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
