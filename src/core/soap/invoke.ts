// Invoking one UPnP action and keeping the whole exchange, so the UI can show the typed result
// and, on request, exactly what went over the wire (and hand it over as a curl command).
import { errorMessage } from '../util/errors';
import { FetchError, USER_AGENT, fetchBytes } from '../http/fetch';
import type { FetchErrorKind } from '../http/fetch';
import { decodeText } from '../xml/xml';
import type { Action } from '../description/model';
import { buildSoapRequest } from './envelope';
import type { SoapArg, SoapExtraArg } from './envelope';
import { httpStatusText, readSoapResponse } from './response';
import type { SoapOutput, SoapFailureReason, UpnpErrorInfo } from './response';

export interface InvokeOptions {
  /** Absolute control URL of the service. */
  readonly controlUrl: string;
  readonly serviceType: string;
  /** The action as its SCPD declares it; in-arguments are sent in its order. */
  readonly action: Action;
  /**
   * Values of the in-arguments by name, either as a record or as name/value pairs. An in-argument
   * without a value is sent empty (UPnP has no optional arguments; an empty field means '').
   */
  readonly args?: Readonly<Record<string, string>> | readonly SoapArg[];
  /** Arguments the SCPD does not declare (vendor extensions), sent after the declared ones. */
  readonly extraArgs?: readonly SoapExtraArg[];
  /** Whole-exchange deadline; fetchBytes' default (10 s) when not given. */
  readonly timeoutMs?: number;
  /** Cap on the answer's size; fetchBytes' default (2 MiB) when not given. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export interface RawRequest {
  readonly method: 'POST';
  readonly url: string;
  /** e.g. `POST /Server0/CDS_control HTTP/1.1` */
  readonly requestLine: string;
  /** Header lines in the order sent; Host and Content-Length as the HTTP client adds them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export interface RawResponse {
  readonly status: number;
  /** e.g. `HTTP/1.1 200 OK` (the reason phrase is the standard one; devices' own are not exposed). */
  readonly statusLine: string;
  /** Names in lower case, as received. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body decoded to text (charset from BOM, Content-Type or declaration). */
  readonly body: string;
  readonly bodyBytes: number;
}

export interface RawExchange {
  readonly request: RawRequest;
  /** Absent when no answer arrived (refused, timeout, cancelled) or it was refused for size. */
  readonly response?: RawResponse;
  /** From just before connecting to the end of the answer (or the failure). */
  readonly elapsedMs: number;
  /** ISO 8601 time the request started. */
  readonly startedAt: string;
}

export type InvokeFailureReason = SoapFailureReason | FetchErrorKind;

export type InvokeOutcome =
  | {
    readonly kind: 'ok';
    /** Declared out-arguments in SCPD order, then any the device sent beyond them. */
    readonly outputs: readonly SoapOutput[];
    /** Tolerated departures from UDA, and mismatches with the SCPD, in words. */
    readonly problems: readonly string[];
  }
  | { readonly kind: 'fault'; readonly upnpError: UpnpErrorInfo; readonly httpStatus: number; readonly problems: readonly string[] }
  | { readonly kind: 'failure'; readonly reason: InvokeFailureReason; readonly message: string; readonly httpStatus?: number };

export interface InvokeResult {
  readonly outcome: InvokeOutcome;
  readonly exchange: RawExchange;
}

/** The request could not be built (an argument the action does not have, a bad vendor name). */
export class InvokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvokeError';
  }
}

/**
 * Invokes `action` at `controlUrl`. Resolves for everything the device or the network does
 * (faults and failures are outcomes, with the raw exchange); throws InvokeError only when the
 * request itself cannot be built from the given arguments.
 */
export async function invokeAction(options: InvokeOptions): Promise<InvokeResult> {
  const { action, serviceType, controlUrl } = options;
  const args = orderedInArgs(action, options.args);
  let soap;
  try {
    soap = buildSoapRequest(serviceType, action.name, args, options.extraArgs ?? []);
  } catch (err) {
    throw new InvokeError(errorMessage(err));
  }
  const request = rawRequest(controlUrl, soap.headers, soap.body);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;

  let answer;
  try {
    answer = await fetchBytes(controlUrl, {
      method: 'POST',
      headers: soap.headers,
      body: soap.body,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      signal: options.signal,
    }, () => true); // every status is read: faults come as 500, other statuses get explained
  } catch (err) {
    const exchange: RawExchange = { request, elapsedMs: elapsed(), startedAt };
    if (err instanceof FetchError) {
      return { outcome: { kind: 'failure', reason: err.kind, message: err.message, httpStatus: err.status }, exchange };
    }
    throw err;
  }
  const bodyText = decodeText(answer.body, answer.headers['content-type']);
  const text = httpStatusText(answer.status);
  const exchange: RawExchange = {
    request,
    response: {
      status: answer.status,
      statusLine: `HTTP/1.1 ${answer.status}${text ? ` ${text}` : ''}`,
      headers: answer.headers,
      body: bodyText,
      bodyBytes: answer.body.length,
    },
    elapsedMs: elapsed(),
    startedAt,
  };

  let parsed;
  try {
    parsed = await readSoapResponse({ status: answer.status, headers: answer.headers, body: bodyText }, { actionName: action.name, serviceType }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    // Cancelled while a large answer was being read.
    if (!options.signal?.aborted) throw err;
    return { outcome: { kind: 'failure', reason: 'aborted', message: `Request to ${controlUrl} was cancelled.`, httpStatus: answer.status }, exchange };
  }
  switch (parsed.kind) {
    case 'fault':
      return { outcome: { kind: 'fault', upnpError: parsed.upnpError, httpStatus: answer.status, problems: parsed.problems }, exchange };
    case 'failure':
      return { outcome: { kind: 'failure', reason: parsed.reason, message: parsed.message, httpStatus: answer.status }, exchange };
    case 'ok': {
      const { outputs, problems } = orderOutputs(action, parsed.outputs);
      return { outcome: { kind: 'ok', outputs, problems: [...parsed.problems, ...problems] }, exchange };
    }
  }
}

function orderedInArgs(action: Action, given: InvokeOptions['args']): SoapArg[] {
  const values = new Map<string, string>();
  if (Array.isArray(given)) {
    for (const a of given as readonly SoapArg[]) values.set(a.name, a.value);
  } else if (given) {
    for (const [name, value] of Object.entries(given as Readonly<Record<string, string>>)) values.set(name, value);
  }
  const inArgs = action.arguments.filter((a) => a.direction === 'in');
  const inNames = new Set(inArgs.map((a) => a.name));
  for (const name of values.keys()) {
    if (!inNames.has(name)) {
      const outArg = action.arguments.some((a) => a.name === name);
      throw new InvokeError(outArg
        ? `${name} is an out-argument of ${action.name}; it cannot be sent.`
        : `${action.name} has no in-argument named ${name}; send vendor arguments as extra arguments.`);
    }
  }
  return inArgs.map((a) => ({ name: a.name, value: values.get(a.name) ?? '' }));
}

/**
 * Puts the device's outputs into SCPD order and says where they differ from the SCPD. Lookups go
 * through sets: both the SCPD and the answer come from the device and may be long.
 */
function orderOutputs(action: Action, sent: readonly SoapOutput[]): { outputs: SoapOutput[]; problems: string[] } {
  const declared = action.arguments.filter((a) => a.direction === 'out');
  const declaredNames = new Set(declared.map((a) => a.name));
  const byName = new Map<string, SoapOutput>();
  for (const o of sent) if (!byName.has(o.name)) byName.set(o.name, o);
  const outputs: SoapOutput[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  for (const arg of declared) {
    const found = byName.get(arg.name);
    if (found) outputs.push(found);
    else missing.push(arg.name);
  }
  if (missing.length > 0) {
    problems.push(`The device did not send ${listNames(missing)}, declared as out-argument${missing.length > 1 ? 's' : ''} in its SCPD.`);
  }
  const extra = sent.filter((o) => !declaredNames.has(o.name));
  if (extra.length > 0) {
    outputs.push(...extra);
    problems.push(`The device sent ${listNames(extra.map((o) => o.name))}, not declared in its SCPD.`);
  }
  const sentOrder = sent.filter((o) => declaredNames.has(o.name)).map((o) => o.name);
  const declaredOrder = declared.map((a) => a.name).filter((n) => byName.has(n));
  if (sentOrder.join('\u0000') !== declaredOrder.join('\u0000')) {
    problems.push('The device sent the out-arguments in a different order than its SCPD declares; shown in SCPD order.');
  }
  return { outputs, problems };
}

function listNames(names: readonly string[]): string {
  // A hostile answer can name thousands; the first few say enough.
  const shown = names.length > 10 ? [...names.slice(0, 10).map((n) => `<${n}>`), `${names.length - 10} more`] : names.map((n) => `<${n}>`);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function rawRequest(url: string, soapHeaders: Readonly<Record<string, string>>, body: string): RawRequest {
  let target = url;
  let host = '';
  try {
    const parsed = new URL(url);
    target = `${parsed.pathname}${parsed.search}` || '/';
    host = parsed.host;
  } catch {
    // fetchBytes reports the invalid URL; the raw view shows it as given.
  }
  // The same headers fetchBytes and its HTTP client send, in a readable order.
  const headers: Array<[string, string]> = [
    ['HOST', host],
    ...Object.entries(soapHeaders),
    ['CONTENT-LENGTH', String(Buffer.byteLength(body, 'utf8'))],
    ['USER-AGENT', USER_AGENT],
    ['CONNECTION', 'close'],
  ];
  return { method: 'POST', url, requestLine: `POST ${target} HTTP/1.1`, headers, body };
}

/** The raw exchange as HTTP/1.1 message text, for a "show raw" view. */
export function formatExchange(exchange: RawExchange): string {
  const { request, response } = exchange;
  const req = [request.requestLine, ...request.headers.map(([k, v]) => `${k}: ${v}`), '', request.body].join('\r\n');
  if (!response) return req;
  const res = [response.statusLine, ...Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`), '', response.body].join('\r\n');
  return `${req}\r\n\r\n${res}`;
}

/** Quotes a word for POSIX shells: single quotes, with embedded ones as '\''. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command (POSIX shell) that repeats the request: a POST to the same URL with the same SOAP
 * headers and the body byte for byte. Host and Content-Length are left to curl; `Expect:` stops
 * curl from sending `Expect: 100-continue`, which some embedded HTTP servers mishandle;
 * `--max-time` keeps it from hanging on a silent device.
 */
export function toCurl(exchange: RawExchange): string {
  const { request } = exchange;
  const skip = new Set(['host', 'content-length', 'connection', 'user-agent']);
  const parts = ['curl', '--silent', '--show-error', '--include', '--max-time', '30'];
  for (const [name, value] of request.headers) {
    if (skip.has(name.toLowerCase())) continue;
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  parts.push('-H', shellQuote('Expect:'));
  // --data-binary would read a file for a body starting with '@'; envelopes start with '<', but
  // a hand-edited body might not, so such a body is fed through stdin instead.
  const data = request.body.startsWith('@') ? ['--data-binary', '@-'] : ['--data-binary', shellQuote(request.body)];
  parts.push(...data, shellQuote(request.url));
  const command = parts.join(' ');
  return request.body.startsWith('@') ? `printf '%s' ${shellQuote(request.body)} | ${command}` : command;
}
