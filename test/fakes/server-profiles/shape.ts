// Turns the role script's answer into what a profiled server sends: reasoning first (in a field, in tags, or only
// counted), the token budget enforced on both (reasoning spends it first), and the stream's pieces and usage.
import type { RecordedRequest } from '../openai-server';
import type { ServerProfile } from './profile';

export interface ShapedChoice {
  /** The message fields: content (with any tags), a reasoning field, refusal. */
  message: Record<string, unknown>;
  finishReason: string;
  /** What the stream sends: reasoning-field pieces, then content pieces. */
  reasoningPieces: string[];
  contentPieces: string[];
  completionTokens: number;
  reasoningTokens: number;
}

const tokens = (chars: number) => Math.ceil(chars / 4);

/** Reasoning text of exactly `n` tokens, with braces in it, so a JSON reader that sees it fails. */
export function reasoningFiller(n: number): string {
  const unit = 'Let me think: is {"draft": 1} right? Check. ';
  let s = '';
  while (s.length < n * 4) {
    s += unit;
  }
  return s.slice(0, n * 4);
}

/** The budget the server honours: the first parameter it reads that the request set; none means no limit. */
export function budgetOf(profile: ServerProfile, req: RecordedRequest): number {
  for (const p of profile.reads) {
    const v = req.body?.[p];
    if (typeof v === 'number') {
      return v;
    }
  }
  return Infinity;
}

function chop(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) {
    out.push(s.slice(i, i + size));
  }
  return out;
}

export function shapeChoice(profile: ServerProfile, req: RecordedRequest, c: { content: string; finishReason?: string; refusal?: string }): ShapedChoice {
  const limit = budgetOf(profile, req);
  const r = profile.reasoning === 'none' ? 0 : (profile.reasoningTokens ?? 0);
  let reasoning = reasoningFiller(r);
  let answer = c.content;
  let finishReason = c.finishReason ?? 'stop';
  let cutInside = false;
  if (r >= limit) {
    reasoning = reasoning.slice(0, limit * 4);
    answer = '';
    finishReason = 'length';
    cutInside = true;
  } else if (r + tokens(answer.length) > limit) {
    answer = answer.slice(0, (limit - r) * 4);
    finishReason = 'length';
  }
  const completionTokens = Math.min(r + tokens(c.content.length), limit);
  const reasoningTokens = Math.min(r, limit);
  const message: Record<string, unknown> = { role: 'assistant', content: answer, refusal: c.refusal ?? null };
  let reasoningPieces: string[] = [];
  let contentPieces = chop(answer, 40);
  if (profile.reasoning === 'reasoning' || profile.reasoning === 'reasoning_content') {
    if (reasoning) {
      message[profile.reasoning] = reasoning;
      reasoningPieces = chop(reasoning, 40);
    }
  } else if ((profile.reasoning === 'think_tags' || profile.reasoning === 'think_unopened') && r > 0) {
    const raw = `${profile.reasoning === 'think_tags' ? '<think>\n' : ''}${reasoning}${cutInside ? '' : '\n</think>\n\n'}${answer}`;
    message.content = raw;
    // Small pieces, so the tags straddle chunk boundaries the way real streams cut them.
    contentPieces = chop(raw, 11);
  }
  return { message, finishReason, reasoningPieces, contentPieces, completionTokens, reasoningTokens };
}
