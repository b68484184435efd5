"""Result files written whole or not at all, readable by colleagues, failures named.

Every result file is written under a temporary name beside its target and
renamed over it only when complete, so a run stopped halfway (Ctrl-C, a full
disk) leaves the previous file intact. A result folder changes as a whole
(`publish_folder`): the new one is written beside the old one and swapped
in by one rename, so nobody finds a new schedule beside an old brief or
calendars. The temporary files and folders are removed on every way out
this process controls; a run killed outright (SIGKILL, power loss) leaves
them behind, and the next run writing there clears them. A folder that
cannot be made or written becomes an `OutputError` that names the file the
user asked for, never the temporary one.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

TEMP_SUFFIX = ".tmp"
# A temporary file whose writer cannot be seen (another machine sharing the
# drive) is left alone this long: writing a result takes seconds.
STALE_AFTER_S = 3600.0

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the drive is read-only",
    errno.EACCES: "permission denied: the folder is read-only, or the file is "
    "open in another program (close it and run again)",
    errno.EPERM: "permission denied: the folder is read-only, or the file is "
    "open in another program (close it and run again)",
    errno.ENAMETOOLONG: "a name in the path is too long (at most 255 characters "
    "a folder or file name)",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way of the folder",
    errno.EISDIR: "a folder of that name is in the way of the file",
}


class OutputError(Exception):
    """The result cannot be written where asked; the message says why."""


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) for results, or say why it cannot be."""
    try:
        if folder.exists() and not folder.is_dir():
            raise _a_file(folder)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(folder, error) from None


def _a_file(folder: Path) -> OutputError:
    return OutputError(
        f"Cannot write results to {folder}: it is a file, not a folder; "
        "choose another output folder."
    )


def check_writable(folder: Path) -> None:
    """Raise `OutputError` unless files can be written in ``folder``, or
    ``folder`` made where it is missing: asked before a long run, so that a
    read-only folder is named before the search, not after it. Tried by
    making and removing an empty folder in it (or in the nearest folder
    above that exists), which leaves nothing behind, not even ``folder``."""
    if folder.exists() and not folder.is_dir():
        raise _a_file(folder)
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        os.rmdir(_make_temp_folder(existing, folder.name))
    except OSError as error:
        raise cannot_write(folder, error) from None


def cannot_write(path: Path, error: OSError) -> OutputError:
    """The failure to write ``path`` (what the user asked for), in their words."""
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    return OutputError(f"Cannot write {path}: {reason}.")


def replace_atomically(writes: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write every file to a temporary name, then rename them all into place.

    Renaming starts only once every file is complete, and holds SIGINT and
    SIGTERM until it is done, so a set of files never mixes new and old
    after a failed or stopped write. The folders the files go in are made
    when missing, and removed again when the write fails or is stopped: an
    interrupted brief leaves no empty briefs/ folder. Files get the
    permissions the user's umask gives new files (temporary files start
    private), so colleagues on a shared drive can open them.
    """
    made = _make_folders({target.parent for target, _ in writes})
    for folder in {target.parent for target, _ in writes}:
        clear_stale_temps(folder, [t.name for t, _ in writes if t.parent == folder])
    mode = _new_file_mode()
    temps: list[Path] = []
    target = writes[0][0]
    try:
        for target, write in writes:
            # Listed before it exists: a signal right after it is made still
            # finds it to remove.
            temps.append(_temp_name(target))
            os.close(os.open(temps[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            write(temps[-1])
            os.chmod(temps[-1], mode)
        with _signals_held():
            for temp, (target, _) in zip(temps, writes, strict=True):
                os.replace(temp, target)
    except BaseException as error:
        for temp in temps:
            _remove(temp)
        _remove_empty(made)
        if isinstance(error, OSError):
            raise cannot_write(target, error) from None
        raise


def _temp_name(target: Path) -> Path:
    """A private temporary name beside ``target``, carrying this process's
    id (`clear_stale_temps`)."""
    token = secrets.token_hex(4)
    return target.parent / f".{target.name}.{os.getpid()}.{token}{TEMP_SUFFIX}"


def _make_folders(folders: Iterable[Path]) -> list[Path]:
    """Make each of ``folders`` that is missing (`make_folder`); return the
    folders made, its parents included, the deepest first."""
    made: set[Path] = set()
    for folder in folders:
        missing = [f for f in (folder, *folder.parents) if not f.exists()]
        make_folder(folder)
        made.update(missing)
    return sorted(made, key=lambda f: len(f.parts), reverse=True)


def _remove_empty(made: Sequence[Path]) -> None:
    """Remove the folders ``made`` for a write that failed, unless something
    else has come into them meanwhile."""
    for folder in made:
        with suppress(OSError):
            folder.rmdir()


def clear_stale_temps(folder: Path, names: Sequence[str]) -> list[Path]:
    """Remove temporary files of ``names`` left in ``folder`` by killed runs.

    A temporary file is stale when the process that made it (its name carries
    the process id) is gone, or when it is older than STALE_AFTER_S (made on
    another machine, or before names carried an id). Returns those removed.
    """
    removed: list[Path] = []
    for name in names:
        pattern = re.compile(
            re.escape(f".{name}.") + r"(?:(\d+)\.)?[^.]+" + re.escape(TEMP_SUFFIX)
        )
        try:
            candidates = list(folder.glob(f".{name}.*{TEMP_SUFFIX}"))
        except OSError:
            return removed
        for path in candidates:
            match = pattern.fullmatch(path.name)
            if match and _stale(path, match.group(1)) and _remove(path):
                removed.append(path)
    return removed


def _stale(path: Path, pid: str | None) -> bool:
    if pid is not None and not _running(int(pid)):
        return True
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False


def _running(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _remove(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _new_file_mode() -> int:
    """The permissions the umask gives a new file (0o666 less the umask)."""
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, which can only be read by setting it: it is set
    back at once."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


# A file name part made of an id is at most this many bytes (UTF-8): with
# "partner-", ".html" and the temporary name's dot, process id, random part
# and ".tmp" around it, a file name stays far below the 255 bytes a name may
# take, and below the 143 of an encrypted home folder (eCryptfs).
MAX_STEM_BYTES = 100
DIGEST_CHARS = 8


def file_stems(ids: Sequence[str]) -> dict[str, str]:
    """A file name part for each id, no two alike even where case does not
    count (Windows, macOS): letters and digits of every alphabet, ``.``,
    ``_``, ``-`` and ``~`` as they are, any other character as ``%`` and its
    code (``X/Y`` -> ``X%2FY``, ``X Y`` -> ``X%20Y``). An id that differs
    from another by case only, or too long for a file name, is followed by
    a digest of itself (its beginning kept, within MAX_STEM_BYTES): every id
    that validates gets its files, however long or however written."""
    units = {i: _name_units(i) for i in ids}
    stems = {i: "".join(u) for i, u in units.items()}
    folded = Counter(_folded(stem) for stem in stems.values())
    return {
        i: stem
        if folded[_folded(stem)] == 1 and len(stem.encode()) <= MAX_STEM_BYTES
        else _digested(units[i], i)
        for i, stem in stems.items()
    }


def _name_units(identifier: str) -> list[str]:
    """Each character of ``identifier`` as a file name shows it."""
    units = [c if _kept(c) else quote(c, safe="._-") for c in identifier]
    if units[:1] == ["."]:
        units[0] = "%2E"  # a leading dot would hide the file
    return units


def _kept(character: str) -> bool:
    """Whether ``character`` stands in a file name as it is: ASCII as URLs
    keep it unquoted, and the letters, marks and digits of other alphabets
    (``ŁÓD``, ``Україна``), which no system reserves."""
    if character.isascii():
        return quote(character, safe="._-") == character
    return unicodedata.category(character)[0] in "LMN"


def _folded(stem: str) -> str:
    """``stem`` as a file system that ignores case and composition sees it."""
    return unicodedata.normalize("NFC", stem).casefold()


def _digested(units: Sequence[str], identifier: str) -> str:
    """The beginning of ``units`` and a digest of ``identifier``, within
    MAX_STEM_BYTES, never a character or its ``%`` code cut in two."""
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:DIGEST_CHARS]
    room = MAX_STEM_BYTES - DIGEST_CHARS - 1
    kept, size = [], 0
    for unit in units:
        size += len(unit.encode())
        if size > room:
            break
        kept.append(unit)
    return f"{''.join(kept)}-{digest}"


# Whole folders -------------------------------------------------------------------

T = TypeVar("T")
# A temporary file or folder of a run: ".<name>.<pid>.<random>.tmp"; a folder
# swapped out by two renames (where one cannot exchange) ends ".old.tmp".
OLD_SUFFIX = ".old" + TEMP_SUFFIX
_TEMP_NAME = re.compile(r"\..+\.(\d+)\.[^.]+(\.old)?" + re.escape(TEMP_SUFFIX))
RENAME_EXCHANGE = 2  # linux/fs.h: swap two names in one step
AT_FDCWD = -100


def publish_folder(
    folder: Path, write: Callable[[Path], T], ours: Callable[[Path], bool]
) -> T:
    """Write a new ``folder`` whole (``write(stage)`` fills an empty folder
    beside it) and swap it in for the old one in one step; return what
    ``write`` returned, its paths still in the stage (see `moved`).

    ``ours`` says which entries of a folder planner writes: a folder holding
    anything else is refused (`check_publishable`), and the old folder is
    removed entry by entry, anything not ``ours`` (a file saved there during
    the run) moved into the new one, never deleted. A stop, a kill or a full
    disk before the swap leaves the old folder as it was; the swap itself
    holds SIGINT and SIGTERM until it is done.
    """
    folder = _real(folder)
    stage = open_stage(folder, ours)
    try:
        value = write(stage)
        os.chmod(stage, 0o777 & ~_umask())
        with _signals_held():
            old = _swap(stage, folder)
    except OutputError as error:
        discard(stage, folder, ours)
        raise OutputError(str(error).replace(str(stage), str(folder))) from None
    except OSError as error:
        discard(stage, folder, ours)
        raise cannot_write(folder, error) from None
    except BaseException:
        discard(stage, folder, ours)
        raise
    if old is not None:
        discard(old, folder, ours)
    return value


def open_stage(folder: Path, ours: Callable[[Path], bool]) -> Path:
    """An empty folder beside ``folder`` to write its new content into, once
    `check_publishable` allows it; stale ones of killed runs cleared first."""
    check_publishable(folder, ours)
    try:
        return _make_stage(folder)
    except OSError as error:
        raise cannot_write(folder, error) from None


def _make_stage(folder: Path) -> Path:
    return _make_temp_folder(folder.parent, folder.name)


def _make_temp_folder(inside: Path, name: str) -> Path:
    """A new empty folder in ``inside`` with the temporary name of ``name``."""
    return Path(
        tempfile.mkdtemp(
            dir=inside, prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX
        )
    )


def check_publishable(folder: Path, ours: Callable[[Path], bool]) -> None:
    """Raise `OutputError` unless a result can be published at ``folder``: a
    new folder, or one holding only what planner writes, not a mount point,
    in a folder that can be written, and writable itself with every folder in
    it (one made read-only is refused, not replaced). A front end asks before
    a long run."""
    folder = _real(folder)
    try:
        _check_publishable(folder, ours)
    except OSError as error:
        raise cannot_write(folder, error) from None


def _check_publishable(folder: Path, ours: Callable[[Path], bool]) -> None:
    if folder.exists() and not folder.is_dir():
        raise _a_file(folder)
    parent = folder.parent
    if parent.exists() and not parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(parent))
    parent.mkdir(parents=True, exist_ok=True)
    clear_stale_folders(folder, ours)
    if folder.is_dir() and os.path.ismount(folder):
        raise OutputError(
            f"Cannot write results to {folder}: it is a drive of its own, and "
            "planner replaces a result folder as a whole; name a folder inside "
            "it."
        )
    theirs = _not_ours(folder, ours)
    if theirs:
        shown = ", ".join(sorted(path.name for path in theirs)[:3])
        more = f" and {len(theirs) - 3:,} more" if len(theirs) > 3 else ""
        raise OutputError(
            f"Cannot write results to {folder}: it holds files planner did not "
            f"write ({shown}{more}), which replacing the folder would remove; "
            "choose a new or empty folder, or move them out."
        )
    os.rmdir(_make_stage(folder))  # the folder beside it can be written
    for inside in _folders_in(folder):
        check_writable(inside)


def _folders_in(folder: Path) -> list[Path]:
    """``folder`` and every folder in it (links not followed), if it exists.

    Each must be writable for the old result to be cleared once the new one
    is in place: a folder made read-only (to keep a result as it is) would
    otherwise be swapped out, then left full beside the new one."""
    if not folder.is_dir():
        return []
    return [Path(top) for top, _, _ in os.walk(folder)]


def _not_ours(folder: Path, ours: Callable[[Path], bool]) -> list[Path]:
    entries = list(folder.iterdir()) if folder.is_dir() else []
    return [path for path in entries if not (ours(path) or is_temporary(path))]


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a temporary file or folder of a planner run."""
    return _TEMP_NAME.fullmatch(path.name) is not None


def moved(path: Path, stage: Path, folder: Path) -> Path:
    """Where ``path``, written in ``stage``, is once ``stage`` became ``folder``."""
    return folder / path.relative_to(stage) if path.is_relative_to(stage) else path


def discard(old: Path, folder: Path, ours: Callable[[Path], bool]) -> None:
    """Remove ``old`` (a stage, or the folder swapped out): what planner
    wrote is deleted; anything else is moved into ``folder`` (or, when that
    is gone or holds the name, left where it is)."""
    with suppress(OSError):
        for path in list(old.iterdir()):
            if ours(path) or is_temporary(path):
                _delete(path)
            elif folder.is_dir() and not (folder / path.name).exists():
                os.rename(path, folder / path.name)
        old.rmdir()


def clear_stale_folders(folder: Path, ours: Callable[[Path], bool]) -> list[Path]:
    """Clear the stages and swapped-out folders of ``folder`` left beside it
    by killed runs (stale as `clear_stale_temps` judges). A folder swapped
    out whose new one never came (killed between two renames) is put back.
    Returns those cleared."""
    cleared: list[Path] = []
    mine = f".{folder.name}."
    with suppress(OSError):
        for path in list(folder.parent.iterdir()):
            match = _TEMP_NAME.fullmatch(path.name)
            if not (match and path.name.startswith(mine) and path.is_dir()):
                continue
            if not _stale(path, match.group(1)):
                continue
            if match.group(2) and not folder.exists():
                os.rename(path, folder)
            else:
                discard(path, folder, ours)
            cleared.append(path)
    return cleared


def _swap(stage: Path, folder: Path) -> Path | None:
    """Put ``stage`` at ``folder``; return where the old folder went (None
    when there was none). One atomic exchange on Linux (renameat2); elsewhere
    two renames, between which a kill leaves the old folder under its
    ``.old.tmp`` name for the next run to put back."""
    if not folder.exists():
        os.rename(stage, folder)
        return None
    if _exchange(stage, folder):
        return stage
    old = stage.with_name(stage.name.removesuffix(TEMP_SUFFIX) + OLD_SUFFIX)
    os.rename(folder, old)
    os.rename(stage, folder)
    return old


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False
    where the system or the file system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p] * 2 + [ctypes.c_uint]
    done = renameat2(
        AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (the main thread's,
    where Python handles them; elsewhere the block runs as it is)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _real(folder: Path) -> Path:
    """``folder``, or where it links to: a link to a result folder keeps
    pointing at it, its target is what is replaced."""
    folder = Path(folder)
    return Path(os.path.realpath(folder)) if os.path.islink(folder) else folder


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
