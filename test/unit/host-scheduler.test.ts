// The fetch scheduler on its own, with tasks that finish when the test says so: turns across
// hosts, the per-host limit, patience (a stalled request gives its slot back, sooner when many
// hosts wait), bounded parking (the longest parked is given up), and back-off (a slow host waits
// behind healthy ones until it answers again).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostScheduler, SchedulerError } from '../../src/core/http/hostScheduler';
import type { ScheduledTask } from '../../src/core/http/hostScheduler';

/** A task that starts when scheduled and ends when the test finishes it. */
interface Pending {
  readonly host: string;
  readonly id: string;
  started: boolean;
  task?: ScheduledTask;
  finish(): void;
  fail(err: Error): void;
  done: Promise<string>;
}

function pending(scheduler: HostScheduler, host: string, id: string, started: string[]): Pending {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const p: Partial<Pending> & { started: boolean } = { host, id, started: false };
  p.done = scheduler.run(host, (task) => new Promise<string>((resolve, reject) => {
    p.started = true;
    p.task = task;
    started.push(id);
    finish = (): void => resolve(id);
    fail = reject;
  }));
  p.finish = (): void => finish();
  p.fail = (err: Error): void => fail(err);
  return p as Pending;
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
const idle = { active: 0, parked: 0, queued: 0, givenUp: 0 };

describe('HostScheduler', () => {
  /** Runs one job per host to completion, so the hosts count as having answered. */
  async function prove(s: HostScheduler, hosts: string[]): Promise<void> {
    for (const h of hosts) {
      const job = pending(s, h, `${h}0`, []);
      await tick();
      job.finish();
      await job.done;
    }
  }

  /** Finishes, one at a time, whichever job started last, until `count` have run. */
  async function drain(jobs: Pending[], started: string[], count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await tick();
      jobs.find((j) => j.id === started[started.length - 1])!.finish();
    }
  }

  it('takes hosts in turn, not requests in arrival order', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4 });
    await prove(s, ['Z', 'A', 'B', 'C']);
    const started: string[] = [];
    // One slot, held while the others queue up.
    const blocker = pending(s, 'Z', 'z1', started);
    const jobs = [
      ...['a1', 'a2', 'a3'].map((id) => pending(s, 'A', id, started)),
      ...['b1', 'b2'].map((id) => pending(s, 'B', id, started)),
      pending(s, 'C', 'c1', started),
    ];
    await tick();
    blocker.finish();
    await drain(jobs, started, jobs.length);
    await Promise.all([blocker, ...jobs].map((j) => j.done));
    assert.deepEqual(started, ['z1', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('hosts that answered go before hosts not yet tried (a described device\'s SCPDs don\'t queue behind newcomers)', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4 });
    await prove(s, ['P']);
    const started: string[] = [];
    const blocker = pending(s, 'Z', 'z1', started);
    const jobs = [pending(s, 'U', 'u1', started), pending(s, 'V', 'v1', started), pending(s, 'P', 'p1', started), pending(s, 'P', 'p2', started)];
    await tick();
    blocker.finish();
    await drain(jobs, started, jobs.length);
    await Promise.all([blocker, ...jobs].map((j) => j.done));
    assert.deepEqual(started, ['z1', 'p1', 'p2', 'u1', 'v1']);
  });

  it('holds at most perHost requests to one host, whatever the slots', async () => {
    const s = new HostScheduler({ maxActive: 10, perHost: 2 });
    const started: string[] = [];
    const jobs = ['a1', 'a2', 'a3', 'a4'].map((id) => pending(s, 'A', id, started));
    const other = pending(s, 'B', 'b1', started);
    await tick();
    assert.deepEqual(started, ['a1', 'a2', 'b1']);
    jobs[0]!.finish();
    await tick();
    assert.deepEqual(started, ['a1', 'a2', 'b1', 'a3']);
    for (const j of [jobs[1]!, jobs[2]!, other]) j.finish();
    await tick();
    assert.deepEqual(started, ['a1', 'a2', 'b1', 'a3', 'a4']);
    jobs[3]!.finish();
    await Promise.all([...jobs, other].map((j) => j.done));
    assert.deepEqual(s.stats, { ...idle, slowHosts: 0 });
  });

  it('a request unfinished after the patience gives its slot back and goes on; its host turns slow until one succeeds', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4, patienceMs: 50 });
    const started: string[] = [];
    const stalled = pending(s, 'staller', 's1', started);
    const healthy = pending(s, 'good', 'g1', started);
    await tick();
    assert.deepEqual(started, ['s1'], 'one slot: the staller has it');
    while (!healthy.started) await tick(2);
    assert.deepEqual(started, ['s1', 'g1'], 'after the patience the healthy host gets the slot');
    assert.equal(s.isSlow('staller'), true);
    assert.equal(stalled.task!.signal.aborted, false, 'parked, not cancelled');
    assert.deepEqual(s.stats, { ...idle, active: 1, parked: 1, slowHosts: 1 });
    healthy.finish();
    stalled.finish();
    assert.equal(await stalled.done, 's1', 'a parked request still delivers its answer');
    await healthy.done;
    assert.deepEqual(s.stats, { ...idle, slowHosts: 0 }, 'the slow host answered in the end: healthy again');
  });

  it('with many hosts in line the patience shrinks, so a healthy host behind 200 stalling ones starts soon', async () => {
    // Alone, each staller would hold one of the 4 slots for 1 s: 50 s before the healthy host's turn.
    const s = new HostScheduler({ maxActive: 4, perHost: 1, patienceMs: 1000, minPatienceMs: 5, backlogMs: 200, maxParked: 1000 });
    const started: string[] = [];
    const stallers = Array.from({ length: 200 }, (_, i) => pending(s, `stall-${i}`, `s${i}`, started));
    const queuedAt = performance.now();
    const healthy = pending(s, 'good', 'g1', started);
    while (!healthy.started && performance.now() - queuedAt < 20_000) await tick(5);
    const waited = performance.now() - queuedAt;
    assert.ok(healthy.started, 'the healthy host got a turn');
    assert.ok(waited < 5000, `the healthy host waited ${waited.toFixed(0)} ms behind 200 stalling hosts (1 s patience each, 4 slots)`);
    assert.equal(started.length, 201, 'every staller was tried once, none twice');
    healthy.finish();
    for (const p of stallers) p.finish();
    await Promise.all([healthy, ...stallers].map((p) => p.done));
  });

  it('parks a bounded number: the one parked longest is given up, its request aborted', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 1, patienceMs: 10, maxParked: 2 });
    const started: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((h) => pending(s, h, `${h}1`, started));
    const outcome = jobs.map((j) => j.done.then(() => 'ok', (err: unknown) => err));
    while (started.length < 4) await tick(5);
    await tick(40);
    // a, b, c, d stalled in turn: parking c gave up a, parking d gave up b (parked longest).
    const first = await outcome[0];
    assert.ok(first instanceof SchedulerError, String(first));
    assert.equal((first as SchedulerError).host, 'a');
    assert.match((first as Error).message, /^no answer within [\d.]+ s, while 2 other requests also waited on devices that don't answer; given up$/);
    assert.ok((await outcome[1]) instanceof SchedulerError);
    assert.deepEqual(jobs.map((j) => j.task!.signal.aborted), [true, true, false, false], 'the given-up requests were aborted');
    assert.deepEqual(s.stats, { ...idle, parked: 2, givenUp: 2, slowHosts: 4 });
    // Late answers of the given-up requests change nothing.
    for (const j of jobs) j.finish();
    assert.deepEqual(await Promise.all(outcome.slice(2)), ['ok', 'ok']);
    assert.deepEqual(s.stats, { ...idle, givenUp: 2, slowHosts: 2 });
  });

  it('a slow host gets one request at a time, after healthy hosts, until it answers again', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4, patienceMs: 1000 });
    const started: string[] = [];
    const first = pending(s, 'S', 's1', started);
    await tick();
    first.fail(Object.assign(new Error('timed out'), { kind: 'timeout' }));
    await first.done.catch(() => undefined);
    assert.equal(s.isSlow('S'), true);
    const blocker = pending(s, 'Z', 'z1', started);
    const jobs = [pending(s, 'S', 's2', started), pending(s, 'S', 's3', started), pending(s, 'G', 'g1', started), pending(s, 'G', 'g2', started)];
    await tick();
    blocker.finish();
    for (let i = 0; i < 4; i++) {
      await tick();
      jobs.find((j) => j.id === started[started.length - 1])!.finish();
    }
    await Promise.all([blocker, ...jobs].map((j) => j.done));
    assert.deepEqual(started, ['s1', 'z1', 'g1', 'g2', 's2', 's3']);
    assert.equal(s.isSlow('S'), false, 'answered again: healthy');
  });

  it('a parked request does not block its host: the same machine\'s other URLs go on, one at a time, within perHost', async () => {
    // One machine (a NAS, a PC) serves a stalling device beside healthy ones.
    const s = new HostScheduler({ maxActive: 8, perHost: 3, patienceMs: 30 });
    const started: string[] = [];
    const stall1 = pending(s, 'M', 'stall1', started);
    const stall2 = pending(s, 'M', 'stall2', started);
    await tick();
    while (s.stats.parked < 2) await tick(5);
    assert.equal(s.isSlow('M'), true);
    const good = [pending(s, 'M', 'good1', started), pending(s, 'M', 'good2', started), pending(s, 'M', 'good3', started)];
    await tick();
    // Slow: one holding a slot at a time, even though two are parked.
    assert.deepEqual(started, ['stall1', 'stall2', 'good1']);
    good[0]!.finish();
    await good[0]!.done;
    await tick();
    assert.equal(s.isSlow('M'), false, 'it answered: healthy again');
    // perHost counts the parked ones (they hold sockets): 2 parked + 1 running = 3, good3 waits.
    assert.deepEqual(started, ['stall1', 'stall2', 'good1', 'good2']);
    good[1]!.finish();
    await good[1]!.done;
    await tick();
    assert.deepEqual(started, ['stall1', 'stall2', 'good1', 'good2', 'good3']);
    for (const p of [good[2]!, stall1, stall2]) p.finish();
    await Promise.all([good[2]!, stall1, stall2].map((p) => p.done));
    assert.deepEqual(s.stats, { ...idle, slowHosts: 0 });
  });

  it('clear() rejects what is still queued and aborts what runs', async () => {
    const s = new HostScheduler({ maxActive: 1 });
    const started: string[] = [];
    const running = pending(s, 'A', 'a1', started);
    const queued = pending(s, 'B', 'b1', started);
    await tick();
    s.clear('closed');
    await assert.rejects(queued.done, /closed/);
    assert.equal(running.task!.signal.aborted, true);
    running.fail(new Error('aborted'));
    await assert.rejects(running.done, /aborted/);
    assert.deepEqual(s.stats, { ...idle, slowHosts: 0 });
  });
});
