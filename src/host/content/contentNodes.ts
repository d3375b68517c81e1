// Rows of the "Content" subtree under a ContentDirectory service: the Content root, containers and
// items from Browse, a "Load more" row per partly loaded container, and loading/error rows.
// Plain data (no `vscode`); contentTree.ts fetches the children and turns rows into TreeItems.
import type { DidlObject } from '../../core/av/didl';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { TreeNode } from '../tree/nodes';

export type ContentEntry =
  /** The "Content" row: the ContentDirectory's root container, object id `0`. */
  | { readonly type: 'root' }
  | { readonly type: 'object'; readonly object: DidlObject }
  /** More children exist (or may exist) than are shown: a click fetches the next page. */
  | { readonly type: 'more'; readonly shown: number; readonly total?: number }
  | { readonly type: 'message'; readonly severity: 'loading' | 'error' | 'empty'; readonly message: string };

export interface ContentNode {
  readonly kind: 'content';
  /** Unique in the whole tree; built from the path of object ids, so stable across refreshes. */
  readonly id: string;
  readonly parent: TreeNode | undefined;
  readonly device: DiscoveredDevice;
  readonly service: ServiceState;
  readonly entry: ContentEntry;
}

/** The ContentDirectory service type, any version. */
export function isContentDirectory(service: ServiceState): boolean {
  return /:service:ContentDirectory:\d+$/.test(service.description.serviceType);
}

export function contentRootNode(parent: TreeNode, service: ServiceState, id: string): ContentNode {
  return { kind: 'content', id, parent, device: parent.device, service, entry: { type: 'root' } };
}

/** The Browse object id a row stands for: `0` for Content, the object's id for a container. */
export function containerIdOf(node: ContentNode): string | undefined {
  if (node.entry.type === 'root') return '0';
  if (node.entry.type === 'object' && node.entry.object.kind === 'container') return node.entry.object.id;
  return undefined;
}

export function isContentNode(value: unknown): value is ContentNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'content'
    && 'entry' in value && 'service' in value && 'device' in value;
}

/** Rows with children of their own: Content and containers. */
export function isContainerNode(node: ContentNode): boolean {
  return containerIdOf(node) !== undefined;
}

/** The object a row shows, if it shows one. */
export function objectOf(node: ContentNode): DidlObject | undefined {
  return node.entry.type === 'object' ? node.entry.object : undefined;
}
