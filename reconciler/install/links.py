"""Apply stage: the package files of a fresh environment's wheels, hard-linked in with ``cp``.

A fresh site-packages has nothing to collide with, so the package entries of every unpacked
wheel (everything but its ``.dist-info`` and ``.data``) go in with GNU ``cp -al`` (C speed;
a per-file Python loop cost ~4x more on the bench set), in stages (``link_stages``); each
install then only writes its dist-info, scripts and data (``wheel.install_tree``,
``prelinked``). The replay (``reconciler.replay``) links the same stages the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from accord.reconciler.replay import LINKING

__all__ = ["link_package_files", "link_stages", "package_entries"]


def package_entries(tree: Path) -> list[str]:
    """The top-level entries of an unpacked wheel that go to site-packages as they are
    (everything but its ``.dist-info`` and ``.data`` directories)."""
    return [entry for entry in os.listdir(tree) if not entry.endswith((".dist-info", ".data"))]


def link_stages(
    trees: Sequence[Path],
    weights: Mapping[str, int] | None = None,
    also: Sequence[Path] = (),
) -> list[list[list[str]]]:
    """The package entries of ``trees`` as stages of ``cp`` runs: the runs of a stage go at
    once, the stages one after the other. First every entry only one wheel has, in two runs of
    about equal ``weights`` (file counts; one each in turn without them); then, one stage per
    wheel, the entries several wheels share (a namespace package's directory), merged into
    what the stage before made (one run cannot link two sources of the same name). ``also``
    are directories linked as they are (kept dist-infos)."""
    by_name: dict[str, list[str]] = {}
    for tree in trees:
        for entry in package_entries(tree):
            by_name.setdefault(entry, []).append(str(tree / entry))
    for path in also:  # kept dist-infos (``install.kept``): one per package, named apart
        by_name.setdefault(path.name, []).append(str(path))
    unique = [name for name, sources in by_name.items() if len(sources) == 1]
    groups: list[tuple[int, list[str]]] = [(0, []), (0, [])]
    if weights is None:
        groups = [
            (0, [by_name[n][0] for n in unique[0::2]]),
            (0, [by_name[n][0] for n in unique[1::2]]),
        ]
    else:
        for name in sorted(unique, key=lambda entry: -weights.get(entry, 1)):
            groups.sort(key=lambda group: group[0])
            total, sources = groups[0]
            groups[0] = (total + weights.get(name, 1), [*sources, by_name[name][0]])
    stages = [[sources for _, sources in groups if sources]]
    shared = [sources for sources in by_name.values() if len(sources) > 1]
    for turn in range(max((len(sources) for sources in shared), default=0)):
        stages.append([[sources[turn] for sources in shared if turn < len(sources)]])
    return [stage for stage in stages if stage]


def link_package_files(trees: list[Path], site_packages: Path, also: Sequence[Path] = ()) -> bool:
    """Hardlink the package files of many unpacked wheels into a *fresh* site-packages with
    ``cp -al`` (GNU coreutils, C speed: a fresh sync's per-file Python loop cost ~4x more
    on the bench set), two runs at once (linking is system time, which two processes spread
    over two cores). False when that cannot be used (no GNU cp, another filesystem): the
    caller then links file by file, copying where links fail. ``also``: kept dist-infos
    (``install.kept``), linked with them."""
    import shutil
    import subprocess

    if not sys.platform.startswith("linux") or shutil.which("cp") is None:
        return False
    for stage in link_stages(trees, also=also):
        try:
            running = [
                subprocess.Popen(
                    [*LINKING, *sources, str(site_packages)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for sources in stage
            ]
        except OSError:
            return False
        if not all([process.wait() == 0 for process in running]):
            return False
    return True
