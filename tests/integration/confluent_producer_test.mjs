// Events produced by Confluent's own Avro producer (Debian's python3-confluent-kafka `confluent_kafka.avro`
// AvroProducer with python3-avro: an independent encoder and registry client) through `floe registry serve`
// into `floe dev-kafka`, archived by `floe run` to Parquet: DuckDB must read back exactly the values Python sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir, startDevKafka, startRegistry, runFloe, writeConfig, duckdb, cleanup, utcPartition } from './harness.mjs';

const PRODUCER = String.raw`
import datetime, json, sys, random
from confluent_kafka import avro
from confluent_kafka.avro import AvroProducer

bootstrap, registry, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
schema = avro.loads(json.dumps({
  "type": "record", "name": "Order", "namespace": "com.shop",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "occurred_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "amount", "type": "double"},
    {"name": "quantity", "type": "int"},
    {"name": "paid", "type": "boolean"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "counters", "type": {"type": "map", "values": "long"}},
    {"name": "buyer", "type": {"type": "record", "name": "Buyer", "fields": [
      {"name": "country", "type": "string"},
      {"name": "vip", "type": ["null", "boolean"], "default": None}]}},
    {"name": "coupon", "type": ["null", "string"], "default": None}
  ]}))
p = AvroProducer({"bootstrap.servers": bootstrap, "schema.registry.url": registry,
                  "compression.type": "lz4"}, default_value_schema=schema)
rnd = random.Random(7)
now_ms = int(sys.argv[5])
sent = []
for i in range(count):
    v = {"id": "o-%05d" % i,
         "occurred_at": now_ms - rnd.randrange(0, 3 * 3600 * 1000),
         "amount": round(rnd.uniform(0, 500), 2),
         "quantity": rnd.randrange(-5, 50),
         "paid": rnd.random() < 0.5,
         "status": rnd.choice(["NEW", "PAID", "SHIPPED"]),
         "tags": [rnd.choice(["a", "b", "ü", "日本"]) for _ in range(rnd.randrange(0, 4))],
         "counters": {k: rnd.randrange(-2**40, 2**40) for k in rnd.sample(["x", "y", "z"], rnd.randrange(0, 3))},
         "buyer": {"country": rnd.choice(["DE", "FR", "US"]), "vip": rnd.choice([None, True, False])},
         "coupon": rnd.choice([None, "SPRING", "ÉTÉ"])}
    # python-avro takes timestamp-millis as an aware datetime (milliseconds are exact in its microseconds).
    value = dict(v, occurred_at=datetime.datetime.fromtimestamp(v["occurred_at"] / 1000, datetime.timezone.utc))
    p.produce(topic=topic, value=value, partition=i % 3)
    sent.append(v)
    if i % 500 == 0: p.poll(0)
assert p.flush(60) == 0
print(json.dumps(sent))
`;

test("Confluent's AvroProducer output is archived value for value", async () => {
  const dir = tempDir('confluent-producer');
  const kafka = await startDevKafka(dir, ['orders:3']);
  const registry = await startRegistry();
  try {
    const n = 3000;
    const now = Date.now();
    const r = spawnSync('/usr/bin/python3', ['-c', PRODUCER, kafka.bootstrap, registry.url, 'orders', String(n), String(now)],
      { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const sent = JSON.parse(r.stdout);
    assert.equal(sent.length, n);

    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, `kafka: { bootstrap.servers: "${kafka.bootstrap}", group.id: confluent, session.timeout.ms: 6000 }
store.url: "file://${lake}"
schema.registry.url: "${registry.url}"
topics: [orders]
input.format: avro
format: parquet
timestamp.fields: [occurred_at]
rotate.schedule.interval.ms: 0
`);
    const run = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(run.code, 0, run.stderr);

    const db = await duckdb();
    const rows = await db.all(`
      SELECT id, epoch_ms(occurred_at) AS t, amount, quantity, paid, status::VARCHAR AS status,
             to_json(tags)::VARCHAR AS tags, to_json(counters)::VARCHAR AS counters,
             buyer.country AS country, buyer.vip AS vip, coupon, v, dt, hour
      FROM read_parquet('${lake}/default/orders/*/*/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)`);
    db.close();
    assert.equal(rows.length, n);
    const byId = new Map(rows.map((row) => [row.id, row]));
    assert.equal(byId.size, n, 'every id exactly once');
    for (const want of sent) {
      const got = byId.get(want.id);
      assert.ok(got, `${want.id} missing`);
      assert.equal(Number(got.t), want.occurred_at, want.id);
      assert.equal(got.amount, want.amount, want.id);
      assert.equal(got.quantity, want.quantity, want.id);
      assert.equal(got.paid, want.paid, want.id);
      assert.equal(got.status, want.status, want.id);
      assert.deepEqual(JSON.parse(got.tags), want.tags, want.id);
      // The longs stay within ±2^40, exact in JavaScript numbers.
      assert.deepEqual(JSON.parse(got.counters), want.counters, want.id);
      assert.equal(got.country, want.buyer.country, want.id);
      assert.equal(got.vip, want.buyer.vip, want.id);
      assert.equal(got.coupon, want.coupon, want.id);
      assert.equal(got.v, '1');  // the producer's first (and only) version under orders-value
      const hour = utcPartition(want.occurred_at);
      assert.equal(`${got.dt}/${got.hour}`, `${hour.dt}/${hour.hour}`, want.id);
    }
  } finally {
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});
