// Reading what a device answers to a control request (UDA 1.1 §3.2.2): an action response with
// out-arguments, a SOAP fault carrying a UPnPError, or something else that the user needs
// explained. Devices differ in the small things — prefixes (s:, SOAP-ENV:, none), whether there is
// an XML declaration, whitespace, faults sent with HTTP 200 — so everything here goes by local
// names and reports departures from the spec as `problems` instead of failing.
import { XmlError, childElement, childElements, decodeText, innerXml, parseXml, parseXmlAsync, sourceOf } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { SOAP_ENVELOPE_NS } from './envelope';
import { describeUpnpErrorCode } from './errors';

export const UPNP_CONTROL_NS = 'urn:schemas-upnp-org:control-1-0';

export interface SoapOutput {
  readonly name: string;
  readonly value: string;
}

export interface UpnpErrorInfo {
  readonly code: number;
  /** The device's errorDescription, as sent ('' when it sent none). */
  readonly description: string;
  /** What the specifications say the code means, e.g. "No such object" for ContentDirectory 701. */
  readonly meaning: string;
}

/** Why an answer was neither an action response nor a UPnP fault. */
export type SoapFailureReason = 'http-status' | 'not-xml' | 'not-soap' | 'fault-without-upnp-error';

export type SoapResponse =
  | {
    readonly kind: 'ok';
    /** Qualified name of the response element as sent, e.g. `u:BrowseResponse`. */
    readonly responseElement: string;
    /** Out-arguments in the order the device sent them, by local name. */
    readonly outputs: readonly SoapOutput[];
    /** Departures from UDA that were tolerated, in words. */
    readonly problems: readonly string[];
  }
  | {
    readonly kind: 'fault';
    readonly upnpError: UpnpErrorInfo;
    readonly faultCode?: string;
    readonly faultString?: string;
    readonly problems: readonly string[];
  }
  | { readonly kind: 'failure'; readonly reason: SoapFailureReason; readonly message: string };

export interface SoapAnswer {
  readonly status: number;
  /** Header names in lower case (as fetchBytes returns them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

export interface ParseContext {
  /** The invoked action; the response element should be `<actionName>Response`. */
  readonly actionName: string;
  /** The service type, to look up service-specific (7xx) error meanings. */
  readonly serviceType?: string;
}

/** Outputs sit under Envelope, Body and the response element. */
const OUTPUT_DEPTH = 3;

/** Reads a device's answer to a control request. Never throws for anything the device sent. */
export function parseSoapResponse(answer: SoapAnswer, context: ParseContext): SoapResponse {
  const text = answerText(answer);
  const early = emptyAnswer(text, answer, context);
  if (early) return early;
  let top: XmlElement;
  try {
    top = parseXml(text, 'The answer', { keepSourceAtDepth: OUTPUT_DEPTH });
  } catch (err) {
    return notXml(err, answer);
  }
  return fromEnvelope(top, answer, context);
}

/**
 * `parseSoapResponse` reading the XML in slices of a few milliseconds, so a large answer (a Browse
 * of a thousand items) never holds the event loop for long.
 */
export async function readSoapResponse(answer: SoapAnswer, context: ParseContext, options: { signal?: AbortSignal } = {}): Promise<SoapResponse> {
  const text = answerText(answer);
  const early = emptyAnswer(text, answer, context);
  if (early) return early;
  let top: XmlElement;
  try {
    top = await parseXmlAsync(text, 'The answer', { ...options, keepSourceAtDepth: OUTPUT_DEPTH });
  } catch (err) {
    return notXml(err, answer);
  }
  return fromEnvelope(top, answer, context);
}

function answerText(answer: SoapAnswer): string {
  return typeof answer.body === 'string' ? answer.body : decodeText(answer.body, answer.headers['content-type']);
}

function emptyAnswer(text: string, answer: SoapAnswer, context: ParseContext): SoapResponse | undefined {
  // Cheap test first: an answer worth reading starts with '<' within its first bytes.
  if (/\S/.test(text.slice(0, 64)) || text.trim() !== '') return undefined;
  if (answer.status === 200) {
    return failure('not-soap', `The device answered HTTP 200 with an empty body instead of a <${context.actionName}Response>; the action may or may not have run.`);
  }
  return failure('http-status', statusMessage(answer));
}

function notXml(err: unknown, answer: SoapAnswer): SoapResponse {
  if (!(err instanceof XmlError)) throw err;
  const { status } = answer;
  if (err.limit) return failure('not-xml', `The device answered HTTP ${status}, but ${lowerFirst(err.message)}`);
  if (status === 200) return failure('not-xml', `The device answered HTTP 200, but ${lowerFirst(err.message)}`);
  if (status === 500) {
    return failure('not-xml', `The device answered HTTP 500 Internal Server Error without a SOAP fault (${err.reason}); it failed while handling the action.`);
  }
  return failure('http-status', statusMessage(answer));
}

function fromEnvelope(top: XmlElement, answer: SoapAnswer, context: ParseContext): SoapResponse {
  const { status } = answer;
  const expected = `${context.actionName}Response`;
  if (top.localName !== 'Envelope') {
    if (status !== 200 && status !== 500) return failure('http-status', statusMessage(answer));
    return failure('not-soap', `The device answered HTTP ${status}, but with an XML document whose top element is <${top.name}>, not a SOAP <Envelope>.`);
  }
  const problems: string[] = [];
  if (top.namespaceUri !== SOAP_ENVELOPE_NS) {
    problems.push(top.namespaceUri
      ? `The envelope is in namespace "${top.namespaceUri}", not SOAP 1.1's "${SOAP_ENVELOPE_NS}"; read anyway.`
      : `The envelope declares no namespace (expected "${SOAP_ENVELOPE_NS}"); read anyway.`);
  }
  const body = childElement(top, 'Body');
  if (!body) {
    if (status !== 200 && status !== 500) return failure('http-status', statusMessage(answer));
    return failure('not-soap', `The device answered HTTP ${status} with a SOAP envelope that has no <Body>.`);
  }
  const first = body.children[0];
  if (!first) {
    if (status !== 200 && status !== 500) return failure('http-status', statusMessage(answer));
    return failure('not-soap', `The device answered HTTP ${status} with an empty SOAP <Body> instead of a <${expected}>.`);
  }

  if (first.localName === 'Fault') return readFault(first, answer, context, problems);

  if (status !== 200) {
    if (status >= 200 && status < 300) {
      problems.push(`The device answered HTTP ${status} instead of 200 OK; read anyway.`);
    } else {
      return failure('http-status', `${statusMessage(answer)} Its body holds a <${first.name}> element, not a UPnP fault.`);
    }
  }
  if (first.localName !== expected) {
    problems.push(`The response element is <${first.name}>; UDA expects <${expected}>. Read anyway.`);
  }
  if (body.children.length > 1) {
    problems.push(`The SOAP <Body> holds ${body.children.length} elements; only the first, <${first.name}>, was read.`);
  }
  const outputs: SoapOutput[] = [];
  for (const child of first.children) {
    if (child.children.length > 0) {
      // Some servers put DIDL-Lite in <Result> as elements instead of escaped text.
      problems.push(`<${child.localName}> holds XML elements instead of escaped text; they are shown as XML.`);
      outputs.push({ name: child.localName, value: sourceOf(child) ?? innerXml(child) });
    } else {
      outputs.push({ name: child.localName, value: child.text });
    }
  }
  return { kind: 'ok', responseElement: first.name, outputs, problems };
}

function readFault(fault: XmlElement, answer: SoapAnswer, context: ParseContext, problems: string[]): SoapResponse {
  const faultCode = childElement(fault, 'faultcode')?.text;
  const faultString = childElement(fault, 'faultstring')?.text;
  // UDA puts UPnPError in <detail>; some stacks nest it once more or put it straight in <Fault>.
  const upnpError = findDescendant(fault, 'UPnPError', 3);
  const codeText = upnpError ? childElement(upnpError, 'errorCode')?.text : undefined;
  const code = codeText !== undefined && /^\s*\d{1,4}\s*$/.test(codeText) ? Number(codeText) : undefined;
  if (code === undefined) {
    const said = [faultCode && `faultcode ${faultCode}`, faultString && `faultstring "${faultString}"`].filter(Boolean).join(', ');
    const what = !upnpError
      ? 'without a UPnPError (no error code)'
      : codeText === undefined ? 'whose UPnPError has no <errorCode>' : `whose UPnPError code "${codeText}" is not a number`;
    return failure('fault-without-upnp-error', `The device answered HTTP ${answer.status} with a SOAP fault ${what}${said ? ` (${said})` : ''}.`);
  }
  if (answer.status !== 500) {
    problems.push(`The fault came with HTTP ${answer.status}; UDA requires 500 Internal Server Error.`);
  }
  if (upnpError && upnpError.namespaceUri !== UPNP_CONTROL_NS) {
    problems.push(`<UPnPError> is in namespace "${upnpError.namespaceUri ?? ''}", not "${UPNP_CONTROL_NS}"; read anyway.`);
  }
  const description = (upnpError && childElement(upnpError, 'errorDescription')?.text) ?? '';
  return {
    kind: 'fault',
    upnpError: { code, description, meaning: describeUpnpErrorCode(code, context.serviceType) },
    faultCode,
    faultString,
    problems,
  };
}

function findDescendant(element: XmlElement, localName: string, depth: number): XmlElement | undefined {
  const direct = childElements(element, localName)[0];
  if (direct || depth <= 1) return direct;
  for (const child of element.children) {
    const found = findDescendant(child, localName, depth - 1);
    if (found) return found;
  }
  return undefined;
}

function failure(reason: SoapFailureReason, message: string): SoapResponse {
  return { kind: 'failure', reason, message };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The reason phrase of a status code, '' for an unusual one. */
export function httpStatusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

/** What an HTTP status that carries no SOAP answer means for the user, and what to try. */
function statusMessage(answer: SoapAnswer): string {
  const { status } = answer;
  const text = httpStatusText(status);
  const code = `HTTP ${status}${text ? ` ${text}` : ''}`;
  switch (status) {
    case 400: return `The device rejected the request as malformed (${code}). Check the argument values; some devices also refuse arguments they do not know.`;
    case 401:
    case 403: return `The device refused access (${code}). It may accept control only from its own app, or after pairing.`;
    case 404: return `The control URL does not exist on the device (${code}). Refresh the device: its description may have changed.`;
    case 405: return `The device does not accept POST at this URL (${code}); it is not a working control URL.`;
    case 411: return `The device wants a Content-Length header (${code}).`;
    case 412: return `The device refused the request (${code}); UPnP devices answer this when the SOAPACTION header does not match the action.`;
    case 413: return `The request is too large for the device (${code}); shorten the argument values.`;
    case 415: return `The device refused the content type of the request (${code}).`;
    case 500: return `The device answered ${code} without a UPnP error: it failed while handling the action.`;
    case 501: return `The device does not implement this (${code}).`;
    case 503: return `The device is busy or still starting (${code}); try again shortly.`;
  }
  if (status >= 300 && status < 400) {
    const location = answer.headers['location'];
    return `The device redirected the request (${code}${location ? ` to ${location}` : ''}); control URLs should answer directly, so the redirect was not followed.`;
  }
  if (status >= 200 && status < 300) return `The device answered ${code} without a SOAP response.`;
  return `The device answered ${code} instead of a SOAP response or a UPnP fault.`;
}
