// What a UPnP device puts on the wire, written once for the hosted devices (host.ts) and the
// simulated devices the tests run: SOAP answers and faults (UDA 1.1 §3.2) and the NOTIFY that
// carries an event (§4.3).
import { isLinkLocal6 } from '../core/ssdp/interfaces';
import { request } from 'node:http';
import { xmlEscape } from '../core/xml/xml';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENCODING = 'http://schemas.xmlsoap.org/soap/encoding/';
export const XML_CONTENT_TYPE = 'text/xml; charset="utf-8"';

export function soapEnvelope(bodyXml: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_ENV_NS}" s:encodingStyle="${SOAP_ENCODING}"><s:Body>${bodyXml}</s:Body></s:Envelope>`;
}

/** An action's answer; out-arguments in the order given. */
export function soapActionResponse(serviceType: string, action: string, outputs: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>): string {
  const pairs = Array.isArray(outputs) ? outputs : Object.entries(outputs);
  const args = pairs.map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
  return soapEnvelope(`<u:${action}Response xmlns:u="${xmlEscape(serviceType)}">${args}</u:${action}Response>`);
}

/** A UPnP error as a SOAP fault (sent with HTTP 500). */
export function soapFault(code: number, description: string): string {
  return soapEnvelope(
    '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>'
      + `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode>`
      + `<errorDescription>${xmlEscape(description)}</errorDescription></UPnPError></detail></s:Fault>`,
  );
}

/**
 * Sends one NOTIFY to a subscriber's callback; resolves with the answer's status. A link-local
 * IPv6 callback (`http://[fe80::…]/`) can't carry its zone in the URL: `zone` names the interface.
 */
export function sendNotify(callback: string, sid: string, seq: number, body: string, timeoutMs = 5000, zone?: string): Promise<number> {
  const payload = Buffer.from(body, 'utf8');
  const url = new URL(callback);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const req = request({
      host: zone && isLinkLocal6(host) ? `${host}%${zone}` : host,
      port: url.port || 80,
      path: `${url.pathname}${url.search}`,
      method: 'NOTIFY',
      headers: {
        // As the callback URL says (Node would put the zone into it, which servers refuse).
        HOST: url.host,
        'CONTENT-TYPE': XML_CONTENT_TYPE,
        'CONTENT-LENGTH': payload.length,
        NT: 'upnp:event',
        NTS: 'upnp:propchange',
        SID: sid,
        SEQ: String(seq),
        CONNECTION: 'close',
      },
      // A connection of its own: a subscriber that closes after each answer must not leave the
      // next NOTIFY on a socket it is shutting.
      agent: false,
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
