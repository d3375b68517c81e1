// The base of every part of the host that owns things to dispose (listeners, commands, views,
// emitters): the constructor pushes them on `disposables`; dispose() runs once, calls onDispose()
// for what is not a Disposable (timers, abort controllers, panels), then disposes the rest, the
// last registered first, each one even if an earlier one threw.
import type * as vscode from 'vscode';

export abstract class Feature implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  #disposed = false;

  /** Whether dispose() has run (or is running). */
  protected get isDisposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const errors: unknown[] = [];
    try {
      this.onDispose();
    } catch (err) {
      errors.push(err);
    }
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} disposables failed to dispose`);
  }

  /** What to stop besides the registered disposables; runs first. */
  protected onDispose(): void {
    // nothing by default
  }
}
