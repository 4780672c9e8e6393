"""JUnit XML: one test suite per control, one test case per control and target.

CI systems (GitLab, Jenkins, Azure) show it as a test report: failures for gaps,
errors for checks that could not be evaluated, skips for out-of-scope and waived.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..rules.findings import Finding
from .context import ReportContext

# Characters XML 1.0 cannot hold at all, not even escaped (YAML "\x01" can produce them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Inventory text made safe for XML: characters XML cannot carry become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def render(ctx: ReportContext) -> str:
    result = ctx.result
    timestamp = f"{result.today.isoformat()}T00:00:00"
    by_control: dict[str, list[Finding]] = {c.id: [] for c in result.evaluated}
    for finding in result.findings:
        by_control[finding.control].append(finding)
    root = ET.Element("testsuites")
    for suite_id, control in enumerate(result.evaluated):
        findings = by_control[control.id]
        suite = ET.SubElement(root, "testsuite", {
            "name": control.id,
            "package": "airready",
            "id": str(suite_id),
            "timestamp": timestamp,
            "hostname": "airready",
            "tests": str(len(findings)),
            "failures": str(sum(f.state == "fail" for f in findings)),
            "errors": str(sum(f.state == "error" for f in findings)),
            "skipped": str(sum(f.state in ("not_applicable", "waived") for f in findings)),
            "time": "0",
        })
        properties = ET.SubElement(suite, "properties")
        for name, value in (("title", control.spec.title), ("severity", control.severity),
                            ("phase", control.spec.phase)):
            ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
        for finding in findings:
            case = ET.SubElement(suite, "testcase", {
                "name": xml_text(finding.target), "classname": control.id, "time": "0"})
            where = xml_text(f"{finding.file}:{finding.line}:{finding.column}")
            message = xml_text(finding.message)
            if finding.state == "fail":
                failure = ET.SubElement(case, "failure", {
                    "message": message, "type": finding.severity})
                failure.text = (f"{where}: [{finding.severity}] {message}\n"
                                f"fix: {xml_text(finding.remediation)}"
                                + ("\n(known gap, recorded in the baseline)"
                                   if finding.baselined else ""))
            elif finding.state == "error":
                error = ET.SubElement(case, "error", {"message": message,
                                                      "type": "evaluation"})
                error.text = f"{where}: {message}"
            elif finding.state in ("not_applicable", "waived"):
                skipped = ET.SubElement(case, "skipped", {"message": xml_text(
                    f"waived: {finding.waiver['justification']}" if finding.waiver
                    else finding.message)})
                skipped.text = message
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"
