// Messages between the action form webview and the extension host, declared once and imported by
// both sides. No `vscode`, no DOM: plain data that survives postMessage's structured clone.
//
// Every message the other side sends is untrusted until a guard here has checked its shape: the
// webview runs device strings, and the host must not act on a malformed request.
import type { StateVariable } from '../core/description/model';
import type { TypeKind } from '../core/soap/types';

/** How a field is edited; derived from the related state variable's type. */
export type FieldInput = 'text' | 'integer' | 'decimal' | 'checkbox' | 'choice' | 'multiline';

/** One in-argument of the action, as the form shows it. */
export interface FieldDescriptor {
  readonly name: string;
  readonly relatedStateVariable: string;
  /** The data type as the SCPD wrote it; '' when the SCPD lacks the state variable. */
  readonly dataType: string;
  readonly kind: TypeKind;
  readonly input: FieldInput;
  /** One line for the person at the form, e.g. "whole number between 0 and 4294967295". */
  readonly hint: string;
  /** Input format for date/time/uuid fields, e.g. `YYYY-MM-DD`. */
  readonly format?: string;
  readonly example?: string;
  /** The SCPD's defaultValue, else '' (checkbox: '0'). */
  readonly defaultValue: string;
  /** Suggestions from allowedValueList; other text is accepted too. */
  readonly allowedValues?: readonly string[];
  readonly minimum?: string;
  readonly maximum?: string;
  readonly step?: string;
  /** The state variable itself, so the webview checks values with the core's own rules. */
  readonly variable?: StateVariable;
}

export interface OutputDescriptor {
  readonly name: string;
  readonly dataType: string;
}

export interface ActionFormModel {
  /** Identifies the panel: root device, service and action. */
  readonly actionKey: string;
  /** `Browse — ContentDirectory — LEICA Q3`. */
  readonly title: string;
  readonly actionName: string;
  readonly serviceType: string;
  readonly serviceLabel: string;
  readonly deviceLabel: string;
  readonly controlUrl: string;
  readonly fields: readonly FieldDescriptor[];
  readonly outputs: readonly OutputDescriptor[];
}

/** An argument the SCPD does not declare, e.g. `<leica:X_FromCP xmlns:leica="urn:schemas-leica-com:leica">`. */
export interface ExtraArgInput {
  readonly name: string;
  readonly value: string;
  /** '' for an unqualified element. */
  readonly prefix: string;
  /** '' for an unqualified element. */
  readonly namespaceUri: string;
}

export interface OutputView {
  readonly name: string;
  readonly dataType: string;
  /** The value as the device sent it (XML already unescaped by the SOAP reader). */
  readonly value: string;
  /** Pretty-printed XML when the value holds an XML document (DIDL-Lite, LastChange, metadata). */
  readonly prettyXml?: string;
  /** Readable lines when the value is DIDL-Lite. */
  readonly didlLines?: readonly string[];
}

export type ResultView =
  | { readonly kind: 'ok'; readonly outputs: readonly OutputView[]; readonly problems: readonly string[] }
  | {
    readonly kind: 'fault';
    readonly code: number;
    readonly description: string;
    readonly meaning: string;
    readonly httpStatus: number;
    readonly problems: readonly string[];
  }
  | { readonly kind: 'failure'; readonly reason: string; readonly message: string; readonly httpStatus?: number }
  | { readonly kind: 'cancelled'; readonly message: string }
  /** The request could not be built (a bad vendor argument name, an invalid value). Nothing was sent. */
  | { readonly kind: 'invalid'; readonly message: string };

export interface HistoryEntryView {
  readonly id: string;
  /** ISO 8601. */
  readonly at: string;
  readonly actionName: string;
  readonly serviceLabel: string;
  /** `OK`, `Fault 701 No such object`, `Failed: …`. */
  readonly summary: string;
  readonly ok: boolean;
  /** `ObjectID=0, BrowseFlag=BrowseDirectChildren, …`. */
  readonly argsText: string;
}

// ---- host -> webview ----

export interface InitMessage {
  readonly type: 'init';
  readonly form: ActionFormModel;
  readonly values: Readonly<Record<string, string>>;
  readonly extras: readonly ExtraArgInput[];
  readonly history: readonly HistoryEntryView[];
}

/** Replace what the form holds (re-run from history). */
export interface SetValuesMessage {
  readonly type: 'setValues';
  readonly values: Readonly<Record<string, string>>;
  readonly extras: readonly ExtraArgInput[];
}

export interface RunningMessage {
  readonly type: 'running';
}

export interface ResultMessage {
  readonly type: 'result';
  readonly result: ResultView;
  /** The raw exchange as HTTP/1.1 text; absent when nothing was sent. */
  readonly raw?: string;
  readonly elapsedMs?: number;
  readonly startedAt?: string;
}

export interface HistoryMessage {
  readonly type: 'history';
  readonly entries: readonly HistoryEntryView[];
}

export type HostMessage = InitMessage | SetValuesMessage | RunningMessage | ResultMessage | HistoryMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  readonly type: 'ready';
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly values: Readonly<Record<string, string>>;
  readonly extras: readonly ExtraArgInput[];
}

export interface CancelMessage {
  readonly type: 'cancel';
}

/** Open the last raw exchange in an editor. */
export interface OpenRawMessage {
  readonly type: 'openRaw';
}

export interface CopyCurlMessage {
  readonly type: 'copyCurl';
}

export interface RerunMessage {
  readonly type: 'rerun';
  readonly id: string;
}

export type WebviewMessage = ReadyMessage | InvokeMessage | CancelMessage | OpenRawMessage | CopyCurlMessage | RerunMessage;

// ---- guards ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function isExtraArgInput(value: unknown): value is ExtraArgInput {
  return isRecord(value)
    && typeof value.name === 'string'
    && typeof value.value === 'string'
    && typeof value.prefix === 'string'
    && typeof value.namespaceUri === 'string';
}

function isExtraList(value: unknown): value is ExtraArgInput[] {
  return Array.isArray(value) && value.every(isExtraArgInput);
}

/** Checks a message from the webview before the host acts on it. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'cancel':
    case 'openRaw':
    case 'copyCurl':
      return true;
    case 'invoke':
      return isStringRecord(value.values) && isExtraList(value.extras);
    case 'rerun':
      return typeof value.id === 'string';
    default:
      return false;
  }
}

function isResultView(value: unknown): value is ResultView {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'ok':
      return Array.isArray(value.outputs) && value.outputs.every((o) => isRecord(o) && typeof o.name === 'string' && typeof o.value === 'string')
        && Array.isArray(value.problems);
    case 'fault':
      return typeof value.code === 'number' && typeof value.description === 'string' && typeof value.meaning === 'string';
    case 'failure':
    case 'cancelled':
    case 'invalid':
      return typeof value.message === 'string';
    default:
      return false;
  }
}

/** Checks a message from the host (the webview trusts nothing it did not check). */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'init':
      return isRecord(value.form) && Array.isArray(value.form.fields) && isStringRecord(value.values)
        && isExtraList(value.extras) && Array.isArray(value.history);
    case 'setValues':
      return isStringRecord(value.values) && isExtraList(value.extras);
    case 'running':
      return true;
    case 'result':
      return isResultView(value.result) && (value.raw === undefined || typeof value.raw === 'string');
    case 'history':
      return Array.isArray(value.entries);
    default:
      return false;
  }
}
