// Static membership (KIP-345) end to end: two workers share a topic; one is stopped with SIGTERM and started
// again, and the other worker's partition assignment is compared with and without `group.instance.id`.
//
// What librdkafka 2.0.2's mock cluster (`floe dev-kafka`) lets this test show, and what it does not:
// - The client side of KIP-345 is librdkafka's own and is exercised as is: a static member's close sends no
//   LeaveGroup, so the group keeps the member, and its partitions wait for it, until session.timeout.ms runs
//   out. A dynamic member's close leaves at once and the survivor takes its partitions over.
// - The broker side is not faithful. The mock reads the JoinGroup's group.instance.id and drops it (members
//   are known by member id only), so the restarted static member joins as a new member and the group goes
//   through one more generation, where a real broker would give the instance its assignment back without a
//   rebalance. The survivor's partitions still do not move (cooperative-sticky keeps what members own), so
//   the static case asserts "the survivor neither gives up nor takes a partition", not "no generation".
// - The mock holds every rebalance of a group that is up for about session.timeout.ms (a real broker
//   completes it once the known members have rejoined), hence the long waits, and it stalls a rejoining
//   member's connection meanwhile: a commit sent then is answered by the next generation, refused as
//   ILLEGAL_GENERATION, and librdkafka counts the member's partitions as lost. So the workers here seal and
//   commit only when partitions are revoked and at exit (no file fills up, no rotation, no periodic commit):
//   the survivor has nothing to commit while it rejoins, and what the test sees is the assignment alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  tempDir, startDevKafka, startFloe, produce, runFloe, writeConfig, cleanup, countJsonLinesOffsets,
} from './harness.mjs';

// The restart must fit in it, even on a loaded machine (a worker stops and starts again in a few seconds).
const SESSION_TIMEOUT_MS = 15000;
const BATCH = 2000;

// Every assignment change a worker logged, in order: "assigned 2 partition(s), 2 in total: [events[0],
// events[2]]", "revoked|lost 2 partition(s), 0 left: [...]".
function assignmentEvents(log) {
  const events = [];
  for (const m of log.matchAll(/ (assigned|revoked|lost) \d+ partition\(s\), (\d+) (?:in total|left): \[(.*)\]$/gm))
    events.push({ kind: m[1], partitions: m[3] ? m[3].split(', ') : [], total: Number(m[2]) });
  return events;
}

// The partitions a worker holds according to its log, sorted.
function owned(log) {
  const held = new Set();
  for (const e of assignmentEvents(log))
    for (const p of e.partitions) (e.kind === 'assigned' ? held.add(p) : held.delete(p));
  return [...held].sort();
}

async function until(condition, what, workers) {
  for (let i = 0; i < 1200 && !condition(); i++) await sleep(100);
  assert.ok(condition(), `${what}\n${workers.map((w) => `--- ${w.name}\n${w.proc.output()}`).join('\n')}`);
}

function workerConfig(dir, name, bootstrap, lake, instanceId) {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const instance = instanceId ? `, group.instance.id: ${instanceId}` : '';
  return writeConfig(home, `kafka: { bootstrap.servers: "${bootstrap}", group.id: archivers, session.timeout.ms: ${SESSION_TIMEOUT_MS}, heartbeat.interval.ms: 500${instance} }
store.url: "file://${lake}"
format: json
topics: [events]
timestamp.fields: [occurred_at]
flush.size: 1000000
rotate.schedule.interval.ms: 0
offset.commit.interval.ms: 3600000
`);
}

// Two workers share events:4 and worker a is stopped (SIGTERM) while records keep arriving; `restart` brings
// it back, makes the scenario's assertions and returns the restarted worker. Afterwards every record must be
// in the lake exactly once.
async function stopOneOfTwo(staticMembership, restart) {
  const dir = tempDir(staticMembership ? 'static' : 'dynamic');
  const kafka = await startDevKafka(dir, ['events:4']);
  const workers = [];
  try {
    await produce(kafka.bootstrap, 'events', BATCH, ['--seed', '1']);
    const lake = join(dir, 'lake');
    const cfg = (name) => workerConfig(dir, name, kafka.bootstrap, lake, staticMembership ? `floe-${name}` : null);
    const start = (name, config) => {
      const w = { name, proc: startFloe(['run', '--config', config]) };
      workers.push(w);
      return w;
    };
    const cfgA = cfg('a');
    // Started together, both join the group's first generation.
    const a = start('a', cfgA);
    const b = start('b', cfg('b'));
    await until(() => owned(a.proc.output()).length === 2 && owned(b.proc.output()).length === 2,
                'the two workers never shared the four partitions', [a, b]);
    const partitionsOfA = owned(a.proc.output());
    const partitionsOfB = owned(b.proc.output());

    const bLogFrom = b.proc.output().length;
    a.proc.child.kill('SIGTERM');
    assert.equal((await a.proc.exited).code, 0, a.proc.output());
    // On the way out it sealed and committed its partitions, static member or not.
    assert.deepEqual(assignmentEvents(a.proc.output()).at(-1), { kind: 'revoked', partitions: partitionsOfA, total: 0 },
                     a.proc.output());
    await produce(kafka.bootstrap, 'events', BATCH, ['--seed', '2']);

    const a2 = await restart({
      startA: () => start('a (restarted)', cfgA), b, partitionsOfA, partitionsOfB,
      bLog: () => b.proc.output().slice(bLogFrom),
    });

    // Both stopped at once. A dynamic member leaving first holds the group in a rebalance, so the other's last
    // commit may be refused: that is no failure (its files are published and listed, so the next owner skips
    // them), and both exit 0.
    for (const w of [a2, b]) w.proc.child.kill('SIGTERM');
    for (const w of [a2, b]) assert.equal((await w.proc.exited).code, 0, `${w.name}: ${w.proc.output()}`);
    // A last worker archives from the committed offsets on; then every record must be there exactly once.
    const last = await runFloe(['run', '--config', workerConfig(dir, 'last', kafka.bootstrap, lake, null), '--exit-when-idle']);
    assert.equal(last.code, 0, last.stderr);
    const { n, d } = await countJsonLinesOffsets(lake, 'events');
    assert.equal(d, 2 * BATCH, 'every record archived');
    assert.equal(n, 2 * BATCH, 'no record twice');
  } finally {
    for (const w of workers) if (w.proc.child.exitCode === null && w.proc.child.signalCode === null) w.proc.child.kill('SIGKILL');
    await kafka.stop();
    cleanup(dir);
  }
}

test('with group.instance.id a worker restarted within session.timeout.ms gets its partitions back and the other keeps its own', async () => {
  await stopOneOfTwo(true, async ({ startA, b, partitionsOfA, partitionsOfB, bLog }) => {
    // Restarted at once: well within its session, which the group kept open for it.
    const a2 = startA();
    await until(() => owned(a2.proc.output()).join() === partitionsOfA.join(),
                `the restarted worker did not get ${partitionsOfA} back`, [a2, b]);
    // The other worker neither took the stopped worker's partitions nor gave up any of its own (the mock's
    // extra generation shows at most as an empty assignment).
    const changes = assignmentEvents(bLog());
    assert.deepEqual(changes.filter((e) => e.kind !== 'assigned' || e.partitions.length > 0), [],
                     `the other worker's assignment changed\n${b.proc.output()}`);
    assert.deepEqual(owned(b.proc.output()), partitionsOfB);
    return a2;
  });
});

test('without group.instance.id the same stop hands the partitions to the other worker, and the restart takes them back', async () => {
  await stopOneOfTwo(false, async ({ startA, b, bLog }) => {
    // The stopped worker left the group: the other one takes its partitions over. (A real broker does so as
    // soon as the remaining member has rejoined; the mock takes session.timeout.ms. Either way before any
    // realistic restart, hence the restart only once it happened.)
    await until(() => owned(b.proc.output()).length === 4, 'the other worker never took over the partitions', [b]);
    const a2 = startA();
    await until(() => owned(a2.proc.output()).length === 2 && owned(b.proc.output()).length === 2,
                'the restarted worker never got its share back', [a2, b]);
    const changes = assignmentEvents(bLog());
    const tookOver = changes.findIndex((e) => e.kind === 'assigned' && e.total === 4);
    assert.ok(changes.slice(tookOver).some((e) => e.kind !== 'assigned' && e.partitions.length === 2),
              `the other worker did not give two partitions up: ${JSON.stringify(changes)}\n${b.proc.output()}`);
    return a2;
  });
});
