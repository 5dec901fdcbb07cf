"""Drives floe's embedded Schema Registry with Confluent's own Python clients (Debian python3-confluent-kafka).

Usage: /usr/bin/python3 confluent_client_check.py http://127.0.0.1:PORT

Exercises the current SchemaRegistryClient and the legacy confluent_kafka.avro path (CachedSchemaRegistryClient
plus MessageSerializer, which frames records the way AvroProducer does, without needing a broker). Every check
is an assert; on success the last line is "RESULT <json>" with ids the C++ side cross-checks.

Compatibility verdicts come from the server's Avro checker, the one `floe registry serve` runs.
"""
import io
import json
import struct
import sys

import avro.schema
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

URL = sys.argv[1]

V1 = {"type": "record", "name": "Click", "namespace": "com.acme",
      "fields": [{"name": "url", "type": "string"}]}
V2 = {"type": "record", "name": "Click", "namespace": "com.acme",
      "fields": [{"name": "url", "type": "string"}, {"name": "ms", "type": "long", "default": 0}]}
V3 = {"type": "record", "name": "Click", "namespace": "com.acme",
      "fields": [{"name": "url", "type": "string"}, {"name": "ms", "type": "long", "default": 0},
                 {"name": "user", "type": "string"}]}


def expect_error(fn, http_status, error_code):
    try:
        fn()
    except SchemaRegistryError as e:
        assert e.http_status_code == http_status, (e.http_status_code, e.error_code, e.error_message)
        assert e.error_code == error_code, (e.http_status_code, e.error_code, e.error_message)
        return e
    raise AssertionError("expected error_code %d" % error_code)


def current_client():
    sr = SchemaRegistryClient({"url": URL})
    subject = "clicks-value"
    id1 = sr.register_schema(subject, Schema(json.dumps(V1), "AVRO"))
    assert sr.register_schema(subject, Schema(json.dumps(V1), "AVRO")) == id1
    assert json.loads(sr.get_schema(id1).schema_str) == V1
    assert sr.get_schema(id1).schema_type == "AVRO"

    id2 = sr.register_schema(subject, Schema(json.dumps(V2), "AVRO"))
    assert id2 != id1
    assert sr.get_versions(subject) == [1, 2]
    assert subject in sr.get_subjects()

    latest = sr.get_latest_version(subject)
    assert (latest.schema_id, latest.version, latest.subject) == (id2, 2, subject)
    first = sr.get_version(subject, 1)
    assert (first.schema_id, first.version) == (id1, 1)
    found = sr.lookup_schema(subject, Schema(json.dumps(V1), "AVRO"))
    assert (found.schema_id, found.version) == (id1, 1)

    # Compatibility: V3 adds a field without a default, which BACKWARD forbids.
    assert sr.test_compatibility(subject, Schema(json.dumps(V3), "AVRO")) is False
    assert sr.test_compatibility(subject, Schema(json.dumps(V2), "AVRO"), version=1) is True
    expect_error(lambda: sr.register_schema(subject, Schema(json.dumps(V3), "AVRO")), 409, 409)
    assert sr.get_compatibility() == "BACKWARD"
    assert sr.set_compatibility(subject_name=subject, level="none") == {"compatibility": "NONE"}
    assert sr.get_compatibility(subject) == "NONE"
    id3 = sr.register_schema(subject, Schema(json.dumps(V3), "AVRO"))
    assert sr.get_latest_version(subject).version == 3

    expect_error(lambda: sr.get_schema(987654), 404, 40403)
    expect_error(lambda: sr.get_versions("no-such-subject"), 404, 40401)
    expect_error(lambda: sr.get_version(subject, 42), 404, 40402)
    expect_error(lambda: sr.lookup_schema("no-such-subject", Schema(json.dumps(V1), "AVRO")), 404, 40401)
    expect_error(lambda: sr.set_compatibility(level="SOMETIMES"), 422, 42203)
    expect_error(lambda: sr.register_schema(subject, Schema("{not json", "AVRO")), 422, 42201)

    assert sr.delete_version(subject, 3) == 3
    assert sr.get_versions(subject) == [1, 2]
    return {"clicks_v1": id1, "clicks_v2": id2, "clicks_v3": id3}


def legacy_client():
    client = CachedSchemaRegistryClient({"url": URL})
    serializer = MessageSerializer(client)
    schema = avro.schema.parse(json.dumps(V1))
    record = {"url": "https://example.com/a"}
    # What AvroProducer does per message: register under "<topic>-value", frame with magic byte and id.
    framed = serializer.encode_record_with_schema("legacy", schema, record)
    magic, schema_id = struct.unpack(">bI", framed[:5])
    assert magic == 0
    # A fresh client must fetch the writer schema by id to decode.
    decoded = MessageSerializer(CachedSchemaRegistryClient({"url": URL})).decode_message(framed)
    assert decoded == record, decoded

    latest_id, latest_schema, latest_version = client.get_latest_schema("legacy-value")
    assert (latest_id, latest_version) == (schema_id, 1)
    assert client.get_version("legacy-value", schema) == 1
    assert client.check_registration("legacy-value", schema) == schema_id
    assert client.test_compatibility("legacy-value", avro.schema.parse(json.dumps(V2))) is True
    assert client.test_compatibility("legacy-value", avro.schema.parse(json.dumps(V3))) is False
    assert client.update_compatibility("FULL", "legacy-value") == "FULL"
    assert client.get_compatibility("legacy-value") == "FULL"
    assert client.get_by_id(555555) is None
    return {"legacy_v1": schema_id, "legacy_frame_hex": framed.hex()}


def main():
    result = {}
    result.update(current_client())
    result.update(legacy_client())
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
