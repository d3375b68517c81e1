// ContentDirectory client: Browse (children and metadata) and DestroyObject, decoded into DIDL-Lite
// objects, plus a pager that walks a container's children on servers that lie about counts.
//
// Real servers: minidlna's first Browse of "0" after start reports TotalMatches 0 while returning
// 4 containers; others return fewer objects than asked (NumberReturned < RequestedCount) long
// before the end, or a TotalMatches that is simply wrong. The only signal that holds is an empty
// page, so ChildPager asks until one comes back empty — bounded so a server that ignores
// StartingIndex (the same page forever) cannot keep it busy.
import type { Action, ActionArgument, ServiceScpd } from '../description/model';
import type { SoapExtraArg } from '../soap/envelope';
import { invokeAction } from '../soap/invoke';
import type { InvokeResult } from '../soap/invoke';
import { DidlError, parseDidlAsync } from './didl';
import type { DidlObject } from './didl';

export interface BrowsePage {
  objects: DidlObject[];
  /** NumberReturned as reported (the parsed object count when it is missing or not a number). */
  numberReturned: number;
  /** TotalMatches as reported (0 when missing; servers send 0 or wrong values too). */
  totalMatches: number;
  updateId?: string;
  /** The DIDL-Lite text as received. */
  resultXml: string;
  /** Departures: DIDL-Lite problems, counts that disagree with the objects, SOAP oddities. */
  problems: string[];
}

export interface ContentDirectoryTarget {
  /** Absolute control URL of the ContentDirectory service. */
  controlUrl: string;
  serviceType: string;
  /** When given, Browse and DestroyObject are sent with its argument names and order. */
  scpd?: ServiceScpd;
}

export interface ContentDirectoryOptions {
  /** Per-request deadline; default 15 000 ms. */
  timeoutMs?: number;
  /** Vendor arguments added to every Browse, e.g. the Leica app's `<leica:X_FromCP>`. */
  extraArgs?: SoapExtraArg[];
  /** Largest Browse answer accepted; default BROWSE_MAX_BYTES. */
  maxBytes?: number;
}

/** The device answered an action with a UPnP error (or could not be asked). */
export class UpnpActionError extends Error {
  /** UPnP error code, when the device sent a UPnPError. */
  code?: number;
  /** The device's errorDescription, as sent. */
  description?: string;
  /** What the specification says the code means (e.g. 701 "No such object"). */
  meaning?: string;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number;
  /** The action that failed, e.g. 'Browse'. */
  action?: string;

  constructor(message: string, details: { code?: number; description?: string; meaning?: string; httpStatus?: number; action?: string } = {}) {
    super(message);
    this.name = 'UpnpActionError';
    Object.assign(this, details);
  }
}

/** Thrown (with name 'AbortError') when a request is cancelled through its AbortSignal. */
export class ContentDirectoryAbortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortError';
  }
}

/** Whether `err` is a cancellation (ours, DOMException or Node's AbortError). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * Largest Browse answer read. A page of 1,000 camera photos with five resources each (the Leica
 * capture's shape) is about 3.3 MiB as a SOAP answer; minidlna's 1,000 items about 1 MiB. 8 MiB
 * leaves room for servers that send long URLs and many resources, while reading, unescaping and
 * decoding stay within the per-document memory budget (npm run bench -- hostile).
 */
export const BROWSE_MAX_BYTES = 8 * 1024 * 1024;

function arg(name: string, direction: 'in' | 'out', relatedStateVariable: string): ActionArgument {
  return { name, direction, relatedStateVariable, retval: false };
}

/** ContentDirectory:1 as the specification declares it, for devices whose SCPD is missing or odd. */
const STANDARD_ACTIONS: Readonly<Record<'Browse' | 'DestroyObject', Action>> = {
  Browse: {
    name: 'Browse',
    arguments: [
      arg('ObjectID', 'in', 'A_ARG_TYPE_ObjectID'),
      arg('BrowseFlag', 'in', 'A_ARG_TYPE_BrowseFlag'),
      arg('Filter', 'in', 'A_ARG_TYPE_Filter'),
      arg('StartingIndex', 'in', 'A_ARG_TYPE_Index'),
      arg('RequestedCount', 'in', 'A_ARG_TYPE_Count'),
      arg('SortCriteria', 'in', 'A_ARG_TYPE_SortCriteria'),
      arg('Result', 'out', 'A_ARG_TYPE_Result'),
      arg('NumberReturned', 'out', 'A_ARG_TYPE_Count'),
      arg('TotalMatches', 'out', 'A_ARG_TYPE_Count'),
      arg('UpdateID', 'out', 'A_ARG_TYPE_UpdateID'),
    ],
  },
  DestroyObject: { name: 'DestroyObject', arguments: [arg('ObjectID', 'in', 'A_ARG_TYPE_ObjectID')] },
};

export class ContentDirectoryClient {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(readonly target: ContentDirectoryTarget, readonly options: ContentDirectoryOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? BROWSE_MAX_BYTES;
  }

  /**
   * One Browse of a container's children (BrowseDirectChildren) from `start`, asking for `count`.
   * @throws UpnpActionError for a UPnP fault or an unusable answer; an AbortError when cancelled.
   */
  async browseChildren(objectId: string, start: number, count: number, signal?: AbortSignal): Promise<BrowsePage> {
    return this.browse(objectId, 'BrowseDirectChildren', start, count, signal);
  }

  /** Browse with BrowseMetadata: the object itself (undefined when the server sent none). */
  async browseMetadata(objectId: string, signal?: AbortSignal): Promise<{ object: DidlObject | undefined; resultXml: string; problems: string[] }> {
    const page = await this.browse(objectId, 'BrowseMetadata', 0, 0, signal);
    return { object: page.objects[0], resultXml: page.resultXml, problems: page.problems };
  }

  /** DestroyObject; resolves when the server confirms. */
  async destroyObject(objectId: string, signal?: AbortSignal): Promise<void> {
    await this.invoke('DestroyObject', { ObjectID: objectId }, [], signal);
  }

  private async browse(objectId: string, flag: 'BrowseDirectChildren' | 'BrowseMetadata', start: number, count: number, signal?: AbortSignal): Promise<BrowsePage> {
    if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`Browse needs whole, non-negative StartingIndex and RequestedCount (got ${start} and ${count}).`);
    }
    const { outputs, problems } = await this.invoke('Browse', {
      ObjectID: objectId,
      BrowseFlag: flag,
      Filter: '*',
      StartingIndex: String(start),
      RequestedCount: String(count),
      SortCriteria: '',
    }, this.options.extraArgs ?? [], signal);
    const out = (name: string): string | undefined => outputs.find((o) => o.name === name)?.value;
    const resultXml = out('Result');
    if (resultXml === undefined) {
      throw new UpnpActionError(`Browse of "${objectId}" answered without a Result.`, { action: 'Browse' });
    }
    let objects: DidlObject[] = [];
    if (resultXml.trim() === '') {
      problems.push('Result is empty instead of an empty <DIDL-Lite> document.');
    } else {
      try {
        const doc = await parseDidlAsync(resultXml, signal ? { signal } : {});
        objects = doc.objects;
        problems.push(...doc.problems);
      } catch (err) {
        if (!(err instanceof DidlError)) throw err;
        throw new UpnpActionError(`Browse of "${objectId}" returned a Result that is not usable DIDL-Lite: ${err.message}`, { action: 'Browse' });
      }
    }
    const count32 = (name: string): number | undefined => {
      const v = out(name);
      if (v === undefined) { problems.push(`The answer has no ${name}.`); return undefined; }
      if (!/^\s*\d{1,10}\s*$/.test(v)) { problems.push(`${name} is "${v}", not a count.`); return undefined; }
      return Number(v);
    };
    const numberReturned = count32('NumberReturned') ?? objects.length;
    const totalMatches = count32('TotalMatches') ?? 0;
    if (numberReturned !== objects.length) {
      problems.push(`NumberReturned is ${numberReturned}, but the Result holds ${objects.length} object${objects.length === 1 ? '' : 's'}.`);
    }
    if (flag === 'BrowseDirectChildren' && objects.length > 0 && totalMatches < start + objects.length) {
      problems.push(`TotalMatches is ${totalMatches}, fewer than the ${start + objects.length} objects seen so far; not trusted.`);
    }
    const updateId = out('UpdateID');
    return { objects, numberReturned, totalMatches, ...(updateId !== undefined ? { updateId } : {}), resultXml, problems };
  }

  private async invoke(name: 'Browse' | 'DestroyObject', args: Record<string, string>, extraArgs: readonly SoapExtraArg[], signal?: AbortSignal): Promise<{ outputs: { name: string; value: string }[]; problems: string[] }> {
    const { controlUrl, serviceType, scpd } = this.target;
    const declared = scpd?.actions.find((a) => a.name === name);
    // The SCPD's own argument names are used only when it declares every standard in-argument;
    // otherwise (a sloppy SCPD) the standard declaration is sent.
    const standard = STANDARD_ACTIONS[name];
    const stdIn = standard.arguments.filter((a) => a.direction === 'in').map((a) => a.name);
    const usable = declared && stdIn.every((n) => declared.arguments.some((a) => a.direction === 'in' && a.name === n)) &&
      declared.arguments.filter((a) => a.direction === 'in').length === stdIn.length;
    const action = usable ? declared : standard;
    if (signal?.aborted) throw new ContentDirectoryAbortError(`${name} was cancelled.`);
    const result: InvokeResult = await invokeAction({
      controlUrl, serviceType, action, args, extraArgs, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, ...(signal ? { signal } : {}),
    });
    const outcome = result.outcome;
    switch (outcome.kind) {
      case 'ok':
        return { outputs: outcome.outputs.map((o) => ({ name: o.name, value: o.value })), problems: [...outcome.problems] };
      case 'fault': {
        const e = outcome.upnpError;
        const said = e.description && e.description !== e.meaning ? ` ("${e.description}")` : '';
        throw new UpnpActionError(`${name} failed: UPnP error ${e.code} ${e.meaning}${said}.`, {
          code: e.code, description: e.description, meaning: e.meaning, httpStatus: outcome.httpStatus, action: name,
        });
      }
      case 'failure':
        if (outcome.reason === 'aborted') throw new ContentDirectoryAbortError(`${name} was cancelled.`);
        throw new UpnpActionError(`${name} failed: ${outcome.message}`, { ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}), action: name });
    }
  }
}

export interface ChildPagerOptions {
  /** Stop after this many requests whatever happens; default 100 000. */
  maxPages?: number;
  /** Stop after this many objects; default 1 000 000. */
  maxObjects?: number;
}

/**
 * Pages through the children of a container; copes with lying servers: NumberReturned smaller than
 * asked, TotalMatches 0 or wrong — it keeps asking until a page comes back empty. It never loops
 * forever: it stops on a page that holds only objects already seen (a server ignoring
 * StartingIndex), and after `maxPages` requests or `maxObjects` objects.
 * Calls to next() are serialised; a failed request can be retried by calling next() again.
 */
export class ChildPager {
  readonly loaded: DidlObject[] = [];
  /** Why paging stopped early or what the server got wrong, in words. */
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();
  private offset = 0;
  private requests = 0;
  private finished = false;
  private reported: number | undefined;
  private lastUpdateId: string | undefined;
  private running: Promise<DidlObject[]> | undefined;
  private readonly maxPages: number;
  private readonly maxObjects: number;

  constructor(readonly client: ContentDirectoryClient, readonly objectId: string, readonly pageSize: number, options: ChildPagerOptions = {}) {
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`Page size must be a whole number ≥ 1 (got ${pageSize}).`);
    this.maxPages = options.maxPages ?? 100_000;
    this.maxObjects = options.maxObjects ?? 1_000_000;
  }

  get done(): boolean { return this.finished; }
  /** TotalMatches as last reported (may be 0 or wrong); undefined before the first page. */
  get totalMatches(): number | undefined { return this.reported; }
  /** Browse requests sent so far. */
  get pages(): number { return this.requests; }
  /** UpdateID of the last page. */
  get updateId(): string | undefined { return this.lastUpdateId; }

  /**
   * The object `objectId` was destroyed on the server: everything after it moved down one index,
   * so the next page starts one earlier (or it would skip an object), and the count drops.
   * Returns whether this pager had listed it.
   */
  forget(objectId: string): boolean {
    if (objectId === '' || !this.seen.delete(objectId)) return false;
    const at = this.loaded.findIndex((o) => o.id === objectId);
    if (at >= 0) this.loaded.splice(at, 1);
    if (this.offset > 0) this.offset--;
    if (this.reported !== undefined && this.reported > 0) this.reported--;
    return true;
  }

  /** The next page's new objects; empty once done. */
  next(signal?: AbortSignal): Promise<DidlObject[]> {
    const previous = this.running ?? Promise.resolve([]);
    const run = previous.catch(() => []).then(() => this.fetchNext(signal));
    this.running = run;
    return run;
  }

  /** Pages until done (or cancelled); resolves with everything loaded. */
  async loadAll(signal?: AbortSignal, onPage?: (objects: DidlObject[]) => void): Promise<DidlObject[]> {
    while (!this.finished) {
      const objects = await this.next(signal);
      if (objects.length) onPage?.(objects);
    }
    return this.loaded;
  }

  private async fetchNext(signal?: AbortSignal): Promise<DidlObject[]> {
    if (this.finished) return [];
    if (this.requests >= this.maxPages) return this.stop(`Stopped after ${this.requests} Browse requests (the limit); the server may not be paging.`);
    this.requests++;
    const page = await this.client.browseChildren(this.objectId, this.offset, this.pageSize, signal);
    this.reported = page.totalMatches;
    if (page.updateId !== undefined) this.lastUpdateId = page.updateId;
    if (page.objects.length === 0) {
      this.finished = true;
      return [];
    }
    const fresh = page.objects.filter((o) => {
      // Objects without an id cannot be told apart: each counts as new.
      if (o.id === '') return true;
      if (this.seen.has(o.id)) return false;
      this.seen.add(o.id);
      return true;
    });
    // Advance by what the server actually sent, not by NumberReturned (which may lie).
    this.offset += page.objects.length;
    if (fresh.length === 0) {
      return this.stop(`Browse from index ${this.offset - page.objects.length} returned only objects already listed; the server seems to ignore StartingIndex, so paging stopped.`);
    }
    if (fresh.length < page.objects.length) {
      this.problems.push(`A page repeated ${page.objects.length - fresh.length} object${page.objects.length - fresh.length === 1 ? '' : 's'} already listed; shown once.`);
    }
    const room = this.maxObjects - this.loaded.length;
    const taken = fresh.length > room ? fresh.slice(0, room) : fresh;
    this.loaded.push(...taken);
    if (this.loaded.length >= this.maxObjects) {
      this.stop(`Stopped at ${this.maxObjects} objects (the limit).`);
      return taken;
    }
    // Exactly TotalMatches seen: believe it once a page confirms it (one more Browse, normally
    // empty), so a folder whose size is a multiple of the page size doesn't end with a useless
    // "Load more". A server that sends more anyway is still read.
    if (this.reported !== undefined && this.reported > 0 && this.offset === this.reported) {
      return [...taken, ...await this.fetchNext(signal)];
    }
    return taken;
  }

  private stop(reason: string): DidlObject[] {
    this.finished = true;
    this.problems.push(reason);
    return [];
  }
}
