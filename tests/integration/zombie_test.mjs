// Zombie fencing end to end: a worker frozen mid-file (SIGSTOP, as a long GC pause or a network split would)
// loses its partitions to a second worker; when it wakes (SIGCONT) with records of those partitions in open
// files, it must not publish them. DuckDB then finds every (partition, offset) exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  tempDir, startDevKafka, startFloe, produce, runFloe, writeConfig, cleanup, listFiles, countJsonLinesOffsets,
} from './harness.mjs';

test('a worker that lost its partitions while frozen publishes nothing for them when it wakes', async () => {
  const dir = tempDir('zombie');
  const kafka = await startDevKafka(dir, ['events:4']);
  const workers = [];
  try {
    await produce(kafka.bootstrap, 'events', 3000, ['--seed', '1']);
    const lake = join(dir, 'lake');
    // No wall-clock rotation: the frozen worker keeps its files open (records not yet visible) while it is away.
    const cfg = writeConfig(dir, `kafka: { bootstrap.servers: "${kafka.bootstrap}", group.id: zombie, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
store.url: "file://${lake}"
format: json
topics: [events]
timestamp.fields: [occurred_at]
flush.size: 100
rotate.schedule.interval.ms: 0
offset.commit.interval.ms: 500
`);
    const visible = () => listFiles(join(lake, 'default', 'events')).filter((f) => f.endsWith('.jsonl'));
    const a = startFloe(['run', '--config', cfg]);
    workers.push(a);
    for (let i = 0; i < 300 && visible().length === 0; i++) await sleep(100);
    assert.ok(visible().length > 0, `the first worker published nothing: ${a.output()}`);
    await sleep(500);  // into its next, still open files
    a.child.kill('SIGSTOP');
    const frozenAt = new Set(visible());

    const b = startFloe(['run', '--config', cfg]);
    workers.push(b);
    await produce(kafka.bootstrap, 'events', 3000, ['--seed', '2']);
    // The second worker gets every partition once the frozen one's session times out, and archives on.
    for (let i = 0; i < 300 && !/, 4 in total/.test(b.output()); i++) await sleep(100);
    assert.match(b.output(), /, 4 in total/);
    await sleep(3000);
    const beforeWake = new Set(visible());

    const zombieLogFrom = a.output().length;
    a.child.kill('SIGCONT');
    // The zombie notices it lost the partitions; whatever it still held must stay unpublished.
    for (let i = 0; i < 150 && !/(lost|revoked) \d+ partition/.test(a.output().slice(zombieLogFrom)); i++) await sleep(100);
    assert.match(a.output().slice(zombieLogFrom), /(lost|revoked) \d+ partition/, a.output());
    await sleep(2000);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) await w.exited;

    // A last worker drains the topic; everything must be there exactly once.
    const last = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(last.code, 0, last.stderr);
    const { n, d } = await countJsonLinesOffsets(lake, 'events');
    assert.equal(d, 6000, 'every record archived');
    assert.equal(n, 6000, 'no record twice');
    assert.ok(beforeWake.size > frozenAt.size, 'the second worker archived while the first was frozen');
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await kafka.stop();
    cleanup(dir);
  }
});
