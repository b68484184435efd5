"""Result files written whole or not at all, readable by colleagues, failures named.

Every result file is written under a temporary name beside its target and
renamed over it only when complete, so a run stopped halfway (Ctrl-C, a full
disk) leaves the previous file intact. The temporary files are removed on
every way out this process controls; a run killed outright (SIGKILL, power
loss) leaves them behind, and the next run writing into that folder clears
them. A folder that cannot be made or written becomes an `OutputError` that
names the file the user asked for, never the temporary one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
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
            raise OutputError(
                f"Cannot write results to {folder}: it is a file, not a folder; "
                "choose another output folder."
            )
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(folder, error) from None


def cannot_write(path: Path, error: OSError) -> OutputError:
    """The failure to write ``path`` (what the user asked for), in their words."""
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    return OutputError(f"Cannot write {path}: {reason}.")


def replace_atomically(writes: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write every file to a temporary name, then rename them all into place.

    Renaming starts only once every file is complete, so a set of files never
    mixes new and old after a failed write. Files get the permissions the
    user's umask gives new files (temporary files start private), so
    colleagues on a shared drive can open them.
    """
    for folder in {target.parent for target, _ in writes}:
        clear_stale_temps(folder, [t.name for t, _ in writes if t.parent == folder])
    mode = _new_file_mode()
    temps: list[Path] = []
    target = writes[0][0]
    try:
        for target, write in writes:
            handle, name = tempfile.mkstemp(
                dir=target.parent,
                prefix=f".{target.name}.{os.getpid()}.",
                suffix=TEMP_SUFFIX,
            )
            os.close(handle)
            temps.append(Path(name))
            write(temps[-1])
            os.chmod(temps[-1], mode)
        for temp, (target, _) in zip(temps, writes, strict=True):
            os.replace(temp, target)
    except OSError as error:
        raise cannot_write(target, error) from None
    finally:
        for temp in temps:
            _remove(temp)


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
    """The permissions the umask gives a new file (0o666 less the umask).

    The umask can only be read by setting it, so it is set back at once.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def file_stems(ids: Sequence[str]) -> dict[str, str]:
    """A file name part for each id, no two alike even where case does not
    count (Windows, macOS): letters, digits, ``.``, ``_`` and ``-`` as they
    are, any other character as ``%`` and its code (``X/Y`` -> ``X%2FY``,
    ``X Y`` -> ``X%20Y``), and an id that differs from another by case only
    followed by a digest of itself."""
    quoted = {i: quote(i, safe="._-") for i in ids}
    # A leading dot would hide the file.
    quoted = {i: f"%2E{s[1:]}" if s.startswith(".") else s for i, s in quoted.items()}
    folded = Counter(stem.lower() for stem in quoted.values())
    return {
        i: stem
        if folded[stem.lower()] == 1
        else f"{stem}-{hashlib.sha256(i.encode()).hexdigest()[:8]}"
        for i, stem in quoted.items()
    }
