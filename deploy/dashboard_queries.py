#!/usr/bin/env python3
"""Print every PromQL expression of the Grafana dashboards, one per line.

promtool cannot parse a bare expression, so the end-to-end test sends these lines to a real
Prometheus (GET /api/v1/query) and fails on any parse error. Grafana's own variables are
replaced by values Prometheus accepts:

    $__rate_interval -> 5m    $__interval -> 1m    $__range -> 1h    $channel -> .*

Usage: dashboard_queries.py [--dashboards DIR] [--min-count N]
Exits 1 if fewer than N distinct queries are found (default 1), so a dashboard directory that
lost its panels, or a path that points nowhere, is an error rather than an empty success.
Standard library only; check_deploy.py imports it.
"""

import argparse
import json
import os
import re
import sys

SUBSTITUTIONS = [
    (re.compile(r"\$__rate_interval|\$\{__rate_interval\}"), "5m"),
    (re.compile(r"\$__interval|\$\{__interval\}"), "1m"),
    (re.compile(r"\$__range|\$\{__range\}"), "1h"),
    (re.compile(r"\$channel\b|\$\{channel(:\w+)?\}"), ".*"),
]


def substitute(expr):
    """Returns expr with Grafana variables replaced and whitespace folded onto one line."""
    for pattern, value in SUBSTITUTIONS:
        expr = pattern.sub(value, expr)
    return " ".join(expr.split())


def iter_panels(panels):
    """Yields every panel, including those nested in collapsed rows."""
    for panel in panels or []:
        yield panel
        yield from iter_panels(panel.get("panels"))


def dashboard_exprs(dashboard):
    """Yields (panel title, raw expr) for every target of a parsed dashboard."""
    for panel in iter_panels(dashboard.get("panels")):
        for target in panel.get("targets") or []:
            if "expr" in target:
                yield panel.get("title", "?"), target["expr"]


def dashboard_files(directory):
    return sorted(os.path.join(directory, name) for name in os.listdir(directory)
                  if name.endswith(".json"))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", default=os.path.join(here, "grafana", "dashboards"))
    parser.add_argument("--min-count", type=int, default=1)
    args = parser.parse_args(argv)

    seen = []
    for path in dashboard_files(args.dashboards):
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
        for _, expr in dashboard_exprs(dashboard):
            query = substitute(expr)
            if query and query not in seen:
                seen.append(query)
    for query in seen:
        print(query)
    if len(seen) < args.min_count:
        print(f"dashboard_queries: found {len(seen)} queries in {args.dashboards}, "
              f"expected at least {args.min_count}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
