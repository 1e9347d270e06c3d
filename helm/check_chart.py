#!/usr/bin/env python3
"""Static checks of the caserouter Helm chart, for CI machines without a helm binary.

Checks
- Chart.yaml has the required fields (apiVersion v2, name, version, appVersion, type) and
  the optional Redis dependency is behind `condition: redis.enabled`, off in values.yaml.
- values.schema.json is a valid draft-07 schema, strict at the top level; values.yaml, and
  values.yaml merged with each ci/*.yaml (as Helm merges them), validate against it.
- Every key in values.yaml has a comment (on the line, or the lines just above).
- Every .Values.a.b path used in a template exists in values.yaml.
- In each template, {{ and }} balance, if/range/with/define/block balance with end, every
  include/template names a defined caserouter.* helper, and there is at most one kind.
  Every manifest carries the standard labels (include "caserouter.labels").
- files/caserouter.rules.yml is byte-identical to deploy/prometheus/caserouter.rules.yml.
- Security defaults (docs/security.md): TLS on, the NetworkPolicy on, reflection off, and
  /metrics on the pod network only behind the NetworkPolicy; the probes use the plaintext
  health port (the kubelet's gRPC probe cannot speak TLS), never the gRPC port.

Usage: check_chart.py [--repo ROOT] [--values FILE ...]
  --values adds value files to validate (merged over values.yaml), as ci/*.yaml are.
Needs python3 with PyYAML and jsonschema; exits 1 listing every problem.
"""

import argparse
import copy
import glob
import json
import os
import re
import sys

try:
    import yaml
    import jsonschema
except ImportError as e:  # CI must install them; failing loudly beats skipping.
    sys.exit(f"check_chart: {e.name} is missing: install the Debian packages "
             f"python3-yaml and python3-jsonschema")

REQUIRED_CI_FILES = ("default-values.yaml", "ha-values.yaml", "sentinel-values.yaml")
BLOCK_OPENERS = ("if", "range", "with", "define", "block")
ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def merge(base, override):
    """Helm's value merge: maps merge key by key, anything else replaces."""
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


class Checker:
    def __init__(self, repo, extra_values):
        self.repo = repo
        self.chart = os.path.join(repo, "helm", "caserouter")
        self.extra_values = extra_values
        self.problems = []

    def fail(self, path, message):
        self.problems.append(f"{os.path.relpath(path, self.repo)}: {message}")

    def load_yaml(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                return yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            self.fail(path, f"cannot load: {e}")
            return None

    # ------------------------------------------------------------------ Chart.yaml
    def check_chart_yaml(self, values):
        path = os.path.join(self.chart, "Chart.yaml")
        chart = self.load_yaml(path) or {}
        if chart.get("apiVersion") != "v2":
            self.fail(path, "apiVersion must be v2")
        for key in ("name", "version", "appVersion", "description", "type"):
            if not chart.get(key):
                self.fail(path, f"missing {key}")
        if chart.get("name") != "caserouter":
            self.fail(path, "name must be caserouter (the templates' helpers are caserouter.*)")
        if not re.match(r"^\d+\.\d+\.\d+([-+].*)?$", str(chart.get("version", ""))):
            self.fail(path, "version must be SemVer 2")
        if not isinstance(chart.get("appVersion"), str):
            self.fail(path, "appVersion must be a quoted string")
        for dep in chart.get("dependencies") or []:
            if dep.get("name") == "redis":
                if dep.get("condition") != "redis.enabled":
                    self.fail(path, "the redis dependency must have condition: redis.enabled")
                if (values.get("redis") or {}).get("enabled") is not False:
                    self.fail(path, "redis.enabled must default to false in values.yaml")

    # ------------------------------------------------------------------ values
    def check_values(self):
        """Validates values and returns the parsed values.yaml."""
        values_path = os.path.join(self.chart, "values.yaml")
        values = self.load_yaml(values_path) or {}
        schema_path = os.path.join(self.chart, "values.schema.json")
        try:
            with open(schema_path, encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft7Validator.check_schema(schema)
        except (OSError, ValueError, jsonschema.SchemaError) as e:
            self.fail(schema_path, f"not a valid JSON schema: {e}")
            return values
        if schema.get("additionalProperties") is not False:
            self.fail(schema_path, "the top level must set additionalProperties: false")
        validator = jsonschema.Draft7Validator(schema)

        def validate(label, document):
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
                where = ".".join(str(p) for p in error.path) or "(top level)"
                self.fail(label, f"{where}: {error.message}")

        validate(values_path, values)
        ci_files = sorted(glob.glob(os.path.join(self.chart, "ci", "*.yaml")))
        for name in REQUIRED_CI_FILES:
            if not os.path.exists(os.path.join(self.chart, "ci", name)):
                self.fail(os.path.join(self.chart, "ci", name), "missing")
        for path in ci_files + self.extra_values:
            override = self.load_yaml(path)
            if override is not None and not isinstance(override, dict):
                self.fail(path, "must be a mapping")
                continue
            validate(path, merge(values, override))
        self.check_values_commented(values_path)
        return values

    def check_values_commented(self, path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for number, line in enumerate(lines):
            if not re.match(r"^\s*[A-Za-z_][\w.-]*:", line) or " #" in line:
                continue
            previous = number - 1
            while previous >= 0 and not lines[previous].strip():
                previous -= 1
            if previous < 0 or not lines[previous].lstrip().startswith("#"):
                self.fail(path, f"line {number + 1}: `{line.strip()}` has no comment")

    # ------------------------------------------------------------------ templates
    def check_templates(self, values):
        directory = os.path.join(self.chart, "templates")
        paths = sorted(glob.glob(os.path.join(directory, "*")))
        if not paths:
            self.fail(directory, "no templates")
        sources = {}
        for path in paths:
            with open(path, encoding="utf-8") as f:
                sources[path] = f.read()
        defined = set()
        for text in sources.values():
            defined.update(re.findall(r'\{\{-?\s*define\s+"([^"]+)"', text))
        for name in sorted(defined):
            if not name.startswith("caserouter."):
                self.fail(directory, f'helper "{name}" must be named caserouter.*')
        for path, text in sources.items():
            self.check_delimiters(path, text)
            for name in re.findall(r'\b(?:include|template)\s+"([^"]+)"', text):
                if name not in defined:
                    self.fail(path, f'uses undefined helper "{name}"')
            for match in VALUES_PATH.finditer(text):
                keys = match.group(1).lstrip(".").split(".")
                node = values
                for depth, key in enumerate(keys):
                    if not isinstance(node, dict) or key not in node:
                        self.fail(path, f".Values.{'.'.join(keys)} is not in values.yaml "
                                        f"(no {'.'.join(keys[:depth + 1])})")
                        break
                    node = node[key]
            if path.endswith((".yaml", ".yml")):
                kinds = set(re.findall(r"^kind:\s*(\S+)", text, re.M))
                if len(kinds) > 1:
                    self.fail(path, f"one kind per template file, found {sorted(kinds)}")
                if kinds and 'include "caserouter.labels"' not in text:
                    self.fail(path, 'manifest lacks the standard labels (include "caserouter.labels")')

    def check_delimiters(self, path, text):
        opened, closed = text.count("{{"), text.count("}}")
        if opened != closed:
            self.fail(path, f"{opened} '{{{{' but {closed} '}}}}'")
            return
        stack = []
        for match in ACTION.finditer(text):
            action = match.group(1)
            if action.startswith("/*"):
                continue
            line = text.count("\n", 0, match.start()) + 1
            word = action.split()[0] if action.split() else ""
            if word in BLOCK_OPENERS:
                stack.append((word, line))
            elif word == "end":
                if not stack:
                    self.fail(path, f"line {line}: {{{{ end }}}} without an open block")
                    return
                stack.pop()
        for word, line in stack:
            self.fail(path, f"line {line}: {{{{ {word} }}}} is never closed by {{{{ end }}}}")

    # ------------------------------------------------------------------ rules copy
    def check_rules_copy(self):
        original = os.path.join(self.repo, "deploy", "prometheus", "caserouter.rules.yml")
        copy_path = os.path.join(self.chart, "files", "caserouter.rules.yml")
        try:
            with open(original, "rb") as a, open(copy_path, "rb") as b:
                if a.read() != b.read():
                    self.fail(copy_path, "differs from deploy/prometheus/caserouter.rules.yml: "
                                         "cp deploy/prometheus/caserouter.rules.yml "
                                         "helm/caserouter/files/")
        except OSError as e:
            self.fail(copy_path, f"cannot compare with the original: {e}")

    # ------------------------------------------------------------------ security defaults
    def check_security_defaults(self, values):
        values_path = os.path.join(self.chart, "values.yaml")
        if (values.get("tls") or {}).get("enabled") is not True:
            self.fail(values_path, "tls.enabled must default to true")
        if (values.get("networkPolicy") or {}).get("enabled") is not True:
            self.fail(values_path, "networkPolicy.enabled must default to true")
        if values.get("reflection") is not False:
            self.fail(values_path, "reflection must default to false")
        if values.get("metricsWithoutNetworkPolicy") is not False:
            self.fail(values_path, "metricsWithoutNetworkPolicy must default to false")
        path = os.path.join(self.chart, "templates", "deployment.yaml")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            self.fail(path, f"cannot read: {e}")
            return
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            match = re.search(probe + r":\s*\n\s*grpc:\s*\n\s*port:\s*(.+)", text)
            if not match or "containerPorts.health" not in match.group(1):
                self.fail(path, f"{probe} must probe containerPorts.health (plaintext health), "
                                f"not the TLS gRPC port")
        if "--metrics_address=0.0.0.0" in text and "networkPolicy.enabled" not in text:
            self.fail(path, "/metrics on 0.0.0.0 must depend on networkPolicy.enabled")
        for needed in ("--tls_cert=", "--plaintext", "secretName: {{ .Values.tls.secretName }}"):
            if needed not in text:
                self.fail(path, f"missing {needed!r}: TLS from a Secret, plaintext only by name")

    def run(self):
        values = self.check_values()
        self.check_chart_yaml(values)
        self.check_templates(values)
        self.check_rules_copy()
        self.check_security_defaults(values)
        return self.problems


def main(argv):
    parser = argparse.ArgumentParser(description="Static checks of the caserouter Helm chart.")
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="repository root (default: the one holding this script)")
    parser.add_argument("--values", action="append", default=[],
                        help="another values file to validate, merged over values.yaml")
    args = parser.parse_args(argv)
    problems = Checker(os.path.abspath(args.repo), [os.path.abspath(v) for v in args.values]).run()
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"check_chart: {len(problems)} problem(s)")
        return 1
    print("check_chart: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
