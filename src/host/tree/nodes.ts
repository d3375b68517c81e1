// The Devices tree's node model: plain data built from the registry's snapshots, with ids that
// stay the same across refreshes (so VS Code keeps expansion and selection) and parent links
// (so TreeView.reveal works). No `vscode` here; devicesTreeProvider.ts turns nodes into TreeItems.
import type { Action, DeviceDescription, StateVariable } from '../../core/description/model';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { ContentNode } from '../content/contentNodes';
import { contentRootNode, isContainerNode, isContentDirectory } from '../content/contentNodes';

interface NodeBase {
  /** Unique in the whole tree and stable while the device exists. */
  readonly id: string;
  readonly parent: TreeNode | undefined;
  /** The root device this node belongs to (the snapshot it was built from). */
  readonly device: DiscoveredDevice;
}

export interface DeviceNode extends NodeBase {
  readonly kind: 'device';
  /** Root device: undefined until described. Embedded device: always set. */
  readonly description: DeviceDescription | undefined;
  readonly isRoot: boolean;
}

export interface ServiceNode extends NodeBase {
  readonly kind: 'service';
  readonly service: ServiceState;
}

export interface ActionNode extends NodeBase {
  readonly kind: 'action';
  readonly service: ServiceState;
  readonly action: Action;
}

export interface VariablesNode extends NodeBase {
  readonly kind: 'variables';
  readonly service: ServiceState;
}

export interface VariableNode extends NodeBase {
  readonly kind: 'variable';
  readonly service: ServiceState;
  readonly variable: StateVariable;
}

export interface MessageNode extends NodeBase {
  readonly kind: 'message';
  readonly severity: 'loading' | 'error';
  readonly message: string;
}

/** Content rows (ContentDirectory browsing) are fetched lazily by src/host/content/contentTree.ts. */
export type TreeNode = DeviceNode | ServiceNode | ActionNode | VariablesNode | VariableNode | MessageNode | ContentNode;

export function rootDeviceNode(device: DiscoveredDevice): DeviceNode {
  return { kind: 'device', id: `device:${device.key}`, parent: undefined, device, description: device.description?.device, isRoot: true };
}

/** Children of any node, built from the node's device snapshot. */
export function childrenOf(node: TreeNode): TreeNode[] {
  switch (node.kind) {
    case 'device': return deviceChildren(node);
    case 'service': return serviceChildren(node);
    case 'variables': return variableChildren(node);
    default: return [];
  }
}

export function hasChildren(node: TreeNode): boolean {
  if (node.kind === 'content') return isContainerNode(node);
  return node.kind === 'device' || node.kind === 'service' || node.kind === 'variables';
}

function deviceChildren(node: DeviceNode): TreeNode[] {
  const ids = new UniqueIds();
  const out: TreeNode[] = [];
  const { device } = node;
  if (node.isRoot && device.status === 'describing') {
    out.push(message(node, ids, 'loading', 'Fetching the description…'));
  }
  if (node.isRoot && device.status === 'error') {
    out.push(message(node, ids, 'error', device.error ?? 'The device could not be described.'));
  }
  const description = node.description;
  if (!description) return out;
  for (const embedded of description.devices) {
    out.push({
      kind: 'device', id: ids.make(`${node.id}/device:${embedded.udn}`), parent: node, device, description: embedded, isRoot: false,
    });
  }
  for (const service of device.services.filter((s) => s.deviceUdn === description.udn)) {
    out.push({ kind: 'service', id: ids.make(`${node.id}/service:${service.description.serviceId}`), parent: node, device, service });
  }
  return out;
}

function serviceChildren(node: ServiceNode): TreeNode[] {
  const ids = new UniqueIds();
  const { service, device } = node;
  if (service.scpdStatus === 'pending') return [message(node, ids, 'loading', 'Loading…')];
  if (service.scpdStatus === 'error' || !service.scpd) {
    return [message(node, ids, 'error', service.scpdError ?? 'The service description (SCPD) could not be read.')];
  }
  const out: TreeNode[] = [];
  // Browsing first: it is what a media server is opened for.
  if (isContentDirectory(service) && service.scpd.actions.some((a) => a.name === 'Browse')) {
    out.push(contentRootNode(node, service, ids.make(`${node.id}/content`)));
  }
  out.push(...service.scpd.actions.map((action) => ({
    kind: 'action' as const, id: ids.make(`${node.id}/action:${action.name}`), parent: node, device, service, action,
  })));
  if (service.scpd.stateVariables.length > 0) {
    out.push({ kind: 'variables', id: ids.make(`${node.id}/variables`), parent: node, device, service });
  }
  return out;
}

function variableChildren(node: VariablesNode): TreeNode[] {
  const ids = new UniqueIds();
  return (node.service.scpd?.stateVariables ?? []).map((variable) => ({
    kind: 'variable' as const, id: ids.make(`${node.id}/${variable.name}`), parent: node, device: node.device, service: node.service, variable,
  }));
}

function message(parent: TreeNode, ids: UniqueIds, severity: MessageNode['severity'], text: string): MessageNode {
  return { kind: 'message', id: ids.make(`${parent.id}/${severity}`), parent, device: parent.device, severity, message: text };
}

// Devices do send duplicates (two actions with one name, embedded devices sharing a UDN), and
// VS Code rejects a tree with two equal ids, so later duplicates get a counter.
class UniqueIds {
  private readonly seen = new Map<string, number>();
  make(id: string): string {
    const n = this.seen.get(id) ?? 0;
    this.seen.set(id, n + 1);
    return n === 0 ? id : `${id}#${n + 1}`;
  }
}
