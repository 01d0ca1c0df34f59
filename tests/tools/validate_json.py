#!/usr/bin/python3
"""Validates JSON files against a JSON Schema (Debian's python3-jsonschema, draft 7).

    /usr/bin/python3 tests/tools/validate_json.py SCHEMA FILE [FILE ...]

Exit 0: every file is valid. Exit 1: one line per error (file, JSON path, reason).
Exit 2: bad usage or an unreadable file.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as stream:
            schema = json.load(stream)
        jsonschema.Draft7Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 2
    validator = jsonschema.Draft7Validator(schema)
    failed = False
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as stream:
                instance = json.load(stream)
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
