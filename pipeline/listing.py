"""What a folder of reports holds: every entry a file to read, or refused with a reason (issue 14).

A crawler's folder holds more than report files: hidden temporary files, symbolic links (some pointing
outside the folder, some dangling, some looping), named pipes, sockets, device files and folders that
cannot be listed. Nothing may vanish silently and nothing outside the folder may be opened, so the walk
yields one `Entry` per entry it meets:

* a regular file, or a symbolic link to a regular file inside the folder: read (`refused` is None);
* everything else: `refused` with a stable code and a reason in plain words, never opened.

One `os.scandir` per directory: at 100,000 files this is several times faster than `rglob` and a `stat`
per `Path`. A symbolic link to a folder is not followed (its files are read where they really are).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of the folder. `stat` is of the file that would be read (a link's target)."""

    path: str  # relative to the root, POSIX separators
    stat: os.stat_result
    refused: str | None = None  # stable code when the entry is not read
    reason: str | None = None  # why, in plain words


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _classify_link(entry: os.DirEntry, root: str) -> tuple[os.stat_result, str | None, str | None]:
    """(stat, refusal code, reason) of a symbolic link: read only when it resolves to a file inside root."""
    own = entry.stat(follow_symlinks=False)
    try:
        target = os.readlink(entry.path)
    except OSError:
        target = "?"
    try:
        real = os.path.realpath(entry.path, strict=True)
    except FileNotFoundError:
        return own, "link_dangling", f"a symbolic link to {target}, which does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return own, "link_loop", f"a symbolic link that loops ({target}): it leads to no file"
        return own, "unreadable", f"a symbolic link that cannot be followed ({exc.strerror or exc})"
    if not _inside(real, root):
        return own, "link_outside", (f"a symbolic link to {real}, outside the raw folder: nothing outside it is "
                                     "read (copy the file in to have it read)")
    st = os.stat(real)
    if stat.S_ISDIR(st.st_mode):
        return own, "link_to_folder", "a symbolic link to a folder: not followed (its files are read where they are)"
    if not stat.S_ISREG(st.st_mode):
        return own, "not_a_file", f"a symbolic link to a {_kind(st.st_mode)}, not a file: not read"
    return st, None, None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def walk(root: Path, max_bytes: int | None = None) -> Iterator[Entry]:
    """Every entry under root (see the module docstring). With `max_bytes`, a larger file is refused as
    `too_large` from its size alone: it is never read, not even to be hashed."""
    real_root = os.path.realpath(root)

    def scan(folder: str, prefix: str) -> Iterator[Entry]:
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            if prefix:  # the root itself must be listable: that is the caller's error to raise
                st = os.stat(folder, follow_symlinks=False)
                yield Entry(prefix.rstrip("/"), st, "unlistable_folder",
                            f"a folder that cannot be listed ({exc.strerror or exc}): its files are not read")
                return
            raise
        for entry in entries:
            name = f"{prefix}{entry.name}"
            try:
                own = entry.stat(follow_symlinks=False)
                if entry.name.startswith("."):
                    kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                    yield Entry(name, own, "hidden", f"a hidden {kind} (its name starts with '.'): not read; "
                                "rename it to have it read")
                elif entry.is_symlink():
                    st, code, reason = _classify_link(entry, real_root)
                    yield Entry(name, st, code, reason)
                elif entry.is_dir(follow_symlinks=False):
                    yield from scan(entry.path, f"{name}/")
                elif not stat.S_ISREG(own.st_mode):
                    yield Entry(name, own, "not_a_file", f"a {_kind(own.st_mode)}, not a file: not read")
                else:
                    yield Entry(name, own)
            except FileNotFoundError:  # vanished while listing
                continue
            except OSError as exc:
                yield Entry(name, os.stat_result((0,) * 10), "unreadable",
                            f"cannot be examined ({exc.strerror or exc})")

    for entry in scan(os.fspath(root), ""):
        if entry.refused is None and max_bytes is not None and entry.stat.st_size > max_bytes:
            yield Entry(entry.path, entry.stat, "too_large",
                        f"{entry.stat.st_size:,} bytes, more than the limit of {max_bytes:,}: not read")
        else:
            yield entry


def walk_report_files(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, stat) of every entry under root that is read (the refused ones left out)."""
    return ((e.path, e.stat) for e in walk(root) if e.refused is None)


def list_report_files(root: Path) -> list[Path]:
    """Every file under root that is read, sorted (by path parts) for deterministic output."""
    if root.is_file():
        return [root]
    return [root / name for name in sorted((name for name, _ in walk_report_files(root)), key=lambda n: n.split("/"))]
