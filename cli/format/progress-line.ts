/**
 * One self-rewriting progress line on a terminal; plain log lines when not a TTY (CI, pipes),
 * at most one every few seconds so logs stay readable.
 */
export class ProgressLine {
  private lastPlain = 0;
  private active = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly plainIntervalMs = 5000) {}

  update({ label, fraction }: { label: string; fraction: number }): void {
    const pct = Math.max(0, Math.min(1, fraction));
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.round(pct * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.out.write(`\r\x1b[2K${bar} ${(pct * 100).toFixed(0).padStart(3)}% ${label}`);
      this.active = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= this.plainIntervalMs || pct >= 1) {
      this.lastPlain = now;
      this.out.write(`${(pct * 100).toFixed(0).padStart(3)}% ${label}\n`);
    }
  }

  log(message: string): void {
    if (this.active) this.out.write('\r\x1b[2K');
    this.out.write(message + '\n');
  }

  done(): void {
    if (this.active) this.out.write('\r\x1b[2K');
    this.active = false;
  }
}
