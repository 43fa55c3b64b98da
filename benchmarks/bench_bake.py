#!/usr/bin/env python3
"""Baking at scale (issue 18): what ``issue --bake`` adds per credential, in CPU µs of this process.

Beside bare Ed25519 signing measured in the same run (x = multiple of it), for the badge class's
own image as ``issue --bake`` renders it (the bundled ``default`` template; PNG 400 px wide):

* the reference baker, ``baking.bake(image, text)``: sniffs, walks every chunk and CRC (PNG) or
  parses the XML (SVG), and parses the credential text again, for every credential;
* ``baking.Baker(image).bake(text)``: the image read, checked and split once; the text still checked;
* the same with ``is_jwt`` given, as the issuing worker calls it (it made the text: not parsed again);
* writing the baked image (``atomic_write`` as the worker does), on tmpfs and on the disk;
* the whole in-process run (``issuing.issue_roster``, 1 worker, project on tmpfs) without ``--bake``,
  with ``--bake png`` and with ``--bake svg``: the difference is what baking costs end to end.

Medians of ``--repeat`` rounds. Usage: python3 benchmarks/bench_bake.py [--rows 2000] [--repeat 3]
                                       [--tmpfs DIR] [--disk DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_stages import Setup, bare_sign_us, clock, scratch  # noqa: E402

from badgekit import baking  # noqa: E402
from badgekit._io import atomic_write  # noqa: E402
from badgekit.issuing import IssueOptions, _worker, issue_roster  # noqa: E402


def per_call_us(fn: Callable[[], object], n: int, repeat: int) -> float:
    """CPU µs per call of ``fn``, median of ``repeat`` rounds of ``n`` calls."""
    rounds = []
    for _ in range(repeat):
        start = clock()
        for _ in range(n):
            fn()
        rounds.append((clock() - start) / n * 1e6)
    return statistics.median(rounds)


def whole_run_us(s: Setup, bake: tuple[str, ...]) -> float:
    """CPU µs per credential of one in-process run of the roster with ``--bake`` ``bake``."""
    ledger, out = s.fresh("bake-" + "-".join(bake))
    options = IssueOptions(out_dir=out, workers=1, verification_method=s.project.verification_method, rng_seed=1,
                           bake=bake)
    start = clock()
    report = issue_roster(roster_path=s.roster, badge=s.badge, issuer=s.issuer, key=s.key, ledger=ledger,
                          options=options, status_base_url=s.project.status_base_url, sink=lambda o: None)
    us = (clock() - start) / s.rows * 1e6
    assert report.counts.get("issued") == s.rows, report.counts
    for fmt in bake:
        assert sum(1 for _ in out.glob(f"*.{fmt}")) == s.rows
    ledger.close()
    shutil.rmtree(out, ignore_errors=True)
    return us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--disk", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    with scratch(args.tmpfs or Path(tempfile.gettempdir())) as root, scratch(args.disk) as disk:
        assert root is not None
        s = Setup(root, args.rows)
        bare_before = bare_sign_us()
        images = _worker.badge_images(s.badge, s.issuer, ("png", "svg"), valid_from=datetime.now(UTC), valid_until=None,
                                      per_recipient=False)
        text = (Path(__file__).resolve().parents[1] / "examples" / "credential.json").read_text(encoding="utf-8")
        n = max(200, args.rows // 4)
        fast = hasattr(baking, "Baker")  # False on the code before it: the script then measures the reference only
        for fmt in ("png", "svg"):
            base = images[fmt]
            image = (base.bake if fast else lambda t, base=base, **k: baking.bake(base, t, **k))(text, source="bench")
            size = len(image) - len(text)
            rows.append((f"{fmt.upper()} reference baker (baking.bake, {size / 1024:.0f} KiB image)",
                         per_call_us(lambda image=image: baking.bake(image, text, source="bench"), n, args.repeat)))
            if fast:
                rows.append((f"{fmt.upper()} Baker.bake, text checked",
                             per_call_us(lambda b=base: b.bake(text, source="bench"), n, args.repeat)))
                rows.append((f"{fmt.upper()} Baker.bake, is_jwt given (issue's worker)",
                             per_call_us(lambda b=base: b.bake(text, source="bench", is_jwt=False), n, args.repeat)))
            for place, base in (("tmpfs", root), ("disk", disk)):
                if base is None:
                    continue
                folder = Path(tempfile.mkdtemp(prefix="images-", dir=base))
                names = (str(folder / f"{i}.{fmt}") for i in range(n * args.repeat))
                rows.append((f"{fmt.upper()} image file written ({place})", per_call_us(
                    lambda folder=folder, image=image, names=names: atomic_write(
                        next(names), image, durable=False, staging=str(folder / ".partial")), n, args.repeat)))
                shutil.rmtree(folder, ignore_errors=True)
        whole_run_us(s, ("png", "svg"))  # warm-up: imports, the renderer, caches
        variants: dict[tuple[str, ...], list[float]] = {(): [], ("png",): [], ("svg",): []}
        for _ in range(args.repeat):  # interleaved, so the machine's load weighs on each alike
            for bake, found in variants.items():
                found.append(whole_run_us(s, bake))
        plain = statistics.median(variants[()])
        runs = [("whole run in process, no --bake", plain)]
        for fmt in ("png", "svg"):
            baked = statistics.median(variants[(fmt,)])
            runs.append((f"whole run in process, --bake {fmt}", baked))
            runs.append((f"  what --bake {fmt} adds", baked - plain))
        bare = statistics.median([bare_before, bare_sign_us()])
    print(f"issue --bake, CPU µs per credential: {args.rows:,} rows, median of {args.repeat} "
          f"(project on {args.tmpfs or 'the temp folder'}; x = multiple of bare Ed25519 sign)")
    print(f"  {'bare Ed25519 sign (64 bytes)':52} {bare:8.1f} µs   1.00 x")
    for name, us in rows + runs:
        print(f"  {name:52} {us:8.1f} µs {us / bare:6.2f} x")
    for name, us in (r for r in runs if not r[0].startswith(" ")):
        print(f"  {name}: {1e6 / us:,.0f} credentials per CPU second, {bare / us:.3f} of bare Ed25519")


if __name__ == "__main__":
    main()
