"""Apache Avro's own reader/writer compatibility checker (python3-avro's avro.compatibility, a port of Java's
SchemaCompatibility) as an oracle for floe's: reads [[reader, writer], ...] JSON schema pairs on stdin and prints,
for each pair, whether the reader can read the writer's data and whether the writer can read the reader's.

Usage: /usr/bin/python3 avro_compatibility_oracle.py < pairs.json
"""
import json
import sys

import avro.compatibility
import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


# One divergence from Java's SchemaCompatibility (which Confluent's Schema Registry runs) and from the spec
# ("both schemas are records with the same (unqualified) name"): python-avro compares names as written, so
# "ns.R" and "R" differ. Compare unqualified names (and aliases) as Java does.
def _unqualified_name_equals(reader, writer):
    aliases = reader.props.get("aliases") or []
    unqualified = lambda name: name.rsplit(".", 1)[-1]
    return (unqualified(reader.name) == unqualified(writer.name)
            or writer.fullname in aliases or unqualified(writer.name) in aliases)


avro.compatibility.schema_name_equals = _unqualified_name_equals


def readable(reader, writer):
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    return result.compatibility is SchemaCompatibilityType.compatible


out = []
for reader_json, writer_json in json.load(sys.stdin):
    reader, writer = avro.schema.parse(reader_json), avro.schema.parse(writer_json)
    out.append([readable(reader, writer), readable(writer, reader)])
print(json.dumps(out))
