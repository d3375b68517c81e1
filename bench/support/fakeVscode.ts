// A stand-in for the `vscode` module, for benchmarks that run the extension's host code in plain
// Node (activation cost, tree redraw cost) where a real VS Code would add its own noise. It is not
// a mock of behaviour: every API call succeeds and does nothing, except the pieces whose results
// the code uses (configuration defaults, EventEmitter, Uri, TreeItem, the tree view's data
// provider). Never used by tests: those run in a real VS Code.
import Module from 'node:module';
import * as path from 'node:path';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  get fsPath(): string { return this.path; }
  static file(p: string): Uri { return new Uri('file', p); }
  static parse(s: string): Uri { return new Uri(s.split(':')[0] ?? 'file', s); }
  static joinPath(base: Uri, ...parts: string[]): Uri { return new Uri(base.scheme, path.posix.join(base.path, ...parts)); }
  with(): Uri { return this; }
  toString(): string { return `${this.scheme}://${this.path}`; }
}

class TreeItem {
  [key: string]: unknown;
  constructor(readonly label: unknown, readonly collapsibleState?: number) {}
}

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: { dispose(): unknown }[]): Disposable { return new Disposable(() => ds.forEach((d) => d.dispose())); }
  dispose(): void { this.fn(); }
}

/** Anything else: callable, constructible, every property another stub; awaiting it gives undefined. */
function stub(name: string): unknown {
  const target = function () { /* stub */ };
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'dispose') return () => undefined;
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return function* () { /* empty */ };
      return stub(`${name}.${String(prop)}`);
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`) as object,
  });
}

/** What the fake recorded that a benchmark may drive: registered tree data providers. */
export interface FakeVscode {
  readonly treeProviders: Map<string, { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): unknown; onDidChangeTreeData?: (l: Listener<unknown>) => unknown }>;
}

export function installFakeVscode(): FakeVscode {
  const state: FakeVscode = { treeProviders: new Map() };
  const configuration = { get: (_key: string, fallback?: unknown) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
  const api: Record<string, unknown> = {
    EventEmitter, Uri, TreeItem, Disposable,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ThemeIcon: class { constructor(readonly id: string, readonly color?: unknown) {} },
    ThemeColor: class { constructor(readonly id: string) {} },
    MarkdownString: class { isTrusted = false; supportHtml = false; constructor(readonly value = '') {} appendText(): this { return this; } appendMarkdown(): this { return this; } },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    UIKind: { Desktop: 1, Web: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    workspace: new Proxy({
      getConfiguration: () => configuration,
      onDidChangeConfiguration: () => new Disposable(),
      registerTextDocumentContentProvider: () => new Disposable(),
      workspaceFolders: undefined,
      isTrusted: false,
    }, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : stub(`workspace.${String(p)}`)) }),
    window: new Proxy({
      createTreeView: (id: string, options: { treeDataProvider: FakeVscode['treeProviders'] extends Map<string, infer P> ? P : never }) => {
        state.treeProviders.set(id, options.treeDataProvider);
        return stub(`treeView(${id})`);
      },
      registerWebviewViewProvider: () => new Disposable(),
    }, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : stub(`window.${String(p)}`)) }),
    commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
    languages: { createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }) },
    env: { uiKind: 1, remoteName: undefined, clipboard: { writeText: async () => undefined } },
    l10n: { t: (s: string) => s },
  };
  const vscode = new Proxy(api, { get: (t, p) => (p in t ? t[p as string] : stub(`vscode.${String(p)}`)) });
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    if (request === 'vscode') return vscode;
    return original.call(this, request, parent, isMain);
  };
  return state;
}

/** An ExtensionContext good enough for activate(): storage under a temporary folder. */
export function fakeExtensionContext(root: string, storage: string): unknown {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file(root),
    extensionPath: root,
    globalStorageUri: Uri.file(storage),
    storageUri: Uri.file(storage),
    logUri: Uri.file(storage),
    globalState: { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [] },
    workspaceState: { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [] },
    secrets: stub('secrets'),
    extensionMode: 1,
    asAbsolutePath: (p: string) => path.join(root, p),
  };
}
