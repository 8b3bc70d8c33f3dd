"""The table of bench/pages: per page and mode, the median over runs of throughput as
a ratio to the static file measured in the same run, and of p50 and p95."""

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def main(path):
    rows = defaultdict(list)  # (mode, page) → [(run, result)]
    static = {}  # (mode, run) → requests a second of the static file through nginx
    app_static = {}  # (mode, run) → the same from gunicorn (WhiteNoise)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        mode, run, page, address, result = line.split("\t")
        result = json.loads(result)
        if page == "static file":
            static[mode, run] = result["rps"]
        if page == "static file, gunicorn":
            app_static[mode, run] = result["rps"]
        rows[mode, page].append((run, address, result))
    print(
        "| page | mode | req/s | % of static (nginx) | % of static (gunicorn) "
        "| p50 ms | p95 ms | errors |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (mode, page), runs in rows.items():
        ratio = statistics.median(r["rps"] / static[mode, run] for run, _, r in runs)
        app_ratio = statistics.median(r["rps"] / app_static[mode, run] for run, _, r in runs)
        rps = statistics.median(r["rps"] for _, _, r in runs)
        p50 = statistics.median(r["p50"] for _, _, r in runs)
        p95 = statistics.median(r["p95"] for _, _, r in runs)
        errors = sum(r["errors"] for _, _, r in runs)
        print(
            f"| {page} (`{runs[0][1]}`) | {mode} | {rps:.0f} | {100 * ratio:.1f} | "
            f"{100 * app_ratio:.1f} | {p50:.1f} | {p95:.1f} | {errors} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
