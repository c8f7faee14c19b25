// Training formats from dataset records: chat SFT, GRPO prompts with rubric columns, DPO pairs from the run journals.
//
// What TRL expects, as we read its dataset-format and GRPO Trainer docs and GRPOTrainer's reward code (_calculate_rewards):
// - Formats are "standard" (plain strings) or "conversational" (lists of {role, content} messages); a trainer
//   applies the chat template itself to conversational data. SFT takes a `messages` column; preference trainers
//   (DPO) take `prompt`, `chosen`, `rejected`, where in the conversational form the prompt ends with the user turn and
//   chosen / rejected are the assistant turns that follow it.
// - GRPOTrainer takes a prompt-only dataset: a `prompt` column. Every other column of a row is handed to each reward
//   function as a keyword argument of the same name (a list, one value per generated completion), next to
//   `prompts`, `completions`, `completion_ids` and `trainer_state`; so a rubric reward reads `rubric` and
//   `reference_answer` straight from the dataset, and no column may take one of those reserved names.
// - `datasets.load_dataset("json", …)` builds Arrow tables from the lines in blocks, so every line needs the same
//   columns, the same key order and the same types: no null where other lines hold an object, and no number that is
//   an integer on one line and a float on another. Numbers meant as floats are therefore always written with a
//   decimal point (1 → 1.0), which JSON.stringify cannot do; `toJsonl` does.
import { z } from 'zod';
import type { EngineEvent } from '../shared/events';
import type { DatasetRecord, Rollout } from '../shared/schemas';

export const EXPORT_FORMATS = ['sft', 'grpo', 'dpo'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Conversational: lists of messages (the trainer applies the chat template); standard: plain strings. */
export type PromptStyle = 'conversational' | 'standard';

export const ChatTurn = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
export type ChatTurn = z.infer<typeof ChatTurn>;
const Conversation = z.array(ChatTurn).min(1);

/** Conversational SFT: the question and the reference answer; `id` traces a line back to its dataset record. */
export const SftRow = z.strictObject({ id: z.string().min(1), messages: Conversation });
export type SftRow = z.infer<typeof SftRow>;

export const GrpoRubricItem = z.strictObject({ criterion: z.string(), weight: z.number(), negative: z.boolean() });
export const GrpoRow = z.strictObject({
  prompt: z.union([z.string(), Conversation]),
  id: z.string().min(1),
  rubric: z.array(GrpoRubricItem).min(1),
  reference_answer: z.string(),
  source: z.strictObject({ path: z.string(), sha256: z.string(), start: z.number().int(), end: z.number().int(), quote: z.string() }),
  weak_mean: z.number(),
  strong_mean: z.number(),
});
export type GrpoRow = z.infer<typeof GrpoRow>;

/** Named like HuggingFaceH4/ultrafeedback_binarized, the usual DPO example dataset, whose extra columns trainers ignore. */
export const DpoRow = z.strictObject({
  id: z.string().min(1),
  prompt: z.union([z.string(), Conversation]),
  chosen: z.union([z.string(), Conversation]),
  rejected: z.union([z.string(), Conversation]),
  score_chosen: z.number(),
  score_rejected: z.number(),
});
export type DpoRow = z.infer<typeof DpoRow>;

/** Keyword arguments GRPOTrainer passes to reward functions itself: a column of that name would collide. */
export const GRPO_RESERVED_COLUMNS = ['prompts', 'completions', 'completion_ids', 'trainer_state', 'completion'] as const;

/** Keys whose numbers are written as floats, per format (see the header). */
export const FLOAT_KEYS: Record<ExportFormat, readonly string[]> = {
  sft: [],
  grpo: ['weight', 'weak_mean', 'strong_mean'],
  dpo: ['score_chosen', 'score_rejected'],
};

export interface ExportOptions {
  /** A system message put before the question. */
  system?: string;
  /** GRPO and DPO prompts (SFT is always conversational). Default: conversational. */
  style?: PromptStyle;
}

function promptOf(question: string, o: ExportOptions): string | ChatTurn[] {
  if ((o.style ?? 'conversational') === 'standard') {
    return o.system ? `${o.system}\n\n${question}` : question;
  }
  return [...(o.system ? [{ role: 'system' as const, content: o.system }] : []), { role: 'user', content: question }];
}

function answerOf(text: string, o: ExportOptions): string | ChatTurn[] {
  return (o.style ?? 'conversational') === 'standard' ? text : [{ role: 'assistant', content: text }];
}

export function toSft(records: readonly DatasetRecord[], o: Pick<ExportOptions, 'system'> = {}): SftRow[] {
  return records.map((r) => ({
    id: r.id,
    messages: [
      ...(o.system ? [{ role: 'system' as const, content: o.system }] : []),
      { role: 'user', content: r.question },
      { role: 'assistant', content: r.referenceAnswer },
    ],
  }));
}

export function toGrpo(records: readonly DatasetRecord[], o: ExportOptions = {}): GrpoRow[] {
  // Keys are written in one fixed order on every line (Arrow struct fields follow first appearance).
  return records.map((r) => ({
    prompt: promptOf(r.question, o),
    id: r.id,
    rubric: r.rubric.map((c) => ({ criterion: c.criterion, weight: c.weight, negative: c.negative })),
    reference_answer: r.referenceAnswer,
    source: { path: r.source.path, sha256: r.source.sha256, start: r.source.range.start, end: r.source.range.end, quote: r.source.quote },
    weak_mean: r.scores.weak.mean,
    strong_mean: r.scores.strong.mean,
  }));
}

/** Graded rollouts of each attempt, by dataset record id (`${runId}:${attemptId}`). */
export type RolloutIndex = Map<string, { weak?: Rollout[]; strong?: Rollout[] }>;

/** Indexes the `grades` events of run journals; a later grading of the same attempt and solver replaces an earlier one. */
export function indexRollouts(events: Iterable<EngineEvent>, into: RolloutIndex = new Map()): RolloutIndex {
  for (const e of events) {
    if (e.type !== 'grades') {
      continue;
    }
    const id = `${e.runId}:${e.attemptId}`;
    const entry = into.get(id) ?? {};
    entry[e.solver] = e.rollouts;
    into.set(id, entry);
  }
  return into;
}

export interface DpoSkipped {
  /** No graded rollouts in the journals given (journal missing, or a hand-made record). */
  noRollouts: number;
  /** No weak (or no strong) rollout with a score and a non-empty answer. */
  noWeak: number;
  noStrong: number;
  /** The best strong answer did not score above the worst weak one: no preference to learn. */
  noPreference: number;
}
export interface DpoExport {
  rows: DpoRow[];
  skipped: DpoSkipped;
}

const scored = (rs: readonly Rollout[] | undefined) => (rs ?? []).filter((r) => !r.failure && r.score !== undefined && r.answer.trim() !== '');

/**
 * One pair per record: the best-scored strong answer as chosen, the worst-scored weak answer as rejected (ties: the
 * lowest rollout index). Records without both, or where chosen would not outscore rejected, are skipped and counted.
 */
export function toDpo(records: readonly DatasetRecord[], rollouts: RolloutIndex, o: ExportOptions = {}): DpoExport {
  const skipped: DpoSkipped = { noRollouts: 0, noWeak: 0, noStrong: 0, noPreference: 0 };
  const rows: DpoRow[] = [];
  for (const r of records) {
    const graded = rollouts.get(r.id);
    if (!graded) {
      skipped.noRollouts++;
      continue;
    }
    const weak = scored(graded.weak);
    const strong = scored(graded.strong);
    if (weak.length === 0) {
      skipped.noWeak++;
      continue;
    }
    if (strong.length === 0) {
      skipped.noStrong++;
      continue;
    }
    const pick = (rs: Rollout[], better: (a: number, b: number) => boolean) =>
      rs.reduce((best, x) => (better(x.score!, best.score!) || (x.score === best.score && x.index < best.index) ? x : best));
    const chosen = pick(strong, (a, b) => a > b);
    const rejected = pick(weak, (a, b) => a < b);
    if (!(chosen.score! > rejected.score!)) {
      skipped.noPreference++;
      continue;
    }
    rows.push({
      id: r.id,
      prompt: promptOf(r.question, o),
      chosen: answerOf(chosen.answer, o),
      rejected: answerOf(rejected.answer, o),
      score_chosen: chosen.score!,
      score_rejected: rejected.score!,
    });
  }
  return { rows, skipped };
}

/** The rows as JSONL text, one line each; numbers under `floatKeys` always carry a decimal point. */
export function toJsonl(rows: readonly unknown[], floatKeys: readonly string[] = []): string {
  const floats = new Set(floatKeys);
  return rows.map((r) => `${jsonText(r, false, floats)}\n`).join('');
}

function jsonText(v: unknown, float: boolean, floats: ReadonlySet<string>): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw new TypeError(`cannot export the number ${v}: JSON has no such value`);
    }
    return float && Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toFixed(1) : JSON.stringify(v);
  }
  if (Array.isArray(v)) {
    return `[${v.map((x) => jsonText(x, float, floats)).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x, floats.has(k), floats)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export interface ExportResult {
  text: string;
  rows: number;
  skipped?: DpoSkipped;
}

/** One format's JSONL text for the records (DPO needs the journals' rollouts). */
export function exportRecords(format: ExportFormat, records: readonly DatasetRecord[], o: ExportOptions & { rollouts?: RolloutIndex } = {}): ExportResult {
  switch (format) {
    case 'sft': {
      const rows = toSft(records, o);
      return { text: toJsonl(rows, FLOAT_KEYS.sft), rows: rows.length };
    }
    case 'grpo': {
      const rows = toGrpo(records, o);
      return { text: toJsonl(rows, FLOAT_KEYS.grpo), rows: rows.length };
    }
    case 'dpo': {
      const { rows, skipped } = toDpo(records, o.rollouts ?? new Map(), o);
      return { text: toJsonl(rows, FLOAT_KEYS.dpo), rows: rows.length, skipped };
    }
  }
}
