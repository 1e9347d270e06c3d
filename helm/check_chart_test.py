#!/usr/bin/env python3
"""Proves check_chart.py can fail: it runs the checker on a copy of the chart with one
deliberate defect at a time and expects a non-zero exit naming the defect. The unmodified
copy must pass, or a defect could be "caught" by an unrelated problem.

Usage: check_chart_test.py   (unittest; python3 with PyYAML and jsonschema)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CHECKER = os.path.join(HERE, "check_chart.py")


class CheckChartTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check_chart_test.")
        shutil.copytree(os.path.join(HERE, "caserouter"), self.path("helm", "caserouter"))
        os.makedirs(self.path("deploy", "prometheus"))
        shutil.copy(os.path.join(REPO, "deploy", "prometheus", "caserouter.rules.yml"),
                    self.path("deploy", "prometheus"))

    def tearDown(self):
        shutil.rmtree(self.root)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run_checker(self, *args):
        result = subprocess.run([sys.executable, CHECKER, "--repo", self.root, *args],
                                capture_output=True, text=True)
        return result.returncode, result.stdout + result.stderr

    def assert_rejected(self, expected, *args):
        code, output = self.run_checker(*args)
        self.assertNotEqual(code, 0, output)
        self.assertIn(expected, output)

    def write(self, relpath, text):
        with open(self.path(*relpath.split("/")), "w") as f:
            f.write(text)

    def replace_in(self, relpath, old, new):
        path = self.path(*relpath.split("/"))
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text, f"test setup: {old!r} not in {relpath}")
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))

    def test_network_policy_off_by_default_is_rejected(self):
        self.replace_in("helm/caserouter/values.yaml", "networkPolicy:\n  # Create the NetworkPolicy.\n  enabled: true",
                        "networkPolicy:\n  # Create the NetworkPolicy.\n  enabled: false")
        self.assert_rejected("networkPolicy.enabled must default to true")

    def test_tls_off_by_default_is_rejected(self):
        self.replace_in("helm/caserouter/values.yaml", "  enabled: true\n  # Secret holding tls.crt",
                        "  enabled: false\n  # Secret holding tls.crt")
        self.assert_rejected("tls.enabled must default to true")

    def test_a_probe_on_the_tls_port_is_rejected(self):
        self.replace_in("helm/caserouter/templates/deployment.yaml",
                        "readinessProbe:\n            grpc:\n              port: {{ .Values.containerPorts.health }}",
                        "readinessProbe:\n            grpc:\n              port: {{ .Values.containerPorts.grpc }}")
        self.assert_rejected("readinessProbe must probe containerPorts.health")

    def test_a_chart_that_authenticates_nobody_is_rejected(self):
        self.write("helm/caserouter/ci/nobody-values.yaml", "tokens:\n  secretName: \"\"\n")
        self.assert_rejected("nobody-values.yaml")

    def test_clean_copy_passes(self):
        code, output = self.run_checker()
        self.assertEqual(code, 0, output)

    def test_unknown_value_key_rejected(self):
        self.write("broken-values.yaml", "replicas: 2\n")
        self.assert_rejected("Additional properties are not allowed ('replicas' was unexpected)",
                             "--values", self.path("broken-values.yaml"))

    def test_bad_value_in_ci_file_rejected(self):
        self.write("helm/caserouter/ci/broken-values.yaml", "domain: Not_A_Label!\nreplicaCount: 0\n")
        code, output = self.run_checker()
        self.assertNotEqual(code, 0, output)
        self.assertIn("ci/broken-values.yaml: domain:", output)
        self.assertIn("ci/broken-values.yaml: replicaCount:", output)

    def test_config_domain_rejected(self):
        self.write("broken-values.yaml", "config:\n  domain: other\n")
        self.assert_rejected("config:", "--values", self.path("broken-values.yaml"))

    def test_missing_ci_file(self):
        os.remove(self.path("helm", "caserouter", "ci", "sentinel-values.yaml"))
        self.assert_rejected("ci/sentinel-values.yaml: missing")

    def test_template_uses_undefined_value(self):
        self.replace_in("helm/caserouter/templates/service.yaml",
                        ".Values.service.type", ".Values.service.kind")
        self.assert_rejected(".Values.service.kind is not in values.yaml")

    def test_unbalanced_block(self):
        self.replace_in("helm/caserouter/templates/servicemonitor.yaml", "{{- end }}\n", "")
        self.assert_rejected("is never closed")

    def test_unbalanced_delimiters(self):
        self.replace_in("helm/caserouter/templates/service.yaml",
                        "{{ .Values.service.type }}", "{{ .Values.service.type }")
        self.assert_rejected("'{{' but")

    def test_undefined_helper(self):
        self.replace_in("helm/caserouter/templates/service.yaml",
                        'include "caserouter.fullname"', 'include "caserouter.fulname"')
        self.assert_rejected('undefined helper "caserouter.fulname"')

    def test_two_kinds_in_one_file(self):
        with open(self.path("helm", "caserouter", "templates", "service.yaml"), "a") as f:
            f.write("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
        self.assert_rejected("one kind per template file")

    def test_rules_copy_differs(self):
        with open(self.path("helm", "caserouter", "files", "caserouter.rules.yml"), "a") as f:
            f.write("# drift\n")
        self.assert_rejected("differs from deploy/prometheus/caserouter.rules.yml")

    def test_uncommented_value(self):
        self.replace_in("helm/caserouter/values.yaml", "# Overrides the chart name in resource names.\n", "")
        self.assert_rejected('`nameOverride: ""` has no comment')

    def test_chart_without_app_version(self):
        self.replace_in("helm/caserouter/Chart.yaml", 'appVersion: "0.1.0"', "")
        self.assert_rejected("missing appVersion")


if __name__ == "__main__":
    unittest.main()
