#!/usr/bin/python3
"""Validates proto/: the schemas, the examples, the invalid events, the topics.

Every schema in proto/schemas must be a valid draft 2020-12 schema; every
event type has one schema and one example (proto/examples/TYPE.json) that it
accepts; every proto/invalid/TYPE--WHAT.json breaks exactly one rule and is
rejected by the schema of TYPE with exactly one error. Relative $refs
(common.json#/$defs/...) are resolved from the files, never from the network.
date-time is checked by RFC 3339 here, whatever optional format packages are
installed. Every JSON file must be tidy (2-space indent, as json.dumps writes
it). Output is TAP; the exit status is 1 on any failure.

With --events FILE it also checks each event of FILE (one CloudEvent a
line, as captured from Kafka) against the schema of its type.

Needs Debian's python3-jsonschema (4.10 or later); run with /usr/bin/python3.
"""
import datetime
import json
import pathlib
import re
import sys
import warnings

import jsonschema

PROTO = pathlib.Path(__file__).resolve().parents[2] / "proto"
TOPICS = ["conversations", "share-requests", "escalations", "export-requests",
          "share-events", "notifications", "access-log", "dead-letters"]
DRAFT = "https://json-schema.org/draft/2020-12/schema"

RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.[0-9]+)?(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))")


def is_rfc3339(value):
    """True when value is an RFC 3339 date-time (non-strings pass)."""
    if not isinstance(value, str):
        return True
    m = RFC3339.fullmatch(value)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    if m.group(7) is not None and (int(m.group(7)) > 23 or int(m.group(8)) > 59):
        return False
    return True


def offline(uri):
    raise jsonschema.RefResolutionError("not in proto/schemas: %s" % uri)


class Tap:
    def __init__(self):
        self.results = []

    def check(self, ok, name, diag=None):
        self.results.append((bool(ok), name, diag))

    def finish(self):
        print("1..%d" % len(self.results))
        failed = 0
        for n, (ok, name, diag) in enumerate(self.results, 1):
            print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
            if not ok:
                failed += 1
                for line in str(diag or "").splitlines():
                    print("#   " + line)
        if failed:
            print("# %d of %d failed" % (failed, len(self.results)))
        return 1 if failed else 0


def load(path):
    """Returns (parsed JSON, None) or (None, error text)."""
    try:
        text = path.read_text(encoding="utf-8")
        obj = json.loads(text)
    except (OSError, ValueError) as e:
        return None, "%s: %s" % (path.name, e)
    if json.dumps(obj, indent=2, ensure_ascii=False) + "\n" != text:
        return obj, "%s: not tidy (2-space indent, one trailing newline)" % path.name
    return obj, None


def location(error):
    return "/".join(str(p) for p in error.absolute_path) or "(event)"


def where(error):
    """One line: where the error is and what rule it breaks."""
    msg = error.message
    if len(msg) > 100:
        msg = "fails %s" % error.validator
        if error.validator not in ("oneOf", "anyOf", "allOf", "not"):
            value = json.dumps(error.validator_value)
            msg += " " + (value if len(value) <= 60 else value[:57] + "...")
        if isinstance(error.schema, dict) and "description" in error.schema:
            msg += ": " + error.schema["description"]
    return "%s: %s" % (location(error), msg)


def main():
    warnings.simplefilter("ignore", DeprecationWarning)
    tap = Tap()
    cls = jsonschema.Draft202012Validator
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(is_rfc3339)

    # Topics: one name a line, nothing else.
    try:
        text = (PROTO / "topics.txt").read_text(encoding="ascii")
    except (OSError, ValueError) as e:
        text = str(e)
    tap.check(text == "\n".join(TOPICS) + "\n", "topics.txt lists the 8 topics",
              "got %r" % text[:300])

    # Schemas.
    schemas, store = {}, {}
    for path in sorted((PROTO / "schemas").glob("*.json")):
        schema, err = load(path)
        if schema is not None:
            store[path.as_uri()] = schema
        name = path.stem
        if err is None:
            try:
                if schema.get("$schema") != DRAFT:
                    raise jsonschema.SchemaError("$schema is not " + DRAFT)
                cls.check_schema(schema)
            except jsonschema.SchemaError as e:
                err = "%s: %s" % (path.name, e.message)
        if err is None and name != "common":
            const = schema.get("properties", {}).get("type", {}).get("const")
            if schema.get("title") != name or const != name:
                err = "title and type const must be %s" % name
        tap.check(err is None, "schema %s is valid" % name, err)
        if schema is not None and name != "common":
            schemas[name] = (path, schema)

    resolvers = {}

    def validator(etype):
        path, schema = schemas[etype]
        if etype not in resolvers:
            resolvers[etype] = jsonschema.RefResolver(
                base_uri=path.as_uri(), referrer=schema, store=store,
                handlers={"file": offline, "http": offline, "https": offline})
        return cls(schema, resolver=resolvers[etype], format_checker=checker)

    # Examples: one per schema, each accepted.
    examples = {p.stem: p for p in sorted((PROTO / "examples").glob("*.json"))}
    missing = sorted(set(schemas) - set(examples))
    orphans = sorted(set(examples) - set(schemas))
    tap.check(schemas and not missing and not orphans,
              "every schema has an example and every example a schema (%d)"
              % len(schemas),
              "no example: %s\nno schema: %s" % (missing, orphans))
    for etype, path in examples.items():
        event, err = load(path)
        if err is None and etype not in schemas:
            err = "no schema %s.json" % etype
        if err is None:
            try:
                errors = sorted(validator(etype).iter_errors(event),
                                key=lambda e: list(e.absolute_path))
            except jsonschema.RefResolutionError as e:
                errors, err = [], str(e)
            if errors:
                err = "\n".join(where(e) for e in errors)
        tap.check(err is None, "example %s is valid" % etype, err)

    # Invalid events: each rejected with exactly one error.
    invalid = sorted((PROTO / "invalid").glob("*.json"))
    tap.check(len(invalid) >= 15, "at least 15 invalid events (%d)" % len(invalid))
    for path in invalid:
        event, err = load(path)
        etype, sep, what = path.stem.partition("--")
        if err is None and (not sep or not what):
            err = "name is not TYPE--WHAT.json"
        elif err is None and etype not in schemas:
            err = "no schema %s.json" % etype
        msg = ""
        if err is None:
            try:
                errors = list(validator(etype).iter_errors(event))
            except jsonschema.RefResolutionError as e:
                errors, err = [], str(e)
            if err is None and not errors:
                err = "accepted by its schema"
            elif err is None and len({location(e) for e in errors}) > 1:
                err = "breaks more than one rule:\n" + "\n".join(
                    where(e) for e in errors)
            elif err is None:
                msg = " (%s)" % where(errors[0])
        tap.check(err is None, "invalid %s is rejected%s" % (path.stem, msg), err)

    if len(sys.argv) == 3 and sys.argv[1] == "--events":
        # Events seen on the wire, one JSON object a line: each valid.
        with open(sys.argv[2], encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                event = json.loads(line)
                etype = event.get("type")
                err = None
                if etype not in schemas:
                    err = "no schema for type %r" % etype
                else:
                    errors = list(validator(etype).iter_errors(event))
                    if errors:
                        err = "\n".join(where(e) for e in errors)
                tap.check(err is None, "event %d (%s) is valid" % (n, etype),
                          err)

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
