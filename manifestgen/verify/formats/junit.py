"""JUnit XML, which CI systems show as a test report: one test suite per file, one test
case per resource; an invalid resource is a failure, an unreadable file an error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from manifestgen.report.escape import xml_safe
from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.model import FileResult, Finding, Resource, VerifyResult


def _testcase(suite: ET.Element, resource: Resource) -> None:
    case = ET.SubElement(
        suite, "testcase", name=f"{resource.position}:{resource.label}", classname=resource.file
    )
    if resource.line:  # the attributes pytest writes, which CI report viewers link from
        case.set("file", resource.file)
        case.set("line", str(resource.line))
    lines = [_finding_line(resource.file, f) for f in resource.findings]
    if resource.status == "invalid":
        errors = resource.errors
        failure = ET.SubElement(
            case, "failure", message=f"{len(errors)} problem(s)", type=errors[0].rule
        )
        failure.text = "\n".join(lines)
    elif resource.status == "skipped":
        reason = "; ".join([*lines, *resource.notes]) or "skipped"
        ET.SubElement(case, "skipped", message=reason)


def _finding_line(file: str, finding: Finding) -> str:
    """`file:line:col: field: message`, gcc-style, as the other formats locate problems."""
    where = f"{file}:{finding.line}:{finding.column}: " if finding.line else ""
    field = f"{finding.path}: " if finding.path else ""
    return f"{where}{field}{finding.message}"


def _testsuite(parent: ET.Element, file: FileResult) -> tuple[int, int, int, int]:
    tests = len(file.resources) + len(file.errors)
    failures = sum(r.status == "invalid" for r in file.resources)
    skipped = sum(r.status == "skipped" for r in file.resources)
    errors = len(file.errors)
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=file.file,
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
    )
    for resource in file.resources:
        _testcase(suite, resource)
    for error in file.errors:
        case = ET.SubElement(suite, "testcase", name="read", classname=file.file)
        where = f"line {error.line}, column {error.column}: " if error.line else ""
        ET.SubElement(case, "error", message=f"{where}{error.message}", type="read")
    return tests, failures, errors, skipped


def render_junit(result: VerifyResult, settings: ReportSettings) -> str:
    # Every count is part of the XML; `settings.summary` has nothing to add.
    del settings
    root = ET.Element("testsuites", name="manifestgen verify")
    totals = [0, 0, 0, 0]
    for file in result.files:
        counts = _testsuite(root, file)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    for key, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(key, str(value))
    ET.indent(root)
    # ElementTree escapes markup (&, <, quotes) but writes forbidden characters as they
    # are; escaping them in the serialized text covers every attribute and text node.
    body = xml_safe(ET.tostring(root, "unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
