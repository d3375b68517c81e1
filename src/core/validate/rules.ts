// The device-independent checks of UDA 1.1, one rule each. Ids are stable (SARIF and test
// expectations name them); the spec text is what a report shows beside each finding.
import { defineRule } from './model';
import type { Rule } from './model';
import { RULES_DISCOVERY } from './discoveryRules';
import { RULES_CONTROL } from './control';
import { RULES_EVENTING } from './eventing';
import { RULES_CONTENT } from './content';

const rule = defineRule;

export const RULES = {
  // ---- description ----
  descriptionXml: rule('description/well-formed', 'description', 'error', 'The device description is a well-formed XML document (UDA 1.1 §2.3).'),
  descriptionRoot: rule('description/root', 'description', 'error', 'The description\'s top element is <root> in the namespace urn:schemas-upnp-org:device-1-0 (UDA 1.1 §2.3).'),
  specVersion: rule('description/spec-version', 'description', 'error', 'specVersion has major 1 and minor 0 or 1 (UDA 1.1 §2.3).'),
  required: rule('description/required', 'description', 'error', 'Every device has deviceType, friendlyName, manufacturer, modelName and UDN (UDA 1.1 §2.3).'),
  deviceType: rule('description/device-type', 'description', 'error', 'deviceType is urn:schemas-upnp-org:device:<type>:<version> or urn:<domain-name>:device:<type>:<version>, the version a whole number (UDA 1.1 §2.3).'),
  udnForm: rule('description/udn', 'description', 'error', 'UDN is "uuid:" followed by a UUID, 8-4-4-4-12 hexadecimal digits (UDA 1.1 §1.1.4, §2.3).'),
  udnUnique: rule('description/udn-unique', 'description', 'error', 'Every device, root or embedded, has its own UDN (UDA 1.1 §1.1.4).'),
  fieldLength: rule('description/field-length', 'description', 'warning', 'friendlyName and manufacturer have fewer than 64 characters, modelName and modelNumber fewer than 32, serialNumber fewer than 64, modelDescription fewer than 128; UPC is 12 digits (UDA 1.1 §2.3).'),
  serviceType: rule('description/service-type', 'description', 'error', 'serviceType is urn:schemas-upnp-org:service:<type>:<version> or urn:<domain-name>:service:<type>:<version> (UDA 1.1 §2.3).'),
  serviceId: rule('description/service-id', 'description', 'error', 'serviceId is urn:upnp-org:serviceId:<id> or urn:<domain-name>:serviceId:<id> (UDA 1.1 §2.3).'),
  serviceIdUnique: rule('description/service-id-unique', 'description', 'error', 'serviceId is unique within its device (UDA 1.1 §2.3).'),
  serviceUrls: rule('description/service-urls', 'description', 'error', 'Every service has SCPDURL, controlURL and eventSubURL (empty only when it has no evented variables), each a URL relative to the description or absolute (UDA 1.1 §2.3).'),
  urlBase: rule('description/url-base', 'description', 'warning', 'URLBase is deprecated in UDA 1.1: URLs are resolved against the description\'s own URL (UDA 1.1 §2.3).'),
  iconFields: rule('description/icon-fields', 'description', 'error', 'Every icon has mimetype, width, height, depth and url (UDA 1.1 §2.3).'),
  contentType: rule('description/content-type', 'description', 'warning', 'The description is served with Content-Type text/xml, charset utf-8 (UDA 1.1 §2.1).'),
  httpDate: rule('description/http-date', 'description', 'warning', 'The HTTP Date header is an RFC 1123 date (e.g. "Sun, 06 Nov 1994 08:49:37 GMT") with a believable time (HTTP/1.1 §14.18, which UDA 1.1 §2.1 follows).'),
  scpdLoads: rule('description/scpd-loads', 'description', 'error', 'Every SCPDURL resolves to the service description (UDA 1.1 §2.5).'),
  iconLoads: rule('description/icon-loads', 'description', 'error', 'Every icon URL loads, with the declared MIME type and size (UDA 1.1 §2.3).'),
  // ---- SCPD ----
  scpdXml: rule('scpd/well-formed', 'scpd', 'error', 'The service description is a well-formed XML document (UDA 1.1 §2.5).'),
  scpdRoot: rule('scpd/root', 'scpd', 'error', 'The SCPD\'s top element is <scpd> in the namespace urn:schemas-upnp-org:service-1-0 (UDA 1.1 §2.5).'),
  relatedVariable: rule('scpd/related-variable', 'scpd', 'error', 'Every argument names a state variable of the service in relatedStateVariable (UDA 1.1 §2.5).'),
  dataType: rule('scpd/data-type', 'scpd', 'error', 'dataType is one of the UPnP types: ui1, ui2, ui4, ui8, i1, i2, i4, i8, int, r4, r8, number, fixed.14.4, float, char, string, date, dateTime, dateTime.tz, time, time.tz, boolean, bin.base64, bin.hex, uri, uuid (UDA 1.1 §2.5).'),
  rangeOrder: rule('scpd/range-order', 'scpd', 'error', 'An allowedValueRange has minimum ≤ maximum and a positive step (UDA 1.1 §2.5).'),
  rangeType: rule('scpd/range-type', 'scpd', 'error', 'An allowedValueRange is given for a numeric variable, and its bounds are values of that type (UDA 1.1 §2.5).'),
  defaultAllowed: rule('scpd/default-value', 'scpd', 'error', 'A defaultValue is a value of the variable\'s type, inside its allowedValueRange or among its allowedValueList (UDA 1.1 §2.5).'),
  allowedListType: rule('scpd/allowed-list-type', 'scpd', 'warning', 'allowedValueList is for string variables (UDA 1.1 §2.5).'),
  argTypeEvented: rule('scpd/a-arg-type-evented', 'scpd', 'warning', 'A_ARG_TYPE_ variables only type arguments and are not evented: sendEvents="no" (UDA 1.1 §2.5).'),
  duplicateName: rule('scpd/duplicate-name', 'scpd', 'error', 'Action names, state variable names, and argument names within an action are unique (UDA 1.1 §2.5).'),
  argumentOrder: rule('scpd/argument-order', 'scpd', 'warning', 'An action lists its in arguments before its out arguments (UDA 1.1 §2.5).'),
} as const satisfies Record<string, Rule>;

export const ALL_RULES: readonly Rule[] = [...Object.values(RULES_DISCOVERY), ...Object.values(RULES), ...Object.values(RULES_CONTROL), ...Object.values(RULES_CONTENT), ...Object.values(RULES_EVENTING)];
