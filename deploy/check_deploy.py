#!/usr/bin/env python3
"""Static checks of deploy/: what would only fail later, at `docker build`, at `docker compose
up`, in Grafana or at 3 a.m. on a runbook link, fails here instead.

Checks
- Dockerfile: every COPY source from the build context exists (context = repository root, as
  compose builds it); every directory the root CMakeLists.txt adds is copied, or the in-image
  cmake configure fails; binaries copied from the build stage are targets it builds; the
  runtime stage runs as a non-root user.
- compose.yaml: build contexts, Dockerfiles and bind-mounted files exist; named volumes are
  declared; Grafana's dashboard mount matches the provisioning provider's path.
- prometheus/prometheus.yml parses, its rule files exist, it scrapes job "caserouter".
- prometheus/caserouter.rules.yml: expressions use only KNOWN_METRICS and names recorded
  earlier in the file; every alert has summary, description, severity and a runbook_url
  whose anchor is a heading of docs/operations.md, and caserouter.rules.test.yml has a case
  where it fires and one where it stays quiet. docs/operations.md describes every metric.
- grafana/dashboards/*.json: parse; uid and title present and uids unique; every panel uses
  the datasource uid "prometheus"; every expression uses only KNOWN_METRICS (below) or names
  recorded by the rules file, and no Grafana variable other than those dashboard_queries.py
  substitutes.
- systemd/caserouter.service keeps its hardening and reload directives.

Usage: check_deploy.py [--repo ROOT]   (python3 with PyYAML; exits 1 listing every problem)
"""

import argparse
import json
import os
import re
import shlex
import sys

try:
    import yaml
except ImportError:  # CI must install it; failing loudly beats skipping.
    sys.exit("check_deploy: PyYAML is missing: install the Debian package python3-yaml")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_queries  # noqa: E402  (sits beside this file)

# The router's metric set (docs/operations.md has the table). Histograms expose
# _bucket/_sum/_count, added below. `up` comes from Prometheus itself.
KNOWN_METRICS = {
    "caserouter_build_info": "gauge",
    "caserouter_leader": "gauge",
    "caserouter_cases_received_total": "counter",
    "caserouter_cases_routed_total": "counter",
    "caserouter_cases_completed_total": "counter",
    "caserouter_repeat_contacts_total": "counter",
    "caserouter_first_contact_resolutions_total": "counter",
    "caserouter_cases_abandoned_total": "counter",
    "caserouter_cases_expired_total": "counter",
    "caserouter_cases_released_total": "counter",  # issue 14
    "caserouter_transfers_total": "counter",  # issue 14
    "caserouter_pending_total": "counter",  # issue 14
    "caserouter_away_total": "counter",  # issue 14
    "caserouter_queue_depth": "gauge",
    "caserouter_queue_customer_value": "gauge",
    "caserouter_time_to_answer_seconds": "histogram",
    "caserouter_sla_total": "counter",
    "caserouter_csat_score": "histogram",
    "caserouter_offers_total": "counter",
    "caserouter_exclusions_total": "counter",
    "caserouter_sticky_routing_total": "counter",
    "caserouter_agents": "gauge",
    "caserouter_agent_occupancy_ratio": "gauge",
    "caserouter_routing_decision_seconds": "histogram",
    "caserouter_store_batch_seconds": "histogram",
    "caserouter_store_batch_size": "histogram",
    "caserouter_store_errors_total": "counter",
    # Issue 17: a live benchmark of routing strategies (router/service/benchmark_metrics.h).
    "caserouter_benchmark_cases_total": "counter",
    "caserouter_benchmark_suspensions_total": "counter",
    "caserouter_benchmark_arm_suspended": "gauge",
    "caserouter_benchmark_measure": "gauge",
    "caserouter_benchmark_measure_cases": "gauge",
    "caserouter_benchmark_difference": "gauge",
    "caserouter_benchmark_difference_half_width": "gauge",
    "caserouter_benchmark_cases_needed": "gauge",
    # Issue 16: reporting by queue.
    "caserouter_queue_waiting": "gauge",
    "caserouter_queue_oldest_enqueued_timestamp_seconds": "gauge",
    "caserouter_queue_answered_total": "counter",
    "caserouter_queue_abandoned_total": "counter",
    "caserouter_queue_overflowed_total": "counter",
    "up": "gauge",
}

DATASOURCE_UID = "prometheus"
REQUIRED_ALERT_ANNOTATIONS = ("summary", "description", "runbook_url")
SYSTEMD_REQUIRED = ("ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=on-failure",
                    "ExecReload=/bin/kill -HUP $MAINPID")

# PromQL words that look like metric names but are not.
PROMQL_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "inf", "nan", "atan2",
}


def known_series_names():
    names = set()
    for name, kind in KNOWN_METRICS.items():
        names.add(name)
        if kind == "histogram":
            names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def metric_names(expr):
    """Returns the metric names an expression selects.

    A small lexer, not a parser: it drops strings, label matchers, range/subquery brackets,
    label lists of by/without/on/ignoring/group_*, offsets and numbers; identifiers followed
    by "(" are functions or aggregations; what remains are metric names.
    """
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    s = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", s)
    names = set()
    for m in re.finditer(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", s):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in PROMQL_KEYWORDS:
            continue
        names.add(word)
    return names


def github_anchor(heading):
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces → -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


class Checker:
    def __init__(self, repo):
        self.repo = repo
        self.deploy = os.path.join(repo, "deploy")
        self.problems = []

    def fail(self, where, message):
        self.problems.append(f"{os.path.relpath(where, self.repo)}: {message}")

    def load_yaml(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                return yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            self.fail(path, f"cannot load: {e}")
            return None

    # ------------------------------------------------------------------ Dockerfile
    def check_dockerfile(self):
        path = os.path.join(self.deploy, "Dockerfile")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            self.fail(path, f"cannot read: {e}")
            return
        instructions = []
        for line in re.sub(r"\\\n", " ", text).splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                keyword, _, rest = line.partition(" ")
                instructions.append((keyword.upper(), rest.strip()))

        built_targets = set()
        for keyword, rest in instructions:
            if keyword == "RUN" and "--target" in rest:
                m = re.search(r"--target\s+((?:[\w.-]+\s*)+)", rest)
                if m:
                    built_targets.update(m.group(1).split())
        copied = set()
        user = None
        for keyword, rest in instructions:
            if keyword == "USER":
                user = rest
            if keyword not in ("COPY", "ADD"):
                continue
            args = shlex.split(rest)
            flags = [a for a in args if a.startswith("--")]
            paths = [a for a in args if not a.startswith("--")]
            if len(paths) < 2:
                self.fail(path, f"{keyword} needs a source and a destination: {rest}")
                continue
            sources = paths[:-1]
            if any(f.startswith("--from=") for f in flags):
                for src in sources:
                    if os.path.basename(src) not in built_targets:
                        self.fail(path, f"COPY --from source {src} is not a target built by "
                                        f"`cmake --build ... --target` ({sorted(built_targets)})")
                continue
            for src in sources:
                copied.add(os.path.normpath(src).rstrip("/"))
                if not os.path.exists(os.path.join(self.repo, src)):
                    self.fail(path, f"COPY source {src} does not exist in the build context "
                                    f"(the repository root)")
        cmake_root = os.path.join(self.repo, "CMakeLists.txt")
        if os.path.exists(cmake_root):
            with open(cmake_root, encoding="utf-8") as f:
                subdirs = re.findall(r"^\s*add_subdirectory\(\s*([\w./-]+)", f.read(), re.M)
            for sub in subdirs:
                if sub not in copied and "." not in copied:
                    self.fail(path, f"the root CMakeLists.txt adds {sub}/ but the Dockerfile "
                                    f"does not COPY it: cmake configure would fail in the image")
        if user is None or user.split(":")[0] in ("root", "0"):
            self.fail(path, "the runtime stage must end with a non-root USER")

    # ------------------------------------------------------------------ compose
    def check_compose(self):
        path = os.path.join(self.deploy, "compose.yaml")
        doc = self.load_yaml(path)
        if not isinstance(doc, dict):
            return
        named_volumes = set((doc.get("volumes") or {}).keys())
        grafana_dashboard_mounts = set()
        for name, service in (doc.get("services") or {}).items():
            build = service.get("build")
            if build:
                context = build if isinstance(build, str) else build.get("context", ".")
                context_dir = os.path.normpath(os.path.join(self.deploy, context))
                if not os.path.isdir(context_dir):
                    self.fail(path, f"service {name}: build context {context} does not exist")
                dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
                if not os.path.isfile(os.path.join(context_dir, dockerfile)):
                    self.fail(path, f"service {name}: dockerfile {dockerfile} not found in {context}")
            for volume in service.get("volumes") or []:
                if isinstance(volume, dict):
                    source, target = volume.get("source", ""), volume.get("target", "")
                    bind = volume.get("type") == "bind"
                else:
                    parts = volume.split(":")
                    source, target = parts[0], parts[1] if len(parts) > 1 else ""
                    bind = source.startswith((".", "/", "~"))
                if bind:
                    # deploy/pki is made on the user's machine (scripts/credentials.sh), never
                    # committed: keys do not belong in a repository.
                    generated = os.path.normpath(source).startswith("pki")
                    if not generated and not os.path.exists(os.path.join(self.deploy, source)):
                        self.fail(path, f"service {name}: mounted path {source} does not exist")
                    if "dashboards" in source and "provisioning" not in source:
                        grafana_dashboard_mounts.add(target)
                elif source and source not in named_volumes:
                    self.fail(path, f"service {name}: volume {source} is not declared under volumes:")
        provider = self.load_yaml(os.path.join(
            self.deploy, "grafana", "provisioning", "dashboards", "caserouter.yml")) or {}
        for p in provider.get("providers") or []:
            want = (p.get("options") or {}).get("path")
            if want not in grafana_dashboard_mounts:
                self.fail(path, f"Grafana provider {p.get('name')} reads {want}, but compose "
                                f"mounts the dashboards at {sorted(grafana_dashboard_mounts)}")
        datasources = self.load_yaml(os.path.join(
            self.deploy, "grafana", "provisioning", "datasources", "prometheus.yml")) or {}
        uids = [d.get("uid") for d in datasources.get("datasources") or []]
        if DATASOURCE_UID not in uids:
            self.fail(path, f"no provisioned datasource has uid {DATASOURCE_UID!r}")

    # ------------------------------------------------------------------ Prometheus
    def check_prometheus_config(self):
        path = os.path.join(self.deploy, "prometheus", "prometheus.yml")
        doc = self.load_yaml(path)
        if not isinstance(doc, dict):
            self.fail(path, "not a YAML mapping")
            return
        for rule_file in doc.get("rule_files") or []:
            if not os.path.exists(os.path.join(os.path.dirname(path), rule_file)):
                self.fail(path, f"rule file {rule_file} not found beside prometheus.yml")
        jobs = [c.get("job_name") for c in doc.get("scrape_configs") or []]
        if "caserouter" not in jobs:
            self.fail(path, "no scrape job named caserouter (CaserouterDown selects on it)")

    def check_rules(self):
        """Returns the names recorded by the rules file."""
        path = os.path.join(self.deploy, "prometheus", "caserouter.rules.yml")
        doc = self.load_yaml(path) or {}
        docs_path = os.path.join(self.repo, "docs", "operations.md")
        anchors = set()
        if os.path.exists(docs_path):
            with open(docs_path, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"#{1,6}\s+(.*)", line)
                    if m:
                        anchors.add(github_anchor(m.group(1)))
        else:
            self.fail(docs_path, "missing: every alert's runbook_url points into it")
        recorded = set()
        alerts = []
        allowed = known_series_names()
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                # Rules are evaluated in order, so a rule may use what earlier rules record.
                for name in sorted(metric_names(str(rule.get("expr", ""))) - allowed - recorded):
                    self.fail(path, f"rule {rule.get('record') or rule.get('alert')}: unknown metric {name}")
                if "record" in rule:
                    recorded.add(rule["record"])
                    continue
                alert = rule.get("alert", "?")
                alerts.append(alert)
                annotations = rule.get("annotations") or {}
                for key in REQUIRED_ALERT_ANNOTATIONS:
                    if not annotations.get(key):
                        self.fail(path, f"alert {alert} has no {key} annotation")
                if not (rule.get("labels") or {}).get("severity"):
                    self.fail(path, f"alert {alert} has no severity label")
                url = annotations.get("runbook_url", "")
                if not url.startswith("docs/operations.md#"):
                    self.fail(path, f"alert {alert}: runbook_url {url!r} must be docs/operations.md#<anchor>")
                elif url.split("#", 1)[1] not in anchors:
                    self.fail(path, f"alert {alert}: docs/operations.md has no heading with "
                                    f"anchor #{url.split('#', 1)[1]}")
        self.check_rule_tests(alerts)
        if os.path.exists(docs_path):
            with open(docs_path, encoding="utf-8") as f:
                docs = f.read()
            for name in KNOWN_METRICS:
                if f"`{name}`" not in docs:
                    self.fail(docs_path, f"the metrics table does not describe `{name}`")
        return recorded

    def check_rule_tests(self, alerts):
        """Every alert needs a promtool case where it fires and one where it stays quiet."""
        path = os.path.join(self.deploy, "prometheus", "caserouter.rules.test.yml")
        doc = self.load_yaml(path) or {}
        firing, quiet = set(), set()
        for test in doc.get("tests") or []:
            for case in test.get("alert_rule_test") or []:
                (firing if case.get("exp_alerts") else quiet).add(case.get("alertname"))
        for alert in alerts:
            if alert not in firing:
                self.fail(path, f"no test case where {alert} fires")
            if alert not in quiet:
                self.fail(path, f"no test case where {alert} stays quiet")

    # ------------------------------------------------------------------ dashboards
    def check_dashboards(self, recorded):
        directory = os.path.join(self.deploy, "grafana", "dashboards")
        allowed = known_series_names() | recorded
        files = dashboard_queries.dashboard_files(directory) if os.path.isdir(directory) else []
        if not files:
            self.fail(directory, "no dashboards")
        uids = {}
        for path in files:
            try:
                with open(path, encoding="utf-8") as f:
                    dashboard = json.load(f)
            except (OSError, ValueError) as e:
                self.fail(path, f"not valid JSON: {e}")
                continue
            for key in ("uid", "title"):
                if not dashboard.get(key):
                    self.fail(path, f"dashboard has no {key}")
            uid = dashboard.get("uid")
            if uid in uids:
                self.fail(path, f"uid {uid} is also used by {os.path.basename(uids[uid])}")
            uids[uid] = path
            ids = set()
            for panel in dashboard_queries.iter_panels(dashboard.get("panels")):
                title = panel.get("title", "?")
                if panel.get("id") in ids:
                    self.fail(path, f"panel id {panel.get('id')} used twice")
                ids.add(panel.get("id"))
                if panel.get("type") == "row":
                    continue
                sources = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets") or []]
                for source in sources:
                    if not isinstance(source, dict) or source.get("uid") != DATASOURCE_UID:
                        self.fail(path, f"panel {title!r}: datasource must be uid {DATASOURCE_UID!r}, got {source!r}")
                        break
                if not panel.get("targets"):
                    self.fail(path, f"panel {title!r} has no query")
            for title, expr in dashboard_queries.dashboard_exprs(dashboard):
                query = dashboard_queries.substitute(expr)
                if "$" in query:
                    self.fail(path, f"panel {title!r}: unknown Grafana variable in {query!r}")
                if not query:
                    self.fail(path, f"panel {title!r}: empty expression")
                for name in sorted(metric_names(query) - allowed):
                    self.fail(path, f"panel {title!r}: unknown metric {name} in {query!r}")

    # ------------------------------------------------------------------ systemd
    def check_systemd(self):
        path = os.path.join(self.deploy, "systemd", "caserouter.service")
        try:
            with open(path, encoding="utf-8") as f:
                lines = {line.strip() for line in f}
        except OSError as e:
            self.fail(path, f"cannot read: {e}")
            return
        for directive in SYSTEMD_REQUIRED:
            if directive not in lines:
                self.fail(path, f"missing {directive}")
        if "DynamicUser=yes" not in lines and not any(l.startswith("User=") for l in lines):
            self.fail(path, "must run as DynamicUser=yes or a dedicated User=")

    def run(self):
        self.check_dockerfile()
        self.check_compose()
        self.check_prometheus_config()
        recorded = self.check_rules()
        self.check_dashboards(recorded)
        self.check_systemd()
        return self.problems


def main(argv):
    parser = argparse.ArgumentParser(description="Static checks of deploy/.")
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="repository root (default: the one holding this script)")
    args = parser.parse_args(argv)
    problems = Checker(os.path.abspath(args.repo)).run()
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"check_deploy: {len(problems)} problem(s)")
        return 1
    print("check_deploy: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
