// The device side as one library: what the extension loads the first time the user hosts, clones
// or creates a device (with src/onDemand.ts, as dist/ondemand.js), and what a script can use to host one.
export { DefinitionError, HostedDevice } from './hostedDevice';
export type { HostedDeviceOptions, HostedLogEntry } from './hostedDevice';
export { loadDeviceDefinition } from './definition';
export type { DefinitionProblem, DeviceDefinition, LoadedDefinition } from './definition';
export { MANIFEST_FILE, isSafeRelativePath, readManifest } from './manifest';
export { DEVICE_TEMPLATES, writeTemplate } from './templates';
export type { DeviceTemplate, TemplateId } from './templates';
export { planClone, writeClone } from './clone';
export type { CloneAnswer, CloneInput, ClonePlan } from './clone';
export { locateJsonPath } from './jsonLocate';
