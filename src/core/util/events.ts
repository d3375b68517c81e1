// A minimal event emitter whose `event` is structurally a vscode.Event, so the host can hand it
// straight to VS Code APIs while the core stays free of the `vscode` module.

export interface DisposableLike {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;
export type EventLike<T> = (listener: Listener<T>) => DisposableLike;

export class Emitter<T> implements DisposableLike {
  private listeners = new Set<Listener<T>>();

  readonly event: EventLike<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (err) {
        // A faulty listener must not break discovery for the others.
        queueMicrotask(() => { throw err; });
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Structural stand-in for vscode.CancellationToken. */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): DisposableLike;
}

/** Logging sink the core writes to; the host passes a LogOutputChannel, tests a collector. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
