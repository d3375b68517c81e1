// The last evented value of each state variable of one subscribed service, for the Devices tree.
// Variables carried in LastChange are kept per instance and channel, because an event names only
// what changed: a Volume event for Master must not wipe the LF value seen earlier. No `vscode`.
import type { GenaEvent } from '../../core/gena/client';
import type { EventVariable } from '../../core/gena/propertyset';

export class EventedValues {
  /** variable name -> (instance/channel key, or '' for a plain variable) -> display value */
  private readonly values = new Map<string, Map<string, string>>();

  /** Records the values of one event. */
  apply(event: GenaEvent): void {
    for (const v of event.variables) this.applyVariable(v);
  }

  /** The display value of a variable, e.g. `PLAYING`, `Master 42, LF 40`; undefined when never evented. */
  get(name: string): string | undefined {
    const parts = this.values.get(name);
    if (!parts || parts.size === 0) return undefined;
    const plain = parts.get('');
    if (parts.size === 1 && plain !== undefined) return plain;
    return [...parts.entries()].map(([key, value]) => (key === '' ? value : `${key} ${value}`)).join(', ');
  }

  get size(): number {
    return this.values.size;
  }

  clear(): void {
    this.values.clear();
  }

  private applyVariable(v: EventVariable): void {
    const lc = v.lastChange;
    if (!lc || lc.instances.length === 0) {
      this.values.set(v.name, new Map([['', v.didl ? v.didl.summary : v.value]]));
      return;
    }
    const summary: string[] = [];
    for (const instance of lc.instances) {
      for (const change of instance.variables) {
        const key = [instance.instanceId !== '0' ? `#${instance.instanceId}` : '', change.channel ?? ''].filter((s) => s !== '').join(' ');
        const value = change.didl ? change.didl.summary : change.value;
        let parts = this.values.get(change.name);
        if (!parts) this.values.set(change.name, (parts = new Map()));
        // A plain value and per-channel values don't mix: the newer kind wins.
        if ((key === '') !== parts.has('')) parts.clear();
        parts.set(key, value);
        summary.push(`${change.name}${key ? ` ${key}` : ''}=${value}`);
      }
    }
    // LastChange's own row says what the last one changed.
    this.values.set(v.name, new Map([['', summary.join(', ')]]));
  }
}
