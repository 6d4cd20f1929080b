"""Download a pinned benchmark wheel set from pypi.org into one folder (on demand, needs the
real index; never part of the test suite).

    python tests/benchmarks/fetch_wheelset.py DIR [--list tests/benchmarks/wheelset-large.txt]

For each ``name==version`` of the list: its wheels for CPython 3.11 on linux x86_64 (a
``cp311``/``abi3`` manylinux x86_64 wheel, else a pure ``py3-none-any`` one); for a pin with
neither (a Windows or macOS only package, which a universal lock still needs) its first wheel.
Files already in DIR are kept; each download is checked against PyPI's sha256. The folder is
then ready for ``shared/bench/make_index.py build DIR INDEX`` (``bench_run.py --dists DIR
--list FILE`` does that).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import re
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
_WHEEL = re.compile(
    r"^(?P<name>.+?)-(?P<version>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<platform>[^-]+)\.whl$"
)


def _suits(filename: str) -> bool:
    match = _WHEEL.match(filename)
    if match is None:
        return False
    pythons = set(match["py"].split("."))
    abis = set(match["abi"].split("."))
    platforms = set(match["platform"].split("."))
    if "any" in platforms:
        return bool(pythons & {"py3", "py2.py3", "cp311"}) or any(
            p.startswith("py3") for p in pythons
        )
    linux = any(p.startswith(("manylinux", "linux")) and p.endswith("x86_64") for p in platforms)
    if not linux:
        return False
    if "cp311" in pythons and abis & {"cp311", "abi3", "none"}:
        return True
    if "none" in abis and any(p.startswith("py3") for p in pythons):
        return True  # pure Python, tagged for one platform
    # An abi3 wheel built for an older CPython 3 runs on 3.11.
    return "abi3" in abis and any(
        p.startswith("cp3") and p[3:].isdigit() and int(p[3:]) <= 11 for p in pythons
    )


def _files(name: str, version: str) -> list[tuple[str, str, str]]:
    """The pin's wheels from the index's JSON project page (PEP 691)."""
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        data = json.load(response)
    normal = re.sub(r"[-_.]+", "_", name).lower()
    wheels = []
    for item in data["files"]:
        match = _WHEEL.match(item["filename"])
        if match is None or re.sub(r"[-_.]+", "_", match["name"]).lower() != normal:
            continue
        if match["version"] == version and "sha256" in item["hashes"]:
            wheels.append((item["filename"], item["url"], item["hashes"]["sha256"]))
    chosen = [wheel for wheel in wheels if _suits(wheel[0])]
    return chosen or wheels[:1]


def _download(destination: Path, filename: str, url: str, sha256: str) -> str:
    target = destination / filename
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return f"kept {filename}"
    with urllib.request.urlopen(url, timeout=300) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"sha256 mismatch for {filename}")
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return f"got {filename}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dest", type=Path)
    parser.add_argument("--list", type=Path, default=HERE / "wheelset-large.txt")
    args = parser.parse_args()
    pins = [
        line.strip().split("==")
        for line in args.list.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    args.dest.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        listed = list(pool.map(lambda pin: _files(*pin), pins))
        downloads = [file for files in listed for file in files]
        for line in pool.map(lambda file: _download(args.dest, *file), downloads):
            print(line)
    print(f"{len(downloads)} wheels for {len(pins)} pins in {args.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
