// The fetch scheduler on its own, with tasks that answer when the test says so: turns across
// hosts, the per-host limit, patience (a stalled request gives its slot back), and back-off
// (a slow host waits behind healthy ones until it answers again).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostScheduler } from '../../src/core/http/hostScheduler';
import type { ScheduledTask } from '../../src/core/http/hostScheduler';

/** A task that starts when scheduled and ends when the test resolves it. */
interface Pending {
  readonly host: string;
  readonly id: string;
  started: boolean;
  task?: ScheduledTask;
  finish(answer?: boolean): void;
  fail(err: Error): void;
  done: Promise<string>;
}

function pending(scheduler: HostScheduler, host: string, id: string, started: string[], answerAtStart = false): Pending {
  let finish!: (answer?: boolean) => void;
  let fail!: (err: Error) => void;
  const p: Partial<Pending> & { started: boolean } = { host, id, started: false };
  p.done = scheduler.run(host, (task) => new Promise<string>((resolve, reject) => {
    p.started = true;
    p.task = task;
    started.push(id);
    if (answerAtStart) task.answered();
    finish = (answer = true): void => {
      if (answer) task.answered();
      resolve(id);
    };
    fail = reject;
  }));
  p.finish = (answer?: boolean): void => finish(answer);
  p.fail = (err: Error): void => fail(err);
  return p as Pending;
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('HostScheduler', () => {
  it('takes hosts in turn, not requests in arrival order', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4 });
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
    for (let i = 0; i < jobs.length; i++) {
      await tick();
      jobs.find((j) => j.id === started[started.length - 1])!.finish();
    }
    await Promise.all([blocker, ...jobs].map((j) => j.done));
    assert.deepEqual(started, ['z1', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
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
    assert.deepEqual(s.stats, { active: 0, parked: 0, queued: 0, slowHosts: 0 });
  });

  it('a request unanswered after the patience gives its slot back; its host turns slow', async () => {
    const s = new HostScheduler({ maxActive: 1, perHost: 4, patienceMs: 30 });
    const started: string[] = [];
    const stalled = pending(s, 'staller', 's1', started);
    const healthy = pending(s, 'good', 'g1', started, true);
    await tick();
    assert.deepEqual(started, ['s1'], 'one slot: the staller has it');
    await tick(60);
    assert.deepEqual(started, ['s1', 'g1'], 'after the patience the healthy host gets the slot');
    assert.equal(s.isSlow('staller'), true);
    assert.deepEqual(s.stats, { active: 1, parked: 1, queued: 0, slowHosts: 1 });
    healthy.finish();
    stalled.finish();
    await Promise.all([healthy.done, stalled.done]);
    assert.deepEqual(s.stats, { active: 0, parked: 0, queued: 0, slowHosts: 1 });
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

  it('clear() rejects what is still queued', async () => {
    const s = new HostScheduler({ maxActive: 1 });
    const started: string[] = [];
    const running = pending(s, 'A', 'a1', started);
    const queued = pending(s, 'B', 'b1', started);
    await tick();
    s.clear('closed');
    await assert.rejects(queued.done, /closed/);
    running.finish();
    assert.equal(await running.done, 'a1');
  });
});
