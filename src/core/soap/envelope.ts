// Building a UPnP control request (UDA 1.1 §3.2.1): one SOAP 1.1 envelope holding one action
// element, its in-arguments in SCPD order, and optionally vendor arguments the way real control
// points add them (the Leica app appends <leica:X_FromCP> to every Browse).
import { xmlEscape } from '../xml/xml';

export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENCODING_STYLE = 'http://schemas.xmlsoap.org/soap/encoding/';
/** Content type UDA requires on control requests (quotes around utf-8 as in the spec's examples). */
export const SOAP_CONTENT_TYPE = 'text/xml; charset="utf-8"';

/** One action argument: an element name and its text (unescaped; escaping happens here). */
export interface SoapArg {
  readonly name: string;
  readonly value: string;
}

/** A vendor namespace for an extra argument, e.g. `{ prefix: 'leica', uri: 'urn:schemas-leica-com:leica' }`. */
export interface SoapNamespace {
  readonly prefix: string;
  readonly uri: string;
}

/** An argument the SCPD does not declare, sent after the declared ones. */
export interface SoapExtraArg extends SoapArg {
  /** Without a namespace the element is unqualified, like standard arguments. */
  readonly namespace?: SoapNamespace;
}

export interface SoapRequest {
  /** The envelope, UTF-8 text. */
  readonly body: string;
  /** CONTENT-TYPE and SOAPACTION, named in upper case as UDA writes them. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The request cannot be expressed as XML (a bad name, a clashing prefix). Programming or input error. */
export class SoapBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapBuildError';
  }
}

// An XML name without colons (NCName), approximated by Unicode letters and digits: anything else
// (spaces, '<', '/') would let a name break out of its element.
const NCNAME = /^[\p{L}_][\p{L}\p{M}\p{N}_.\-\u00B7]*$/u;
// Characters XML 1.0 cannot carry at all, not even as character references.
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Prefixes the envelope itself uses; a vendor namespace must not rebind them. */
const RESERVED_PREFIXES: Readonly<Record<string, string | undefined>> = { s: SOAP_ENVELOPE_NS, xml: undefined, xmlns: undefined };

/** The value of the SOAPACTION header: `"<serviceType>#<actionName>"`, quotes included (UDA 1.1 §3.2.1). */
export function soapActionHeader(serviceType: string, actionName: string): string {
  return `"${serviceType}#${actionName}"`;
}

/**
 * Builds the envelope and headers of one action invocation.
 * @param args the declared in-arguments, already in SCPD order (UDA: order matters to some devices).
 * @param extraArgs vendor arguments, appended after `args`; their namespaces are declared on the
 *   action element, next to `xmlns:u`, as the Leica app does.
 * @throws SoapBuildError for names that are not XML names, values XML cannot carry, or a prefix
 *   bound to two different namespaces.
 */
export function buildSoapRequest(
  serviceType: string,
  actionName: string,
  args: readonly SoapArg[],
  extraArgs: readonly SoapExtraArg[] = [],
): SoapRequest {
  checkName(actionName, 'action name');
  const declarations = new Map<string, string>([['u', serviceType]]);
  for (const extra of extraArgs) {
    if (!extra.namespace) continue;
    const { prefix, uri } = extra.namespace;
    checkName(prefix, 'namespace prefix');
    if (Object.hasOwn(RESERVED_PREFIXES, prefix.toLowerCase()) || prefix.toLowerCase().startsWith('xml')) {
      throw new SoapBuildError(`Namespace prefix "${prefix}" is reserved by the SOAP envelope or XML; choose another one for ${extra.name}.`);
    }
    if (uri === '') throw new SoapBuildError(`Namespace of prefix "${prefix}" is empty; a prefixed element needs a namespace URI.`);
    const bound = declarations.get(prefix);
    if (bound !== undefined && bound !== uri) {
      throw new SoapBuildError(`Namespace prefix "${prefix}" is used for both "${bound}" and "${uri}".`);
    }
    declarations.set(prefix, uri);
  }

  const parts: string[] = [];
  for (const arg of args) parts.push(element(arg.name, arg.value));
  for (const extra of extraArgs) {
    parts.push(element(extra.namespace ? `${extra.namespace.prefix}:${extra.name}` : extra.name, extra.value, extra.name));
  }
  const xmlns = [...declarations].map(([prefix, uri]) => ` xmlns:${prefix}="${escapeText(uri, `namespace of ${prefix}`)}"`).join('');
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<s:Envelope xmlns:s="${SOAP_ENVELOPE_NS}" s:encodingStyle="${SOAP_ENCODING_STYLE}">` +
    '<s:Body>' +
    `<u:${actionName}${xmlns}>${parts.join('')}</u:${actionName}>` +
    '</s:Body>' +
    '</s:Envelope>\n';
  return {
    body,
    headers: { 'CONTENT-TYPE': SOAP_CONTENT_TYPE, SOAPACTION: soapActionHeader(serviceType, actionName) },
  };
}

function element(qualifiedName: string, value: string, localName = qualifiedName): string {
  checkName(localName, 'argument name');
  return `<${qualifiedName}>${escapeText(value, localName)}</${qualifiedName}>`;
}

function checkName(name: string, what: string): void {
  if (!NCNAME.test(name)) {
    throw new SoapBuildError(`"${name}" is not a valid ${what}: XML element names start with a letter or '_' and contain no spaces, colons or symbols.`);
  }
}

/**
 * Escapes element text. Carriage returns become `&#13;` because a parser would otherwise turn
 * CRLF into LF and the device would receive a different value than the one typed.
 */
function escapeText(value: string, what: string): string {
  const bad = XML_ILLEGAL.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new SoapBuildError(`The value of ${what} contains the character U+${code}, which XML cannot carry.`);
  }
  return xmlEscape(value).replace(/\r/g, '&#13;');
}
