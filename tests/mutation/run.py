"""Mutation testing on demand: apply mutmut's mutants one at a time and see which tests notice.

Not part of the normal run (pytest collects only `test_*.py`; nothing here is one) and not in
CI: it is slow. Usage, from the repository root:

    python -m venv .venv-mutation && .venv-mutation/bin/pip install -e '.[mutation]'
    ACCORD_FIXTURE_BACKENDS=$PWD/.ci-wheels .venv-mutation/bin/python tests/mutation/run.py \\
        model/staleness.py reconciler/fastpath.py --sample 20 --seed 17 --report out.json

Why not `mutmut run`: mutmut 3 runs the tests in its own process against trampolined copies
of the code, but most of accord's tests run the real `accord` console script in a subprocess,
which would import the unmutated editable install. So only mutmut's *mutation operators* are
used (`create_mutations`, under `[tool.mutmut]` in pyproject.toml), and this runner does the
rest:

1. copy the working tree (`git ls-files`, tracked and untracked-but-not-ignored) to a scratch
   directory;
2. make a venv whose only site-packages entry is a `.pth` naming that copy first and then the
   test interpreter's own site-packages (`--python`, default `.venv-dev/bin/python`), with an
   `accord` script and a link to `uv` beside its python: the tests find both next to
   `sys.executable`, so every subprocess they start imports the mutated copy (PYTHONPATH
   would not do: the CLI tests drop `PYTHON*` variables);
3. run the module's tests once unmutated (they must pass), then for each mutant write it into
   the copy, drop the module's bytecode (a same-size mutant written within the same second
   would otherwise run the old .pyc), run the tests with `-x`, restore the file.

A mutant is killed when the tests fail or time out, and survives when they pass. The mutants
of a module are sampled (`--sample N`, reproducible with `--seed`) when there are too many to
run; the report says how many there were in all. mutmut 3.8.1 is pinned because its operators
decide the mutant list, and a sample is only comparable to another taken from the same list.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import TESTS_BY_MODULE

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Mutant:
    module: str
    index: int
    """Position in mutmut's list for the module (stable while the module is unchanged)."""
    line: int
    before: str
    after: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.module}#{self.index} (line {self.line})"


@dataclass
class Outcome:
    module: str
    index: int
    line: int
    before: str
    after: str
    status: str
    """killed | survived | timeout"""
    seconds: float
    killed_by: str


class ModuleMutants:
    """Every mutant mutmut's operators make of one module, each rendered only when asked for
    (rendering all of a large module's mutants takes minutes)."""

    def __init__(self, module: str, root: Path) -> None:
        import libcst as cst
        from mutmut.mutation.file_mutation import _walk, create_mutations

        old_cwd = Path.cwd()
        os.chdir(ROOT)  # mutmut reads [tool.mutmut] from ./pyproject.toml (not the commit's)
        try:
            self.code = (root / module).read_text(encoding="utf-8")
            self.tree, mutations, _classes, _functions = create_mutations(module, self.code)
        finally:
            os.chdir(old_cwd)
        # A changed name in `__all__` only changes `from module import *`, which accord never
        # does: an equivalent mutant by construction, left out.
        exports: set[int] = set()
        for statement in self.tree.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign | cst.AnnAssign) and "__all__" in (
                        cst.Module([]).code_for_node(statement)
                    ):
                        exports |= {id(node) for node in _walk(small)}
        self.mutations = [m for m in mutations if id(m.original_node) not in exports]
        self.module = module

    def __len__(self) -> int:
        return len(self.mutations)

    def mutant(self, index: int) -> Mutant:
        from mutmut.mutation.file_mutation import deep_replace

        mutation = self.mutations[index]
        source = deep_replace(self.tree, mutation.original_node, mutation.mutated_node).code
        line, before, after = _first_difference(self.code.splitlines(), source.splitlines())
        return Mutant(self.module, index, line, before, after, source)


def _first_difference(old: list[str], new: list[str]) -> tuple[int, str, str]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            before = " / ".join(line.strip() for line in old[i1:i2])
            after = " / ".join(line.strip() for line in new[j1:j2])
            return i1 + 1, before, after
    return 0, "", ""


def copy_tree(root: Path, dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        relative = raw.decode()
        source = root / relative
        if not source.is_file():
            continue  # deleted in the work tree
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def export_commit(root: Path, commit: str, dest: Path) -> None:
    """The files of `commit` (not the work tree, where others may be half-way through an
    edit), for a measurement another run can repeat."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=root, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def make_venv(python: Path, tree: Path, venv: Path, *, coverage: bool = False) -> Path:
    """A venv that imports accord from `tree`, everything else from `python`'s site-packages.

    `coverage`: also start coverage in every process that sees `$COVERAGE_PROCESS_CONFIG`, as
    the `a1_coverage.pth` of `python`'s site-packages does there (that directory is only on
    this venv's path, so its .pth files are not run)."""
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
    new_python = venv / "bin" / "python"
    site = subprocess.run(
        [str(new_python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_accord_mutation.pth").write_text(f"{tree}\n{purelib}\n", encoding="utf-8")
    if coverage:
        Path(site, "a1_coverage.pth").write_text(
            Path(purelib, "a1_coverage.pth").read_text(encoding="utf-8"), encoding="utf-8"
        )
    script = (tree / "reconciler" / "scripts" / "accord").read_text(encoding="utf-8")
    accord = venv / "bin" / "accord"
    accord.write_text(script.replace("#!python", f"#!{new_python}", 1), encoding="utf-8")
    accord.chmod(0o755)
    uv = Path(python).parent / "uv"
    if uv.exists():
        (venv / "bin" / "uv").symlink_to(uv.resolve())
    return new_python


def run_tests(python: Path, tree: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    started = time.monotonic()
    argv = [
        str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        "--no-header", "-o", "addopts=--import-mode=importlib", *tests,
    ]  # fmt: skip
    try:
        result = subprocess.run(
            argv, cwd=tree, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, ""
    elapsed = time.monotonic() - started
    if result.returncode == 0:
        return "survived", elapsed, ""
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return "killed", elapsed, failed[0] if failed else result.stdout[-300:]


def drop_bytecode(path: Path) -> None:
    cache = path.parent / "__pycache__"
    for pyc in cache.glob(f"{path.stem}.*.pyc"):
        pyc.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help="paths relative to the repository root")
    parser.add_argument("--sample", type=int, default=0, help="at most N mutants per module")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--only", default="", help="comma-separated mutant indexes (one module)")
    parser.add_argument("--tests", nargs="*", help="tests to run instead of targets.py's")
    parser.add_argument("--python", type=Path, default=ROOT / ".venv-dev" / "bin" / "python")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a temp dir)")
    parser.add_argument("--report", type=Path, help="write every outcome here as JSON")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--commit", help="mutate this commit's files instead of the work tree")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="accord-mutation-"))
    tree = workdir / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    if args.commit:
        export_commit(ROOT, args.commit, tree)
    else:
        copy_tree(ROOT, tree)
    outcomes: list[Outcome] = []
    totals: dict[str, int] = {}
    python: Path | None = None

    for module in args.modules:
        every = ModuleMutants(module, tree)
        totals[module] = len(every)
        indexes = list(range(len(every)))
        if args.only:
            indexes = sorted(int(i) for i in args.only.split(","))
        elif args.sample and len(every) > args.sample:
            indexes = sorted(random.Random(f"{args.seed}:{module}").sample(indexes, args.sample))
        chosen = [every.mutant(i) for i in indexes]
        if args.list:
            for mutant in chosen:
                print(f"{mutant.label}: {mutant.before!r} -> {mutant.after!r}")
            continue
        if python is None:
            venv = workdir / "venv"
            if venv.exists():
                shutil.rmtree(venv)
            python = make_venv(args.python, tree, venv)
        tests = [
            t
            for t in (args.tests or TESTS_BY_MODULE.get(module, []))
            if (tree / t.split("::")[0]).exists()
        ]
        if not tests:
            print(f"{module}: no tests to run; pass --tests", file=sys.stderr)
            return 2
        status, baseline, why = run_tests(python, tree, tests, timeout=1800)
        if status != "survived":
            print(f"{module}: the tests fail unmutated ({why}); fix that first", file=sys.stderr)
            return 2
        timeout = max(60.0, 3 * baseline)
        print(f"{module}: {len(chosen)} of {len(every)} mutants, baseline {baseline:.0f}s")
        path = tree / module
        original = path.read_text(encoding="utf-8")
        try:
            for mutant in chosen:
                path.write_text(mutant.source, encoding="utf-8")
                drop_bytecode(path)
                status, elapsed, why = run_tests(python, tree, tests, timeout)
                outcomes.append(
                    Outcome(
                        module,
                        mutant.index,
                        mutant.line,
                        mutant.before,
                        mutant.after,
                        status,
                        round(elapsed, 1),
                        why,
                    )
                )
                mark = "SURVIVED" if status == "survived" else status
                print(f"  {mark:8} {mutant.label}: {mutant.before!r} -> {mutant.after!r}")
                sys.stdout.flush()
        finally:
            path.write_text(original, encoding="utf-8")
            drop_bytecode(path)

    if args.list:
        return 0
    print("\nmodule                              killed/run  (mutants in all)")
    for module in args.modules:
        ran = [o for o in outcomes if o.module == module]
        killed = sum(o.status != "survived" for o in ran)
        rate = f"{100 * killed / len(ran):.0f}%" if ran else "-"
        print(f"{module:36} {killed:3}/{len(ran):<3} {rate:>5}  ({totals[module]})")
    ran_all = len(outcomes)
    killed_all = sum(o.status != "survived" for o in outcomes)
    if ran_all:
        print(f"{'all':36} {killed_all:3}/{ran_all:<3} {100 * killed_all / ran_all:4.0f}%")
    if args.report is not None:
        args.report.write_text(
            json.dumps({"totals": totals, "outcomes": [asdict(o) for o in outcomes]}, indent=1),
            encoding="utf-8",
        )
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
