/**
 * One service's outage as the user is told of it: a line when it begins ("… unreachable since
 * 12:01:05"), a phrase on the progress line while it lasts, a line when it ends with its length.
 * Several observers may report the same outage (Temporal: the follow loop's failed calls and a
 * TCP probe); the earliest start counts and each transition is told once.
 */
import { formatDuration } from '../report/text.ts';
export class OutageNotice {
  private since: number | undefined;

  constructor(
    private readonly service: string,
    private readonly consequence: string,
    private readonly log: (line: string) => void,
  ) {}

  down(since = Date.now()): void {
    if (this.since !== undefined) {
      this.since = Math.min(this.since, since);
      return;
    }
    this.since = since;
    this.log(`${this.service} unreachable since ${clockTime(since)}; ${this.consequence}`);
  }

  up(now = Date.now()): void {
    if (this.since === undefined) return;
    this.log(`${this.service} reachable again (unreachable from ${clockTime(this.since)} for ${formatDuration((now - this.since) / 1000)})`);
    this.since = undefined;
  }

  /** The progress line's phrase, '' when the service answers. */
  text(): string {
    return this.since === undefined ? '' : `${this.service} unreachable since ${clockTime(this.since)}`;
  }
}

/** HH:MM:SS in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
