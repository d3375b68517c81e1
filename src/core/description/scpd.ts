// Service descriptions (SCPD, UDA "urn:schemas-upnp-org:service-1-0") -> ServiceScpd.
//
// As with device descriptions, only an unusable document throws; faults in single actions or
// state variables become Problems and the rest of the service stays usable.
import type { Action, ActionArgument, AllowedValueRange, Problem, ServiceScpd, StateVariable } from './model';
import { XmlError, attributeValue, childElement, childElements, childText, parseXml, parseXmlAsync } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { capProblems, readSpecVersion } from './device';

export const SERVICE_NAMESPACE = 'urn:schemas-upnp-org:service-1-0';

/** The SCPD cannot be used at all. The message says what is wrong. */
export class ScpdError extends Error {
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScpdError';
  }
}

/**
 * Parses a service's SCPD.
 * @throws ScpdError when the document is not XML or has no <scpd> top element.
 */
export function parseScpd(xml: string, scpdUrl: string): ServiceScpd {
  let top: XmlElement;
  try {
    top = parseXml(xml, `SCPD at ${scpdUrl}`);
  } catch (err) {
    throw asScpdError(err, scpdUrl);
  }
  return scpdFromXml(top, scpdUrl);
}

/** `parseScpd` reading the XML in slices, so a large or hostile SCPD never holds the event loop. */
export async function readScpd(xml: string, scpdUrl: string): Promise<ServiceScpd> {
  let top: XmlElement;
  try {
    top = await parseXmlAsync(xml, `SCPD at ${scpdUrl}`);
  } catch (err) {
    throw asScpdError(err, scpdUrl);
  }
  return scpdFromXml(top, scpdUrl);
}

function asScpdError(err: unknown, scpdUrl: string): unknown {
  return err instanceof XmlError ? new ScpdError(err.message, scpdUrl, { cause: err }) : err;
}

function scpdFromXml(top: XmlElement, scpdUrl: string): ServiceScpd {
  const what = `SCPD at ${scpdUrl}`;
  if (top.localName !== 'scpd') {
    throw new ScpdError(
      `${what} is not a service description: its top element is <${top.name}>, not <scpd>. ` +
      "Check the service's SCPDURL in the device description.", scpdUrl);
  }

  const problems: Problem[] = [];
  if (top.namespaceUri === undefined) {
    problems.push(warning(`<scpd> declares no namespace (expected xmlns="${SERVICE_NAMESPACE}"); read it anyway.`));
  } else if (top.namespaceUri !== SERVICE_NAMESPACE) {
    problems.push(warning(`<scpd> is in namespace "${top.namespaceUri}", not "${SERVICE_NAMESPACE}"; read it anyway.`));
  }
  const specVersion = readSpecVersion(top, problems);

  const table = childElement(top, 'serviceStateTable');
  if (!table) problems.push(warning('No <serviceStateTable>; argument types are unknown.'));
  const stateVariables = parseStateVariables(table, problems);
  const known = new Set(stateVariables.map((v) => v.name));
  const actions = parseActions(childElement(top, 'actionList'), known, problems);

  return { specVersion, actions, stateVariables, problems: capProblems(problems) };
}

function parseActions(list: XmlElement | undefined, known: ReadonlySet<string>, problems: Problem[]): Action[] {
  const actions: Action[] = [];
  const seen = new Set<string>();
  childElements(list, 'action').forEach((element, index) => {
    const name = childText(element, 'name') ?? '';
    if (name === '') {
      problems.push(warning(`Action ${index + 1} has no <name>; it cannot be invoked and was skipped.`));
      return;
    }
    if (seen.has(name)) problems.push(warning(`Action ${name} is declared twice.`));
    seen.add(name);
    const args: ActionArgument[] = [];
    childElements(childElement(element, 'argumentList'), 'argument').forEach((arg, argIndex) => {
      const parsed = parseArgument(arg, `Action ${name}`, argIndex, known, problems);
      if (parsed) args.push(parsed);
    });
    actions.push({ name, arguments: args });
  });
  return actions;
}

function parseArgument(element: XmlElement, owner: string, index: number, known: ReadonlySet<string>, problems: Problem[]): ActionArgument | undefined {
  const name = childText(element, 'name') ?? '';
  if (name === '') {
    problems.push(warning(`${owner}: argument ${index + 1} has no <name>; skipped.`));
    return undefined;
  }
  const rawDirection = childText(element, 'direction');
  let direction: 'in' | 'out' = 'in';
  const lowered = rawDirection?.toLowerCase();
  if (lowered === 'in' || lowered === 'out') {
    direction = lowered;
  } else {
    problems.push(warning(rawDirection === undefined || rawDirection === ''
      ? `${owner}: argument ${name} has no <direction>; treated as "in".`
      : `${owner}: argument ${name} has direction "${rawDirection}" (expected "in" or "out"); treated as "in".`));
  }
  const relatedStateVariable = childText(element, 'relatedStateVariable') ?? '';
  if (relatedStateVariable === '') {
    problems.push(warning(`${owner}: argument ${name} has no <relatedStateVariable>; its type is unknown.`));
  } else if (!known.has(relatedStateVariable)) {
    problems.push(warning(`${owner}: argument ${name} refers to state variable ${relatedStateVariable}, which the service state table does not declare; its type is unknown.`));
  }
  return { name, direction, relatedStateVariable, retval: childElement(element, 'retval') !== undefined };
}

function parseStateVariables(table: XmlElement | undefined, problems: Problem[]): StateVariable[] {
  const variables: StateVariable[] = [];
  const seen = new Set<string>();
  childElements(table, 'stateVariable').forEach((element, index) => {
    const name = childText(element, 'name') ?? '';
    if (name === '') {
      problems.push(warning(`State variable ${index + 1} has no <name>; skipped.`));
      return;
    }
    if (seen.has(name)) problems.push(warning(`State variable ${name} is declared twice; the first is used.`));
    seen.add(name);
    const label = `State variable ${name}`;

    const dataTypeElement = childElement(element, 'dataType');
    let dataType = dataTypeElement?.text ?? '';
    if (dataType === '') {
      problems.push(warning(`${label} has no <dataType>; treated as string.`));
      dataType = 'string';
    }
    const extendedType = attributeValue(dataTypeElement, 'type') || undefined;

    // sendEvents is an attribute since UDA 1.0 final; some old stacks wrote a child element.
    const sendEvents = yesNo(attributeValue(element, 'sendEvents') ?? childText(element, 'sendEventsAttribute'), true, `${label}: sendEvents`, problems);
    const multicast = yesNo(attributeValue(element, 'multicast'), false, `${label}: multicast`, problems);

    const defaultElement = childElement(element, 'defaultValue');
    const allowedList = childElement(element, 'allowedValueList');
    const allowedValues = allowedList ? childElements(allowedList, 'allowedValue').map((v) => v.text) : undefined;
    if (allowedList && allowedValues?.length === 0) problems.push(warning(`${label} has an empty <allowedValueList>.`));

    variables.push({
      name,
      dataType,
      extendedType,
      sendEvents,
      multicast,
      defaultValue: defaultElement?.text,
      allowedValues,
      allowedValueRange: parseRange(childElement(element, 'allowedValueRange'), label, problems),
    });
  });
  return variables;
}

function parseRange(element: XmlElement | undefined, label: string, problems: Problem[]): AllowedValueRange | undefined {
  if (!element) return undefined;
  const minimum = childText(element, 'minimum') ?? '';
  const maximum = childText(element, 'maximum') ?? '';
  const step = childText(element, 'step') || undefined;
  if (minimum === '' || maximum === '') {
    problems.push(warning(`${label} has an <allowedValueRange> without ${minimum === '' ? '<minimum>' : '<maximum>'}; the range is ignored.`));
    return undefined;
  }
  return step === undefined ? { minimum, maximum } : { minimum, maximum, step };
}

function yesNo(value: string | undefined, fallback: boolean, label: string, problems: Problem[]): boolean {
  if (value === undefined || value === '') return fallback;
  const lowered = value.toLowerCase();
  if (lowered === 'yes') return true;
  if (lowered === 'no') return false;
  problems.push(warning(`${label} is "${value}" (expected "yes" or "no"); using "${fallback ? 'yes' : 'no'}".`));
  return fallback;
}

function warning(message: string): Problem {
  return { severity: 'warning', message };
}
