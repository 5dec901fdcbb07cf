#!/usr/bin/python3
"""Independent Avro fixtures for floe's avro tests, produced with Debian's python3-avro (Apache Avro 1.11).

  avro_fixtures.py datums OUT.json      encode every case below; OUT.json = {case: {writer, reader, datums: [hex]}}
  avro_fixtures.py canonical OUT.json   Parsing Canonical Form of the schemas in CANONICAL_SCHEMAS
  avro_fixtures.py write-ocf DIR        DIR/<codec>.avro for each codec python3-avro supports, same records
  avro_fixtures.py read-ocf FILE        prints {"codec": ..., "schema": ..., "records": [...]} as JSON

The C++ tests (avro_fixture_test.cc) hold the expected column values for these inputs.
"""
import datetime
import decimal
import io
import json
import sys
import uuid
import warnings

import avro.codecs
import avro.datafile
import avro.io
import avro.schema

warnings.simplefilter("ignore")  # python3-avro warns about logical types it does not implement (kept as raw)


def parse(s):
    return avro.schema.parse(json.dumps(s))


UTC = datetime.timezone.utc

PRIMITIVES = {"type": "record", "name": "Prims", "namespace": "t", "fields": [
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "s", "type": "string"},
    {"name": "y", "type": "bytes"},
    {"name": "n", "type": "null"},
]}

LOGICAL = {"type": "record", "name": "Logical", "fields": [
    {"name": "date", "type": {"type": "int", "logicalType": "date"}},
    {"name": "tmillis", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "tmicros", "type": {"type": "long", "logicalType": "time-micros"}},
    {"name": "tsmillis", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "tsmicros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "ltsmillis", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
    {"name": "ltsmicros", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "decfix", "type": {"type": "fixed", "name": "D8", "size": 8, "logicalType": "decimal",
                                "precision": 18, "scale": 4}},
    {"name": "dec38", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 10}},
    {"name": "decfix20", "type": {"type": "fixed", "name": "D12", "size": 12, "logicalType": "decimal",
                                  "precision": 20, "scale": 2}},
    {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "dur", "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}},
    {"name": "bad", "type": {"type": "string", "logicalType": "date"}},
]}

NESTED = {"type": "record", "name": "Ad", "namespace": "com.acme", "fields": [
    {"name": "id", "type": "long"},
    {"name": "geo", "type": ["null", {"type": "record", "name": "Geo", "fields": [
        {"name": "lat", "type": "double"}, {"name": "tags", "type": {"type": "array", "items": "string"}}]}]},
    {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["BANNER", "VIDEO", "TEXT"]}},
    {"name": "price", "type": ["long", "null"]},
    {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "Item", "fields": [
        {"name": "sku", "type": "string"}, {"name": "qty", "type": ["null", "int"]}]}}},
    {"name": "attrs", "type": {"type": "map", "values": {"type": "array", "items": "int"}}},
    {"name": "lmaps", "type": {"type": "array", "items": {"type": "map", "values": "string"}}},
    {"name": "hash", "type": {"type": "fixed", "name": "H4", "size": 4}},
    {"name": "home", "type": "Geo"},
]}

UNIONS = {"type": "record", "name": "U", "fields": [
    {"name": "u", "type": ["null", "string", "long", {"type": "record", "name": "P", "fields": [
        {"name": "x", "type": "int"}]}]},
    {"name": "v", "type": ["int", "string"]},
    {"name": "nn", "type": ["null"]},
]}

RECURSIVE = {"type": "record", "name": "LinkedList", "fields": [
    {"name": "value", "type": "int"},
    {"name": "next", "type": ["null", "LinkedList"]},
]}

TOPLEVEL_ARRAY = {"type": "array", "items": ["null", "string"]}

EVOLVE_W = {"type": "record", "name": "Ev", "namespace": "e", "fields": [
    {"name": "a", "type": "int"},
    {"name": "gone", "type": {"type": "record", "name": "Gone", "fields": [
        {"name": "x", "type": {"type": "array", "items": {"type": "map", "values": "string"}}},
        {"name": "y", "type": ["null", "double", "string"]}, {"name": "z", "type": "bytes"},
        {"name": "w", "type": {"type": "fixed", "name": "F3", "size": 3}}, {"name": "v", "type": "float"},
        {"name": "e", "type": {"type": "enum", "name": "GE", "symbols": ["P", "Q"]}}, {"name": "t", "type": "boolean"}]}},
    {"name": "b", "type": "int"},
    {"name": "c", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "s", "type": "string"},
    {"name": "y", "type": "bytes"},
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "PURPLE"]}},
    {"name": "old_name", "type": "string"},
    {"name": "opt", "type": "long"},
    {"name": "wu", "type": ["null", "int"]},
]}

EVOLVE_R = {"type": "record", "name": "Ev2", "namespace": "e", "aliases": ["Ev"], "fields": [
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "OTHER"],
                               "default": "OTHER"}},
    {"name": "a", "type": "long"},
    {"name": "b", "type": "double"},
    {"name": "c", "type": "float"},
    {"name": "f", "type": "double"},
    {"name": "s", "type": "bytes"},
    {"name": "y", "type": "string"},
    {"name": "new_name", "aliases": ["old_name"], "type": "string"},
    {"name": "opt", "type": ["null", "long"], "default": None},
    {"name": "wu", "type": ["null", "long"], "default": None},
    {"name": "added", "type": "int", "default": 42},
    {"name": "added_rec", "type": {"type": "record", "name": "AR", "fields": [
        {"name": "p", "type": "string"}, {"name": "q", "type": {"type": "array", "items": "int"}}]},
     "default": {"p": "dflt", "q": [1, 2]}},
    {"name": "added_opt", "type": ["null", "string"], "default": None},
]}


def dur(months, days, millis):
    return months.to_bytes(4, "little") + days.to_bytes(4, "little") + millis.to_bytes(4, "little")


CASES = {
    "primitives": (PRIMITIVES, None, [
        {"b": True, "i": 0, "l": 0, "f": 1.5, "d": -2.25, "s": "", "y": b"", "n": None},
        {"b": False, "i": -2147483648, "l": 9223372036854775807, "f": -0.0, "d": 1e300, "s": "héllo ☃ 𝄞",
         "y": b"\x00\xff\x10", "n": None},
        {"b": True, "i": 2147483647, "l": -9223372036854775808, "f": 3.0, "d": 0.1, "s": "x" * 200,
         "y": bytes(range(5)), "n": None},
    ]),
    "logical": (LOGICAL, None, [
        {"date": datetime.date(2024, 5, 1), "tmillis": datetime.time(12, 30, 15, 250000),
         "tmicros": datetime.time(23, 59, 59, 999999),
         "tsmillis": datetime.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
         "tsmicros": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         "ltsmillis": 1714564800123, "ltsmicros": -1,
         "dec": decimal.Decimal("-1234567.89"), "decfix": decimal.Decimal("12345678901234.5678"),
         "dec38": decimal.Decimal("-1234567890123456789012345678.0123456789"),
         "decfix20": decimal.Decimal("-123456789012345678.91"),
         "id": "123e4567-e89b-12d3-a456-426614174000", "dur": dur(1, 2, 3), "bad": "2024-01-01"},
    ]),
    "nested": (NESTED, None, [
        {"id": 1, "geo": {"lat": 1.5, "tags": ["a", "b"]}, "kind": "VIDEO", "price": 100,
         "items": [{"sku": "s1", "qty": 2}, {"sku": "s2", "qty": None}],
         "attrs": {"k1": [1, 2], "k2": []}, "lmaps": [{"m": "x"}, {}], "hash": b"\x01\x02\x03\x04",
         "home": {"lat": 0.0, "tags": []}},
        {"id": 2, "geo": None, "kind": "BANNER", "price": None, "items": [], "attrs": {}, "lmaps": [],
         "hash": b"abcd", "home": {"lat": -1.0, "tags": ["h"]}},
    ]),
    "unions": (UNIONS, None, [
        {"u": None, "v": 1, "nn": None},
        {"u": "str", "v": "s", "nn": None},
        {"u": 7, "v": -1, "nn": None},
        {"u": {"x": 5}, "v": "", "nn": None},
    ]),
    "recursive": (RECURSIVE, None, [
        {"value": 1, "next": {"value": 2, "next": {"value": 3, "next": None}}},
        {"value": 9, "next": None},
    ]),
    "toplevel_array": (TOPLEVEL_ARRAY, None, [["a", None, "b"], []]),
    "evolve": (EVOLVE_W, EVOLVE_R, [
        {"a": 1, "gone": {"x": [{"k": "v"}, {}], "y": "skipme", "z": b"zz", "w": b"abc", "v": 1.0, "e": "Q", "t": True},
         "b": -3, "c": 1 << 40, "f": 0.5, "s": "str", "y": b"bytes",
         "color": "PURPLE", "old_name": "renamed", "opt": 5, "wu": 7},
        {"a": -1, "gone": {"x": [], "y": None, "z": b"", "w": b"xyz", "v": 2.0, "e": "P", "t": False},
         "b": 2, "c": -5, "f": -1.25, "s": "", "y": b"", "color": "GREEN", "old_name": "", "opt": -1, "wu": None},
    ]),
}

# python3-avro 1.11.1 departs from the spec's canonical form in two ways, so schemas with these features are
# left out here (avro_schema_test.cc checks them against hand-written spec forms): a primitive with a logical
# type stays {"type":"int"} instead of "int" ([PRIMITIVES]), and a named type used a second time is written
# out again instead of by its full name; "namespace": "" (the null namespace) is ignored.
CANONICAL_SCHEMAS = [PRIMITIVES, UNIONS, RECURSIVE, TOPLEVEL_ARRAY, EVOLVE_W, EVOLVE_R, "int",
                     {"type": "array", "items": {"type": "enum", "name": "x.E", "symbols": ["A", "B"]}},
                     {"type": "map", "values": ["null", {"type": "record", "name": "M", "namespace": "q",
                                                         "fields": [{"name": "f", "type": "double", "doc": "x"}]}]},
                     {"type": "record", "name": "R", "namespace": "a.b", "doc": "d", "fields": [
                         {"name": "f", "type": {"type": "fixed", "name": "F", "namespace": "c", "size": 2}},
                         {"name": "g", "type": {"type": "map", "values": "string"}, "order": "descending"},
                         {"name": "h", "type": {"type": "enum", "name": "E", "symbols": ["A"]}, "aliases": ["x"],
                          "default": "A"}]}]


def encode(schema, datum):
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue().hex()


OCF_SCHEMA = NESTED
OCF_RECORDS = CASES["nested"][2]


def jsonable(v):
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    return v


def main():
    mode, target = sys.argv[1], sys.argv[2]
    if mode == "datums":
        out = {}
        for name, (w, r, datums) in CASES.items():
            ws = parse(w)
            out[name] = {"writer": w, "reader": r, "datums": [encode(ws, d) for d in datums]}
        json.dump(out, open(target, "w"))
    elif mode == "canonical":
        json.dump([{"schema": s, "canonical": parse(s).canonical_form} for s in CANONICAL_SCHEMAS], open(target, "w"))
    elif mode == "write-ocf":
        codecs = ["null", "deflate"] + [c for c, ok in (("snappy", avro.codecs.has_snappy),
                                                         ("zstandard", avro.codecs.has_zstandard)) if ok]
        for codec in codecs:
            with open(f"{target}/{codec}.avro", "wb") as f:
                w = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), parse(OCF_SCHEMA), codec=codec)
                for _ in range(50):  # several blocks: python flushes every ~16 KB
                    for rec in OCF_RECORDS:
                        w.append(rec)
                w.close()
        print(json.dumps(codecs))
    elif mode == "read-ocf":
        with open(target, "rb") as f:
            r = avro.datafile.DataFileReader(f, avro.io.DatumReader())
            records = [jsonable(x) for x in r]
            print(json.dumps({"codec": r.codec, "schema": json.loads(r.schema), "records": records}))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
