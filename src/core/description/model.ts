// Typed models of what a device says about itself: its description document (UDA 1.x
// "device-1-0") and each service's SCPD ("service-1-0"). Everything here is plain data so it can
// cross into webviews and tests unchanged.

/** Something wrong with what a device sent. `error` means the part could not be used at all. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** Words a user can act on, e.g. "SCPD at http://… is not well-formed XML (line 3, column 7: …)". */
  readonly message: string;
}

/** A non-standard element kept as sent, e.g. `dlna:X_DLNADOC` or `leica:X_FirmVersion`. */
export interface VendorField {
  /** Qualified name as written in the document, e.g. `leica:X_FirmVersion`. */
  readonly name: string;
  /** Namespace URI when it could be resolved, e.g. `urn:schemas-leica-com:leica`. */
  readonly namespace?: string;
  readonly value: string;
}

export interface DeviceIcon {
  readonly mimetype: string;
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  /** Absolute URL, resolved against URLBase or the description's own URL. */
  readonly url: string;
}

export interface ServiceDescription {
  readonly serviceType: string;
  readonly serviceId: string;
  /** Absolute URLs; empty string when the device left the field out (see `problems`). */
  readonly scpdUrl: string;
  readonly controlUrl: string;
  readonly eventSubUrl: string;
  readonly problems: readonly Problem[];
}

export interface DeviceDescription {
  readonly deviceType: string;
  readonly friendlyName: string;
  readonly manufacturer: string;
  readonly manufacturerUrl?: string;
  readonly modelName: string;
  readonly modelNumber?: string;
  readonly modelDescription?: string;
  readonly modelUrl?: string;
  readonly serialNumber?: string;
  readonly udn: string;
  readonly upc?: string;
  /** Absolute URL. */
  readonly presentationUrl?: string;
  readonly icons: readonly DeviceIcon[];
  readonly services: readonly ServiceDescription[];
  readonly devices: readonly DeviceDescription[];
  readonly vendorFields: readonly VendorField[];
  readonly problems: readonly Problem[];
}

export interface RootDescription {
  readonly specVersion?: { readonly major: number; readonly minor: number };
  /** The base every relative URL was resolved against (URLBase, else the description URL). */
  readonly baseUrl: string;
  readonly urlBase?: string;
  readonly device: DeviceDescription;
  /** Problems with the document as a whole (namespace, specVersion, …). */
  readonly problems: readonly Problem[];
}

// ---- SCPD ----

export type ArgumentDirection = 'in' | 'out';

export interface ActionArgument {
  readonly name: string;
  readonly direction: ArgumentDirection;
  readonly relatedStateVariable: string;
  readonly retval: boolean;
}

export interface Action {
  readonly name: string;
  readonly arguments: readonly ActionArgument[];
}

export interface AllowedValueRange {
  readonly minimum: string;
  readonly maximum: string;
  readonly step?: string;
}

export interface StateVariable {
  readonly name: string;
  /** UPnP data type as written (`ui4`, `string`, `boolean`, …). */
  readonly dataType: string;
  /** UDA 2.0 extended type (`dataType@type`), when given. */
  readonly extendedType?: string;
  readonly sendEvents: boolean;
  readonly multicast: boolean;
  readonly defaultValue?: string;
  readonly allowedValues?: readonly string[];
  readonly allowedValueRange?: AllowedValueRange;
}

export interface ServiceScpd {
  readonly specVersion?: { readonly major: number; readonly minor: number };
  readonly actions: readonly Action[];
  readonly stateVariables: readonly StateVariable[];
  readonly problems: readonly Problem[];
}
