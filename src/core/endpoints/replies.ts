// Reads a chat completion, whole or streamed, into answers kept apart from reasoning (a `reasoning_content` or
// `reasoning` field, or tags in the content), finish reasons and usage, wherever the server put them.
import { ReasoningSplitter, splitReasoning } from './reasoning';

export interface ReplyChoice {
  text: string;
  reasoning: string;
  finishReason: string;
  refusal?: string;
}

export interface Reply {
  choices: ReplyChoice[];
  promptTokens: number;
  completionTokens: number;
  /** From `completion_tokens_details.reasoning_tokens`, when the server reports it. */
  reasoningTokens?: number;
  /** Of the prompt tokens, those the server read from its prompt cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens?: number;
  usageReported: boolean;
  /** Where reasoning was seen, so the endpoint's profile can say so. */
  seen: { field: boolean; tags: boolean; unopened: boolean };
}

/** A stream that ended before every choice had a finish reason: the answer may be cut anywhere. */
export class IncompleteStreamError extends Error {
  constructor() {
    super('the stream ended without a finish_reason (the answer was cut off)');
    this.name = 'IncompleteStreamError';
  }
}

type Usage =
  | {
      prompt_tokens?: number;
      completion_tokens?: number;
      completion_tokens_details?: { reasoning_tokens?: number } | null;
      prompt_tokens_details?: { cached_tokens?: number } | null;
    }
  | null
  | undefined;

function reasoningField(m: Record<string, unknown> | undefined): string {
  const v = m?.reasoning_content ?? m?.reasoning;
  return typeof v === 'string' ? v : '';
}

function usageOf(u: Usage): Pick<Reply, 'promptTokens' | 'completionTokens' | 'reasoningTokens' | 'cachedTokens'> {
  const r = u?.completion_tokens_details?.reasoning_tokens;
  const c = u?.prompt_tokens_details?.cached_tokens;
  return {
    promptTokens: u?.prompt_tokens ?? 0,
    completionTokens: u?.completion_tokens ?? 0,
    reasoningTokens: typeof r === 'number' ? r : undefined,
    ...(typeof c === 'number' && c > 0 ? { cachedTokens: c } : {}),
  };
}

/** A whole (not streamed) completion; `unopened`: the endpoint's template opens the thinking block. */
export function readCompletion(res: { choices?: unknown[]; usage?: Usage }, unopened = false): Reply {
  const seen = { field: false, tags: false, unopened: false };
  const choices = (res.choices ?? []).map((raw) => {
    const c = raw as { message?: Record<string, unknown>; finish_reason?: string | null };
    const content = typeof c.message?.content === 'string' ? c.message.content : '';
    const field = reasoningField(c.message);
    const split = splitReasoning(content, unopened && c.finish_reason === 'length');
    if (field) {
      seen.field = true;
    }
    if (split.content !== content) {
      seen.tags = true;
      seen.unopened ||= /<\/think(ing)?>/i.test(content) && !/<think(ing)?>/i.test(content);
    }
    const refusal = typeof c.message?.refusal === 'string' && c.message.refusal ? c.message.refusal : undefined;
    return { text: split.content, reasoning: [field, split.reasoning].filter(Boolean).join('\n'), finishReason: c.finish_reason ?? 'unknown', refusal };
  });
  return { choices, ...usageOf(res.usage), usageReported: Boolean(res.usage), seen };
}

/** Gathers a stream's chunks; answer text (never reasoning) is passed on as it arrives. */
export class StreamReader {
  private readonly raw = new Map<number, string>();
  private readonly shown = new Map<number, string>();
  private readonly reasoning = new Map<number, string>();
  private readonly finish = new Map<number, string>();
  private readonly refusal = new Map<number, string>();
  private readonly splitters = new Map<number, ReasoningSplitter>();
  private usage: Usage;
  private sawField = false;

  constructor(
    private readonly n: number,
    private readonly startsInside: boolean,
    private readonly onText?: (index: number, text: string) => void,
  ) {}

  add(chunk: { choices?: unknown[]; usage?: Usage; x_groq?: { usage?: Usage } }): void {
    for (const raw of chunk.choices ?? []) {
      const c = raw as { index?: number; delta?: Record<string, unknown>; finish_reason?: string | null };
      const i = c.index ?? 0;
      if (i >= this.n) {
        continue;
      }
      if (!this.raw.has(i)) {
        this.raw.set(i, '');
        this.reasoning.set(i, '');
        this.splitters.set(i, new ReasoningSplitter(this.startsInside));
      }
      const field = reasoningField(c.delta);
      if (field) {
        this.sawField = true;
        this.reasoning.set(i, this.reasoning.get(i)! + field);
      }
      const piece = typeof c.delta?.content === 'string' ? c.delta.content : '';
      if (piece) {
        this.raw.set(i, this.raw.get(i)! + piece);
        this.show(i, this.splitters.get(i)!.push(piece).content);
      }
      if (typeof c.delta?.refusal === 'string' && c.delta.refusal) {
        this.refusal.set(i, (this.refusal.get(i) ?? '') + c.delta.refusal);
      }
      if (c.finish_reason) {
        this.finish.set(i, c.finish_reason);
      }
    }
    const u = chunk.usage ?? chunk.x_groq?.usage;
    if (u) {
      this.usage = u;
    }
  }

  private show(i: number, text: string): void {
    if (!text) {
      return;
    }
    this.shown.set(i, (this.shown.get(i) ?? '') + text);
    this.onText?.(i, text);
  }

  /** The reply; throws IncompleteStreamError when a choice never got its finish reason. */
  end(): Reply {
    const indices = [...this.raw.keys()].sort((a, b) => a - b);
    if (indices.some((i) => !this.finish.has(i))) {
      throw new IncompleteStreamError();
    }
    const seen = { field: this.sawField, tags: false, unopened: false };
    const choices = indices.map((i) => {
      const splitter = this.splitters.get(i)!;
      this.show(i, splitter.end().content);
      seen.tags ||= splitter.sawTags;
      seen.unopened ||= splitter.sawUnopenedClose;
      const split = splitReasoning(this.raw.get(i)!, this.startsInside && this.finish.get(i) === 'length');
      const refusal = this.refusal.get(i);
      return {
        text: split.content,
        reasoning: [this.reasoning.get(i), split.reasoning].filter(Boolean).join('\n'),
        finishReason: this.finish.get(i)!,
        refusal,
      };
    });
    return { choices, ...usageOf(this.usage), usageReported: Boolean(this.usage), seen };
  }
}
