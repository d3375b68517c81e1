// The "UPnP Host" channel: every search, answer, HTTP request, SOAP call and subscription of the
// hosted devices, one honest line each, prefixed with the device's name. A network can send
// thousands of searches a second: beyond MAX_LINES_PER_SECOND the lines of that second are
// counted, not written, and the count is written when the flood ends.
import type * as vscode from 'vscode';
import type { HostedLogEntry } from '../../device/index';

const MAX_LINES_PER_SECOND = 100;

export class HostLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly channel: vscode.LogOutputChannel, private readonly now: () => number = Date.now) {}

  write(device: string, entry: HostedLogEntry): void {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.inWindow = 0;
      this.flushSuppressed();
    }
    if (++this.inWindow > MAX_LINES_PER_SECOND) {
      this.suppressed++;
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        this.flushSuppressed();
      }, 1000);
      return;
    }
    const line = `[${device}] ${entry.message}`;
    if (entry.kind === 'refused' || entry.kind === 'warning') this.channel.warn(line);
    else this.channel.info(line);
  }

  /** For what is not a device's (start, stop, problems). */
  info(line: string): void {
    this.channel.info(line);
  }

  warn(line: string): void {
    this.channel.warn(line);
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushSuppressed();
  }

  private flushSuppressed(): void {
    if (this.suppressed === 0) return;
    this.channel.warn(`${this.suppressed} more lines not shown: more than ${MAX_LINES_PER_SECOND} a second (a search flood?)`);
    this.suppressed = 0;
  }
}
