// Who gets to fetch next, when many devices want describing at once. Devices are untrusted and
// some are simply broken: a description URL that accepts the connection and never answers (or
// answers a byte a second) must not hold up the devices behind it. So:
//
// - Fair across hosts: each host (the device's IP address, whatever the port or path) has its own
//   queue; a free slot goes to the next host in turn, not to the next request in arrival order.
//   Hosts that have answered go first (a described device's SCPDs don't wait behind a line of
//   hosts never tried), then hosts not yet tried, then slow ones.
// - Bounded per host: at most `perHost` requests to one host at a time, so one machine announcing a
//   thousand stalling URLs holds at most that many.
// - Patient, not hostage: a request not finished within its patience gives its slot back and goes
//   on "parked" until its own deadline (parking costs an open socket, not the request: a slow but
//   honest device is still read). The patience shrinks when many hosts wait in line, so even a
//   thousand stalling hosts, each tried once, pass through the slots in well under a second.
// - Bounded parking: when `maxParked` requests are parked and another stalls, the one parked
//   longest is given up (its request aborted, its promise rejected with a SchedulerError).
// - Back-off: a host whose request stalled or timed out is "slow": one request holding a slot at a
//   time, served only when no healthy host is waiting, until a request to it succeeds again. Its
//   parked requests count toward `perHost` but don't block it: one stalling URL on a machine must
//   not hold up the healthy devices beside it until its deadline.
//
// The scheduler knows nothing of HTTP: `run` gets a function that starts the request, honours the
// given AbortSignal, and settles when the whole answer has arrived.

export interface HostSchedulerOptions {
  /** Requests in flight holding a slot, over all hosts. Default 32. */
  readonly maxActive?: number;
  /** Requests in flight to one host. Default 4. */
  readonly perHost?: number;
  /**
   * Longest a request holds its slot unfinished, when few hosts wait. Real devices answer a
   * description in milliseconds; parking costs an open socket, not the request. Default 250 ms.
   */
  readonly patienceMs?: number;
  /** Shortest patience, however long the line. Default 20 ms. */
  readonly minPatienceMs?: number;
  /**
   * With many hosts in line, the patience shrinks so that the whole line ahead of a newcomer gets a
   * turn within about this long, even if every host in it stalls. Default 400 ms.
   */
  readonly backlogMs?: number;
  /** Parked requests at most; beyond this, the one parked longest is given up. Default 512. */
  readonly maxParked?: number;
  /** Hosts remembered (queues, slowness) at most; the least recently used idle one is forgotten. Default 4096. */
  readonly maxHosts?: number;
}

/** What a scheduled task is given. */
export interface ScheduledTask {
  /** Aborted when the scheduler gives up on the request (or is cleared): pass it to the request. */
  readonly signal: AbortSignal;
}

/** A request the scheduler gave up on: it stalled while too many others did too. */
export class SchedulerError extends Error {
  readonly kind = 'stalled';

  constructor(
    readonly host: string,
    /** How long it had waited for its answer, ms. */
    readonly waitedMs: number,
    /** Other requests parked (stalled) at the time. */
    readonly others: number,
  ) {
    super(`no answer within ${(waitedMs / 1000).toFixed(1)} s, while ${others} other requests also waited on devices that don't answer; given up`);
    this.name = 'SchedulerError';
  }
}

interface Job {
  readonly start: () => void;
  readonly cancel: (err: Error) => void;
}

interface HostState {
  readonly name: string;
  readonly queue: Job[];
  /** Index of the next job in `queue` (a FIFO without O(n) shifts). */
  head: number;
  /** Requests in flight to this host (holding a slot or parked). */
  inFlight: number;
  /** Of those, the ones holding a slot (not parked). */
  holding: number;
  /** Stalled or timed out lately; cleared by a success. */
  slow: boolean;
  /** Answered (a request succeeded) and has not stalled since. */
  proven: boolean;
  /** The line it waits in for its next turn, if any (an entry left in another line is stale). */
  line: Line | undefined;
}

type Line = 'proven' | 'healthy' | 'slow';

/** A request in flight. */
interface Running {
  readonly state: HostState;
  readonly controller: AbortController;
  readonly startedAt: number;
  readonly reject: (err: Error) => void;
  holdsSlot: boolean;
  parked: boolean;
  done: boolean;
}

export interface HostSchedulerStats {
  /** Requests in flight holding a slot. */
  readonly active: number;
  /** Requests in flight that gave their slot back. */
  readonly parked: number;
  /** Requests waiting for a slot. */
  readonly queued: number;
  readonly slowHosts: number;
  /** Requests given up because too many were parked. */
  readonly givenUp: number;
}

/** A FIFO with O(1) push and shift. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. O(n). */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
  }
}

/** A running request's patience is looked at again at least this often, ms. */
const RECHECK_MS = 50;

export class HostScheduler {
  private readonly maxActive: number;
  private readonly perHost: number;
  private readonly patienceMs: number;
  private readonly minPatienceMs: number;
  private readonly backlogMs: number;
  private readonly maxParked: number;
  private readonly maxHosts: number;
  private readonly hosts = new Map<string, HostState>();
  /**
   * Hosts with queued work and a free per-host slot, in turn order: proven, not yet proven, slow.
   * A host that changes line (it answered, or stalled) is added to the new one and skipped in the
   * old one; `waiting` counts the hosts really in each.
   */
  private readonly lines: Record<Line, Fifo<HostState>> = { proven: new Fifo(), healthy: new Fifo(), slow: new Fifo() };
  private readonly waiting: Record<Line, number> = { proven: 0, healthy: 0, slow: 0 };
  /** Parked requests, longest parked first (finished ones are skipped, and swept out now and then). */
  private readonly parkedLine = new Fifo<Running>();
  private readonly running = new Set<Running>();
  private active = 0;
  private parked = 0;
  private queuedJobs = 0;
  private givenUp = 0;

  constructor(options: HostSchedulerOptions = {}) {
    this.maxActive = Math.max(1, options.maxActive ?? 32);
    this.perHost = Math.max(1, options.perHost ?? 4);
    this.patienceMs = options.patienceMs ?? 250;
    this.minPatienceMs = Math.min(this.patienceMs, options.minPatienceMs ?? 20);
    this.backlogMs = options.backlogMs ?? 400;
    this.maxParked = Math.max(0, options.maxParked ?? 512);
    this.maxHosts = options.maxHosts ?? 4096;
  }

  get stats(): HostSchedulerStats {
    let slowHosts = 0;
    for (const h of this.hosts.values()) if (h.slow) slowHosts++;
    return { active: this.active, parked: this.parked, queued: this.queuedJobs, slowHosts, givenUp: this.givenUp };
  }

  /** Rejects every queued job and aborts every request in flight. */
  clear(reason = 'The request was cancelled.'): void {
    for (const state of this.hosts.values()) {
      const jobs = state.queue.splice(0).slice(state.head);
      state.head = 0;
      for (const job of jobs) job.cancel(new Error(reason));
    }
    this.queuedJobs = 0;
    for (const run of [...this.running]) run.controller.abort(new Error(reason));
  }

  /** Whether requests to this host stalled or timed out lately. */
  isSlow(host: string): boolean {
    return this.hosts.get(host)?.slow ?? false;
  }

  /**
   * Runs `task` when a slot is free for `host`, fairly with other hosts. The task must honour the
   * signal it is given. A task that doesn't settle within the patience, or fails with a timeout
   * (an error whose `kind` is 'timeout'), marks its host slow; one that succeeds marks it healthy.
   */
  run<T>(host: string, task: (scheduled: ScheduledTask) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const state = this.stateOf(host);
      state.queue.push({ start: () => this.execute(state, task, resolve, reject), cancel: reject });
      this.queuedJobs++;
      this.offer(state);
      this.pump();
    });
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (state) {
      // Most recently used last (a Map keeps insertion order), so the oldest idle host is first.
      this.hosts.delete(host);
      this.hosts.set(host, state);
      return state;
    }
    state = { name: host, queue: [], head: 0, inFlight: 0, holding: 0, slow: false, proven: false, line: undefined };
    this.hosts.set(host, state);
    if (this.hosts.size > this.maxHosts) {
      const oldest = this.hosts.values().next().value as HostState;
      if (oldest.inFlight === 0 && queued(oldest) === 0 && oldest.line === undefined) this.hosts.delete(oldest.name);
    }
    return state;
  }

  /**
   * Whether the host may start another request: at most `perHost` in flight (parked ones count:
   * they hold sockets), and a slow host one holding a slot at a time. Its parked requests don't
   * block it: one stalling URL must not hold up the healthy devices on the same machine.
   */
  private canStart(state: HostState): boolean {
    return queued(state) > 0 && state.inFlight < this.perHost && (!state.slow || state.holding === 0);
  }

  /** Puts a host in the line it belongs in, if it has work and a free per-host slot. */
  private offer(state: HostState): void {
    if (!this.canStart(state)) return;
    const line: Line = state.slow ? 'slow' : state.proven ? 'proven' : 'healthy';
    if (state.line === line) return;
    if (state.line) this.waiting[state.line]--;
    state.line = line;
    this.waiting[line]++;
    this.lines[line].push(state);
  }

  /** The next host to get a slot: proven hosts in turn, then untried ones, then slow ones. */
  private nextHost(): HostState | undefined {
    for (const line of ['proven', 'healthy', 'slow'] as const) {
      const fifo = this.lines[line];
      for (let state = fifo.shift(); state; state = fifo.shift()) {
        if (state.line !== line) continue; // moved to another line meanwhile
        state.line = undefined;
        this.waiting[line]--;
        if (this.canStart(state)) return state;
      }
    }
    return undefined;
  }

  /** How long a request may hold a slot unfinished: shorter when many hosts wait in line. */
  private patience(): number {
    const line = this.waiting.proven + this.waiting.healthy;
    if (line <= this.maxActive) return this.patienceMs;
    return Math.min(this.patienceMs, Math.max(this.minPatienceMs, Math.floor((this.backlogMs * this.maxActive) / line)));
  }

  private execute<T>(state: HostState, task: (scheduled: ScheduledTask) => Promise<T>, resolve: (value: T) => void, reject: (err: Error) => void): void {
    const run: Running = { state, controller: new AbortController(), startedAt: performance.now(), reject, holdsSlot: true, parked: false, done: false };
    this.running.add(run);
    let timer: NodeJS.Timeout | undefined;
    // The patience is looked at again as the line changes (at least every RECHECK_MS), and checked
    // after the I/O already waiting (setImmediate runs after the poll phase), so a busy event loop
    // does not mistake an answer that has arrived for a stall.
    const arm = (ms: number): void => {
      timer = setTimeout(() => setImmediate(check), Math.max(0, Math.min(ms, RECHECK_MS)));
      timer.unref?.();
    };
    const check = (): void => {
      timer = undefined;
      if (run.done || !run.holdsSlot) return;
      const left = this.patience() - (performance.now() - run.startedAt);
      if (left > 0) arm(left);
      else this.stalled(run);
    };
    arm(this.patience());
    let promise: Promise<T>;
    try {
      promise = task({ signal: run.controller.signal });
    } catch (err) {
      promise = Promise.reject(err as Error);
    }
    promise.then(
      (value) => {
        if (timer) clearTimeout(timer);
        if (this.finish(run, 'ok')) resolve(value);
      },
      (err: unknown) => {
        if (timer) clearTimeout(timer);
        if (this.finish(run, isTimeout(err) ? 'timeout' : 'failed')) reject(err as Error);
      },
    );
  }

  /** The patience ran out with the request unfinished: park it (its host turns slow). */
  private stalled(run: Running): void {
    if (run.done || !run.holdsSlot) return;
    run.state.slow = true;
    run.state.proven = false;
    if (this.maxParked === 0) return; // keeps its slot
    if (this.parked >= this.maxParked) this.giveUpOldestParked();
    run.holdsSlot = false;
    run.parked = true;
    run.state.holding--;
    this.active--;
    this.parked++;
    this.parkedLine.push(run);
    if (this.parkedLine.size > 2 * this.parked + 64) this.parkedLine.retain((r) => r.parked && !r.done);
    this.offer(run.state);
    this.pump();
  }

  private giveUpOldestParked(): void {
    let victim: Running | undefined;
    while ((victim = this.parkedLine.shift()) && (victim.done || !victim.parked));
    if (!victim) return;
    const err = new SchedulerError(victim.state.name, performance.now() - victim.startedAt, this.parked);
    this.finish(victim, 'given-up');
    this.givenUp++;
    victim.controller.abort(err);
    victim.reject(err);
  }

  /** Bookkeeping when a request ends. Returns false if it had already ended (given up). */
  private finish(run: Running, outcome: 'ok' | 'timeout' | 'failed' | 'given-up'): boolean {
    if (run.done) return false;
    run.done = true;
    this.running.delete(run);
    if (run.holdsSlot) {
      this.active--;
      run.state.holding--;
    } else if (run.parked) this.parked--;
    run.holdsSlot = false;
    run.parked = false;
    const state = run.state;
    state.inFlight--;
    if (outcome === 'ok') {
      state.slow = false;
      state.proven = true;
    } else if (outcome !== 'failed') {
      state.slow = true;
      state.proven = false;
    }
    this.offer(state);
    this.pump();
    return true;
  }

  /** Starts queued jobs while slots are free, taking hosts in turn (see nextHost). */
  private pump(): void {
    while (this.active < this.maxActive && this.queuedJobs > 0) {
      const state = this.nextHost();
      if (!state) return;
      const job = state.queue[state.head]!;
      state.queue[state.head++] = undefined as unknown as Job;
      if (state.head === state.queue.length) {
        state.queue.length = 0;
        state.head = 0;
      } else if (state.head > 256 && state.head * 2 > state.queue.length) {
        state.queue.splice(0, state.head);
        state.head = 0;
      }
      state.inFlight++;
      state.holding++;
      this.active++;
      this.queuedJobs--;
      this.offer(state); // its next turn, behind the others
      job.start();
    }
  }
}

function queued(state: HostState): number {
  return state.queue.length - state.head;
}

function isTimeout(err: unknown): boolean {
  const kind = (err as { kind?: string } | null)?.kind;
  return kind === 'timeout';
}
