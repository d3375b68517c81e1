// Who gets to fetch next, when many devices want describing at once. Devices are untrusted and
// some are simply broken: a description URL that accepts the connection and never answers must not
// hold up the devices behind it. So:
//
// - Fair across hosts: each host (the device's IP address, whatever the port or path) has its own
//   queue; a free slot goes to the next host in turn, not to the next request in arrival order.
// - Bounded per host: at most `perHost` requests to one host at a time, so one machine announcing a
//   thousand stalling URLs holds at most that many.
// - Patient, not hostage: a request with no answer after `patienceMs` gives its slot back (it goes
//   on, parked, until its own deadline), so stalled requests can't fill every slot for long.
// - Back-off: a host whose request stalled or timed out is "slow": one request at a time, served
//   only when no healthy host is waiting, until a request to it succeeds again.
//
// The scheduler knows nothing of HTTP: `run` gets a function that reports when the answer started.

export interface HostSchedulerOptions {
  /** Requests in flight holding a slot, over all hosts. Default 32. */
  readonly maxActive?: number;
  /** Requests in flight to one host. Default 4. */
  readonly perHost?: number;
  /**
   * A request unanswered this long gives its slot back (it goes on, parked). Real devices answer a
   * description in milliseconds, so this can be short: parking costs an open socket, not the request.
   * Default 250 ms.
   */
  readonly patienceMs?: number;
  /** Parked (slot given back) requests at most; beyond this, stalled requests keep their slot. Default 512. */
  readonly maxParked?: number;
  /** Hosts remembered (queues, slowness) at most; the least recently used idle one is forgotten. Default 4096. */
  readonly maxHosts?: number;
}

/** What a scheduled task is told. */
export interface ScheduledTask {
  /** Call when the answer began arriving (headers): the request is no longer a suspect. */
  answered(): void;
}

interface Job {
  readonly start: () => void;
  readonly cancel: (err: Error) => void;
}

interface HostState {
  readonly name: string;
  readonly queue: Job[];
  /** Requests in flight to this host (active or parked). */
  inFlight: number;
  /** Stalled or timed out lately; cleared by a success. */
  slow: boolean;
  /** Waiting in one of the turn queues. */
  waiting: boolean;
}

export interface HostSchedulerStats {
  readonly active: number;
  readonly parked: number;
  readonly queued: number;
  readonly slowHosts: number;
}

/** A FIFO of hosts with O(1) push and shift. */
class Turns {
  private items: HostState[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(host: HostState): void {
    this.items.push(host);
  }

  shift(): HostState | undefined {
    if (this.head >= this.items.length) return undefined;
    const host = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return host;
  }
}

export class HostScheduler {
  private readonly maxActive: number;
  private readonly perHost: number;
  private readonly patienceMs: number;
  private readonly maxParked: number;
  private readonly maxHosts: number;
  private readonly hosts = new Map<string, HostState>();
  /** Hosts with queued work and a free per-host slot, healthy ones and slow ones, in turn order. */
  private readonly healthy = new Turns();
  private readonly slow = new Turns();
  private active = 0;
  private parked = 0;
  private queuedJobs = 0;

  constructor(options: HostSchedulerOptions = {}) {
    this.maxActive = options.maxActive ?? 32;
    this.perHost = options.perHost ?? 4;
    this.patienceMs = options.patienceMs ?? 250;
    this.maxParked = options.maxParked ?? 512;
    this.maxHosts = options.maxHosts ?? 4096;
  }

  get stats(): HostSchedulerStats {
    let slowHosts = 0;
    for (const h of this.hosts.values()) if (h.slow) slowHosts++;
    return { active: this.active, parked: this.parked, queued: this.queuedJobs, slowHosts };
  }

  /** Drops every queued job (their promises reject); jobs in flight finish on their own. */
  clear(reason = 'The request was cancelled.'): void {
    for (const state of this.hosts.values()) {
      for (const job of state.queue.splice(0)) job.cancel(new Error(reason));
    }
    this.queuedJobs = 0;
  }

  /** Whether requests to this host stalled or failed lately. */
  isSlow(host: string): boolean {
    return this.hosts.get(host)?.slow ?? false;
  }

  /**
   * Runs `task` when a slot is free for `host`, fairly with other hosts. A task that throws a
   * timeout (or never calls `answered` within the patience) marks its host slow; one that answers
   * marks it healthy again.
   */
  run<T>(host: string, task: (scheduled: ScheduledTask) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const state = this.stateOf(host);
      state.queue.push({ start: () => this.execute(state, task).then(resolve, reject), cancel: reject });
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
    state = { name: host, queue: [], inFlight: 0, slow: false, waiting: false };
    this.hosts.set(host, state);
    if (this.hosts.size > this.maxHosts) {
      const oldest = this.hosts.values().next().value as HostState;
      if (oldest.inFlight === 0 && oldest.queue.length === 0 && !oldest.waiting) this.hosts.delete(oldest.name);
    }
    return state;
  }

  /** Puts a host in line if it has work and a free per-host slot. */
  private offer(state: HostState): void {
    if (state.waiting || state.queue.length === 0 || state.inFlight >= (state.slow ? 1 : this.perHost)) return;
    state.waiting = true;
    (state.slow ? this.slow : this.healthy).push(state);
  }

  private async execute<T>(state: HostState, task: (scheduled: ScheduledTask) => Promise<T>): Promise<T> {
    let holdsSlot = true;
    let answered = false;
    let stalled = false;
    const patience = setTimeout(() => {
      if (answered) return;
      stalled = true;
      state.slow = true;
      // Give the slot back so other hosts are not held up; the request goes on, parked.
      if (holdsSlot && this.parked < this.maxParked) {
        holdsSlot = false;
        this.active--;
        this.parked++;
        this.pump();
      }
    }, this.patienceMs);
    patience.unref?.();
    try {
      const result = await task({
        answered: () => {
          answered = true;
          if (!stalled) state.slow = false;
        },
      });
      if (!stalled) state.slow = false;
      return result;
    } catch (err) {
      if (isTimeout(err)) state.slow = true;
      throw err;
    } finally {
      clearTimeout(patience);
      if (holdsSlot) this.active--;
      else this.parked--;
      state.inFlight--;
      this.offer(state);
      this.pump();
    }
  }

  /** Starts queued jobs while slots are free: healthy hosts in turn first, then slow ones. */
  private pump(): void {
    while (this.active < this.maxActive && this.queuedJobs > 0) {
      const state = this.healthy.shift() ?? this.slow.shift();
      if (!state) return;
      state.waiting = false;
      // A host may have turned slow (or healthy) while in line: check its limit now.
      if (state.queue.length === 0 || state.inFlight >= (state.slow ? 1 : this.perHost)) continue;
      if (state.slow && this.healthy.size > 0) {
        // Turned slow while in line: healthy hosts go first, it waits in the slow line.
        this.offer(state);
        continue;
      }
      const job = state.queue.shift()!;
      state.inFlight++;
      this.active++;
      this.queuedJobs--;
      this.offer(state); // its next turn, behind the others
      job.start();
    }
  }
}

function isTimeout(err: unknown): boolean {
  const kind = (err as { kind?: string } | null)?.kind;
  return kind === 'timeout';
}
