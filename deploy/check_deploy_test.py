#!/usr/bin/env python3
"""Proves check_deploy.py can fail: it runs the checker on a copy of the repository's deploy
files with one deliberate defect at a time and expects a non-zero exit naming the defect.
The unmodified copy must pass, or a defect could be "caught" by an unrelated problem.

Usage: check_deploy_test.py   (unittest; python3 with PyYAML)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CHECKER = os.path.join(HERE, "check_deploy.py")


class CheckDeployTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check_deploy_test.")
        shutil.copytree(HERE, os.path.join(self.root, "deploy"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        os.makedirs(os.path.join(self.root, "docs"))
        shutil.copy(os.path.join(REPO, "docs", "operations.md"), os.path.join(self.root, "docs"))
        shutil.copy(os.path.join(REPO, "CMakeLists.txt"), self.root)
        # The other COPY sources of the Dockerfile only need to exist.
        for name in os.listdir(REPO):
            target = os.path.join(self.root, name)
            if not os.path.exists(target) and not name.startswith(".") and not name.startswith("build"):
                os.symlink(os.path.join(REPO, name), target)

    def tearDown(self):
        shutil.rmtree(self.root)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run_checker(self):
        result = subprocess.run([sys.executable, CHECKER, "--repo", self.root],
                                capture_output=True, text=True)
        return result.returncode, result.stdout + result.stderr

    def assert_rejected(self, expected):
        code, output = self.run_checker()
        self.assertNotEqual(code, 0, output)
        self.assertIn(expected, output)

    def edit_dashboard(self, change):
        path = self.path("deploy", "grafana", "dashboards", "quality-overview.json")
        with open(path) as f:
            dashboard = json.load(f)
        change(dashboard)
        with open(path, "w") as f:
            json.dump(dashboard, f)

    def replace_in(self, relpath, old, new):
        path = self.path(*relpath.split("/"))
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text, f"test setup: {old!r} not in {relpath}")
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def test_clean_copy_passes(self):
        code, output = self.run_checker()
        self.assertEqual(code, 0, output)

    def test_dashboard_without_uid(self):
        self.edit_dashboard(lambda d: d.pop("uid"))
        self.assert_rejected("dashboard has no uid")

    def test_unknown_metric(self):
        def change(d):
            d["panels"][1]["targets"][0]["expr"] = "sum(rate(caserouter_calls_handled_total[5m]))"
        self.edit_dashboard(change)
        self.assert_rejected("unknown metric caserouter_calls_handled_total")

    def test_unknown_grafana_variable(self):
        def change(d):
            d["panels"][1]["targets"][0]["expr"] = 'caserouter_queue_depth{topic=~"$topic"}'
        self.edit_dashboard(change)
        self.assert_rejected("unknown Grafana variable")

    def test_wrong_datasource(self):
        self.edit_dashboard(lambda d: d["panels"][1].update(datasource={"uid": "other"}))
        self.assert_rejected("datasource must be uid 'prometheus'")

    def test_broken_json(self):
        with open(self.path("deploy", "grafana", "dashboards", "broken.json"), "w") as f:
            f.write('{"uid": "x", ')
        self.assert_rejected("not valid JSON")

    def test_missing_copy_source(self):
        self.replace_in("deploy/Dockerfile", "COPY deploy/caserouter.yaml", "COPY deploy/missing.yaml")
        self.assert_rejected("COPY source deploy/missing.yaml does not exist")

    def test_subdirectory_not_copied(self):
        self.replace_in("deploy/Dockerfile", "COPY tools/ tools/\n", "")
        self.assert_rejected("adds tools/ but the Dockerfile does not COPY it")

    def test_missing_compose_mount(self):
        self.replace_in("deploy/compose.yaml", "./prometheus/prometheus.yml:", "./prometheus/missing.yml:")
        self.assert_rejected("mounted path ./prometheus/missing.yml does not exist")

    def test_runbook_anchor_missing(self):
        self.replace_in("docs/operations.md", "### CaserouterNoLeader", "### Leaderless")
        self.assert_rejected("no heading with anchor #caserouternoleader")

    def test_rule_with_unknown_metric(self):
        self.replace_in("deploy/prometheus/caserouter.rules.yml",
                        "rate(caserouter_store_errors_total[5m]) > 0",
                        "rate(caserouter_store_error_total[5m]) > 0")
        self.assert_rejected("rule CaserouterStoreErrors: unknown metric caserouter_store_error_total")

    def test_alert_without_quiet_case(self):
        self.replace_in("deploy/prometheus/caserouter.rules.test.yml",
                        "alertname: CaserouterDown\n        exp_alerts: []",
                        "alertname: CaserouterNoLeader\n        exp_alerts: []")
        self.assert_rejected("no test case where CaserouterDown stays quiet")

    def test_metric_missing_from_docs(self):
        self.replace_in("docs/operations.md", "| `caserouter_agent_occupancy_ratio` |", "| occupancy |")
        self.assert_rejected("does not describe `caserouter_agent_occupancy_ratio`")

    def test_unhardened_unit(self):
        self.replace_in("deploy/systemd/caserouter.service", "NoNewPrivileges=yes\n", "")
        self.assert_rejected("missing NoNewPrivileges=yes")


if __name__ == "__main__":
    unittest.main()
