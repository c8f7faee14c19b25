// What the CLI prints while it runs: one redrawn progress line on a terminal, plain lines otherwise.
import { costOf, type PriceTable } from '../core/budget';
import type { EngineEvent } from '../shared/events';
import type { Role, Usage } from '../shared/schemas';

export interface Output {
  stdout(text: string): void;
  /** A terminal: the progress line is redrawn in place. */
  tty?: boolean;
  columns?: number;
}

export class Progress {
  private done = 0;
  private accepted = 0;
  private review = 0;
  private attempts = 0;
  private current = '';
  /** The progress line as last drawn (undefined: not on screen). */
  private drawn: string | undefined;
  /** The latest running totals per run and role, and each run's cost so far. */
  private readonly usage = new Map<string, { promptTokens: number; completionTokens: number; calls: number; cachedTokens?: number }>();
  private readonly costs = new Map<string, number | undefined>();

  constructor(
    private readonly out: Output,
    private readonly sections: number,
  ) {}

  /** A line that stays (above the progress line on a terminal). */
  line(text: string): void {
    if (this.out.tty && this.drawn !== undefined) {
      this.out.stdout('\r\x1b[2K');
      this.drawn = undefined;
    }
    this.out.stdout(`${text}\n`);
    this.draw();
  }

  event(doc: string, e: EngineEvent): void {
    switch (e.type) {
      case 'run_started':
        this.plain(`${doc}: run ${e.runId}, ${e.targets.length} section(s)`);
        break;
      case 'run_resumed':
        this.plain(`${doc}: run ${e.runId} resumed, ${e.targets.length} section(s) to go`);
        break;
      case 'attempt_started':
        this.attempts++;
        this.current = `${doc} ${e.targetId} · attempt ${e.iteration}`;
        this.plain(`${doc} ${e.attemptId}: attempt ${e.iteration}`);
        break;
      case 'verdict':
        this.plain(`${doc} ${e.attemptId}: ${e.verdict.kind}${e.verdict.reasons.length ? ` (${e.verdict.reasons.join('; ')})` : ''}`);
        break;
      case 'item_accepted':
        this.accepted++;
        this.line(`accepted ${e.record.id}: ${oneLine(e.record.question, 100)}`);
        break;
      case 'review_needed':
        this.review++;
        this.line(`for review ${e.record.id}: ${oneLine(e.record.question, 100)}`);
        break;
      case 'target_finished':
        this.done++;
        break;
      case 'error':
        this.line(`${doc} ${e.attemptId ?? ''}: ${e.message}`);
        break;
      case 'waiting_endpoint':
        this.line(`${doc}: waiting for ${e.host} (${e.role}: ${oneLine(e.reason, 160)}), retrying in ${e.retryInSeconds} s`);
        break;
      case 'replica_set_aside':
        this.line(`${doc}: ${e.host} set aside (${oneLine(e.reason, 160)}); its replicas take its requests`);
        break;
      case 'endpoint_restored':
        this.line(`${doc}: ${e.host} answers again after ${e.seconds} s`);
        break;
      case 'usage':
        this.usage.set(`${e.runId}\0${e.role}`, e.totals);
        this.costs.set(e.runId, e.cost);
        break;
      default:
        break;
    }
    this.draw();
  }

  /** Every run's tokens priced with this table (batch mode compares with interactive prices), or undefined if one is unpriced. */
  costAt(prices: PriceTable, models: Partial<Record<Role, string>>): number | undefined {
    const byRun = new Map<string, Partial<Record<Role, Usage>>>();
    for (const [key, u] of this.usage) {
      const [run, role] = key.split('\0');
      byRun.set(run, { ...byRun.get(run), [role]: u });
    }
    let total = 0;
    for (const u of byRun.values()) {
      const c = costOf(u, models, prices);
      if (c === undefined) {
        return undefined;
      }
      total += c;
    }
    return byRun.size ? total : undefined;
  }

  /** Tokens of every run so far, with the share read from endpoints' prompt caches, and the cost when every model had a price. */
  usageLine(): string | undefined {
    const all = [...this.usage.values()];
    if (all.length === 0) {
      return undefined;
    }
    const sum = (f: (u: (typeof all)[number]) => number) => all.reduce((a, u) => a + f(u), 0);
    const prompt = sum((u) => u.promptTokens);
    const cached = sum((u) => u.cachedTokens ?? 0);
    const costs = [...this.costs.values()];
    const cost = costs.every((c) => c !== undefined) ? costs.reduce((a: number, c) => a + (c ?? 0), 0) : undefined;
    const n = (x: number) => x.toLocaleString('en-US');
    return (
      `tokens: ${n(prompt)} prompt${cached ? ` (${n(cached)} from the endpoints' prompt caches, ${Math.round((100 * cached) / Math.max(1, prompt))}%)` : ''}, ` +
      `${n(sum((u) => u.completionTokens))} completion in ${n(sum((u) => u.calls))} call(s)${cost !== undefined ? `; cost ${cost.toFixed(4)}` : ''}`
    );
  }

  /** Clears the progress line for good. */
  finish(): void {
    if (this.out.tty && this.drawn !== undefined) {
      this.out.stdout('\r\x1b[2K');
      this.drawn = undefined;
    }
  }

  get totals() {
    return { sections: this.done, accepted: this.accepted, review: this.review, attempts: this.attempts };
  }

  private plain(text: string): void {
    if (!this.out.tty) {
      this.out.stdout(`${text}\n`);
    }
  }

  private draw(): void {
    if (!this.out.tty) {
      return;
    }
    const width = 20;
    const filled = Math.round((this.done / Math.max(1, this.sections)) * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.sections} sections · ${this.accepted} accepted · ${this.review} review · ${this.attempts} attempts · ${this.current}`;
    const line = bar.slice(0, Math.max(20, (this.out.columns ?? 80) - 1));
    if (line === this.drawn) {
      return;
    }
    this.out.stdout(`\r\x1b[2K${line}`);
    this.drawn = line;
  }
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
