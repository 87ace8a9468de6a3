#!/usr/bin/env python3
"""Derive the spec the agency sandbox is checked against from Debitura's
published OpenAPI document (tests/fixtures/agency/customer-api.openapi.json).

Every change is listed in ADJUSTMENTS and printed when the script runs, so a
conformance pass never hides a silent edit. Nothing else in the spec changes.

Usage: patch_spec.py SOURCE.json OUT.json
"""
import copy
import json
import sys

# Operations the sandbox implements; everything else is dropped.
IMPLEMENTED = {
    "/me": ["get"],
    "/cases": ["get", "post"],
    "/cases/{id}": ["get"],
    "/cases/by-creditor-reference/{creditorReference}": ["get"],
    "/cases/case-reference/{caseReference}": ["get"],
    "/cases/{id}/files": ["get", "post"],
    "/cases/{id}/payments": ["get"],
    "/Payments": ["get"],
    "/Payments/{id}": ["get"],
    "/test/cases/{id}/advance": ["post"],
    "/test/cases/{id}": ["delete"],
    "/test/cases": ["delete"],
}

ADJUSTMENTS = [
    "Only the operations the sandbox implements are kept (see IMPLEMENTED).",
    "POST /cases 400 may also be the field-error map {\"field.path\": [\"message\"]} "
    "(the operation's own description, the error-handling docs and error reference) "
    "or ASP.NET ProblemDetails as application/problem+json for unparseable JSON "
    "(docs); the spec lists only ApiErrorResponseDto.",
    "Every operation may answer 401 with ProblemDetails (application/problem+json): "
    "the spec requires XApiKey globally but documents 401 only on /me and /users "
    "(where it is ProblemDetails).",
    "POST /cases and POST /test/cases/{id}/advance may answer 415 ProblemDetails for a "
    "non-JSON content type, as ASP.NET does; the spec omits it.",
    "POST /cases: the request schema's own complete example is also set as the "
    "media-type example (all JSON media types), so the examples phase sends it (and gets "
    "200, then 422 DuplicateCreditorReference on repeats); schemathesis otherwise "
    "assembles an example from property examples, which lacks currencyCode.",
    "`format: date-time` becomes a pattern that also accepts .NET's naive form "
    "(`2026-01-15T10:00:00.1234567`, no zone, meaning UTC): Debitura's own MCP server "
    "(src/domain.ts) documents that read endpoints send it and appends `Z` itself; "
    "the sandbox sends it so clients are forced to cope. The pattern also accepts a bare "
    "date (`2025-01-15`), which is what the docs and the spec's own POST /cases example "
    "send for `date`/`dueDate` (the unpatched spec rejects its own example).",
]

PROBLEM = {"$ref": "#/components/schemas/Microsoft.AspNetCore.Mvc.ProblemDetails"}
NET_DATETIME = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?)?$"
FIELD_ERRORS = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
}


def problem_response(description):
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def loosen_datetimes(node):
    if isinstance(node, dict):
        if node.get("format") == "date-time":
            del node["format"]
            node["pattern"] = NET_DATETIME
        for v in node.values():
            loosen_datetimes(v)
    elif isinstance(node, list):
        for v in node:
            loosen_datetimes(v)


def main(src, out):
    spec = json.load(open(src, encoding="utf-8"))
    paths = {}
    for path, methods in IMPLEMENTED.items():
        item = spec["paths"][path]
        paths[path] = {m: item[m] for m in methods}
    spec["paths"] = paths

    for create in paths["/cases"]["post"]["requestBody"]["content"].values():
        name = create["schema"]["$ref"].rsplit("/", 1)[1]
        create["example"] = copy.deepcopy(spec["components"]["schemas"][name]["example"])

    post_cases = paths["/cases"]["post"]["responses"]
    bad = post_cases["400"]
    for media, body in bad["content"].items():
        body["schema"] = {"anyOf": [copy.deepcopy(body["schema"]), FIELD_ERRORS]}
    bad["content"]["application/problem+json"] = {"schema": PROBLEM}

    for path, item in paths.items():
        for method, op in item.items():
            op["responses"].setdefault("401", problem_response("Missing or invalid API key"))
            if "401" in op["responses"] and not op["responses"]["401"].get("content"):
                op["responses"]["401"] = problem_response(op["responses"]["401"]["description"])
    for path in ["/cases", "/test/cases/{id}/advance"]:
        paths[path]["post"]["responses"]["415"] = problem_response("Unsupported Media Type")

    loosen_datetimes(spec["components"]["schemas"])
    loosen_datetimes(spec["paths"])

    json.dump(spec, open(out, "w", encoding="utf-8"), indent=1)
    print("conformance spec adjustments:", file=sys.stderr)
    for a in ADJUSTMENTS:
        print("  - " + a, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
