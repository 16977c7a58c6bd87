"""Dependency audit for ``make lint``: pip-audit against the installed packages.

Fails on a known vulnerability. When the vulnerability service cannot be
reached, or knows none of the packages (an offline mirror), it says so and
passes: an audit that could not run is reported as skipped, never as clean.
"""

import importlib.util
import json

# Runs pip-audit with a fixed argument list, never through a shell.
import subprocess  # nosec B404
import sys


def main() -> int:
    if importlib.util.find_spec("pip_audit") is None:
        print("dependency audit skipped: pip-audit is not installed (pip install -e '.[test]')")
        return 0
    command = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable",
               "--progress-spinner", "off", "--format", "json"]
    # This interpreter and fixed arguments: nothing from outside reaches the command.
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            command, capture_output=True, text=True, check=False, timeout=180)
    except subprocess.TimeoutExpired:
        print("dependency audit skipped: the vulnerability service did not answer in 3 minutes")
        return 0
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency audit skipped: the vulnerability service could not be reached "
              f"({last[:200]})")
        return 0
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(f"dependency audit failed: {len(vulnerable)} installed package(s) have known "
              f"vulnerabilities")
        return 1
    if not audited:
        print(f"dependency audit skipped: the vulnerability service knows none of the "
              f"{len(dependencies)} installed packages (offline or a private mirror)")
        return 0
    print(f"dependency audit: {len(audited)} packages audited, no known vulnerabilities"
          + (f" ({len(dependencies) - len(audited)} could not be audited)"
             if len(audited) < len(dependencies) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
