// Separates a model's reasoning from its answer: `<think>` blocks in the content (whole, unopened, or cut off), the
// harmony format's analysis channel, and, while a reply streams, tags split across chunks. The answer alone is graded.

// <think> (DeepSeek-R1, Qwen3, QwQ, gpt-oss served raw by some), <thinking>, and Kimi's ◁think▷.
const OPEN = /<(think|thinking)>|◁think▷/i;
const CLOSE = /<\/(think|thinking)>|◁\/think▷/i;
const TAGS = ['<think>', '<thinking>', '</think>', '</thinking>', '◁think▷', '◁/think▷'];
/** gpt-oss served raw: the answer follows the final channel's marker. */
const HARMONY_FINAL = '<|channel|>final<|message|>';

export interface Split {
  content: string;
  reasoning: string;
}

/**
 * The answer and the reasoning in a reply's text. A closing tag with no opening one before it closes a block the
 * prompt template opened (DeepSeek-R1's does); an opening tag never closed means the reply was cut off while reasoning.
 * `cutInside`: the template opens the block and the reply was cut off, so text with no closing tag is all reasoning.
 */
export function splitReasoning(text: string, cutInside = false): Split {
  const firstClose = text.search(CLOSE);
  const firstOpen = text.search(OPEN);
  let inside = firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen);
  if (cutInside && firstClose < 0) {
    return { content: '', reasoning: text.replace(OPEN, '').trim() };
  }
  if (firstOpen < 0 && firstClose < 0) {
    return harmony(text);
  }
  let content = '';
  let reasoning = '';
  let rest = text;
  while (rest) {
    const m = (inside ? CLOSE : OPEN).exec(rest);
    if (!m) {
      if (inside) {
        reasoning += rest;
      } else {
        content += rest;
      }
      break;
    }
    if (inside) {
      reasoning += rest.slice(0, m.index);
    } else {
      content += rest.slice(0, m.index);
    }
    rest = rest.slice(m.index + m[0].length);
    inside = !inside;
  }
  const inner = harmony(content);
  return { content: inner.content.trim(), reasoning: [reasoning.trim(), inner.reasoning].filter(Boolean).join('\n') };
}

function harmony(text: string): Split {
  const at = text.indexOf(HARMONY_FINAL);
  if (at < 0) {
    return { content: text, reasoning: '' };
  }
  const reasoning = text
    .slice(0, at)
    .replace(/<\|[a-z]+\|>/g, ' ')
    .replace(/\banalysis\b/, '')
    .trim();
  return {
    content: text
      .slice(at + HARMONY_FINAL.length)
      .replace(/<\|(return|end)\|>\s*$/, '')
      .trim(),
    reasoning,
  };
}

/**
 * Splits a streamed reply's pieces into answer and reasoning as they arrive, holding back a tail that may be the start
 * of a tag. `startsInside`: the template opens the block, so the reply begins with reasoning.
 */
export class ReasoningSplitter {
  private buf = '';
  private inside: boolean;
  /** A closing tag came with no opening one: the endpoint's template opens the block (worth remembering). */
  sawUnopenedClose = false;
  sawTags = false;
  /** The blank lines after a closing tag are not part of the answer. */
  private afterClose = false;

  constructor(startsInside = false) {
    this.inside = startsInside;
  }

  push(piece: string): Split {
    this.buf += piece;
    const out: Split = { content: '', reasoning: '' };
    for (;;) {
      const open = this.inside ? -1 : this.buf.search(OPEN);
      const close = this.buf.search(CLOSE);
      if (!this.inside && close >= 0 && (open < 0 || close < open)) {
        // Reasoning already passed on as answer text; the final text is split again from the whole reply.
        this.sawUnopenedClose = true;
        this.sawTags = true;
        out.content += this.answer(this.buf.slice(0, close));
        this.buf = this.buf.slice(close).replace(CLOSE, '');
        this.afterClose = true;
        continue;
      }
      const m = (this.inside ? CLOSE : OPEN).exec(this.buf);
      if (!m) {
        break;
      }
      this.sawTags = true;
      if (this.inside) {
        out.reasoning += this.buf.slice(0, m.index);
      } else {
        out.content += this.answer(this.buf.slice(0, m.index));
      }
      this.buf = this.buf.slice(m.index + m[0].length);
      this.inside = !this.inside;
      this.afterClose = !this.inside;
    }
    const keep = partialTagTail(this.buf);
    const ready = this.buf.slice(0, this.buf.length - keep);
    this.buf = this.buf.slice(ready.length);
    if (this.inside) {
      out.reasoning += ready;
    } else {
      out.content += this.answer(ready);
    }
    return out;
  }

  /** Whatever was held back, once the stream has ended. */
  end(): Split {
    const rest = this.buf;
    this.buf = '';
    return this.inside ? { content: '', reasoning: rest } : { content: this.answer(rest), reasoning: '' };
  }

  private answer(text: string): string {
    if (!this.afterClose) {
      return text;
    }
    const trimmed = text.trimStart();
    if (trimmed) {
      this.afterClose = false;
    }
    return trimmed;
  }
}

/** Length of the longest suffix of `s` that could grow into a tag. */
function partialTagTail(s: string): number {
  const lower = s.slice(-12).toLowerCase();
  for (let len = Math.min(lower.length, 11); len > 0; len--) {
    const tail = lower.slice(-len);
    if (TAGS.some((t) => t.startsWith(tail))) {
      return len;
    }
  }
  return 0;
}

/** The message for a reply whose whole budget went on reasoning, naming the setting that fixes it. */
export function reasoningSpentMessage(model: string, tokens: number, role: string | undefined): string {
  return `${model} spent its ${tokens} tokens reasoning; raise maxTokens for ${role ?? 'this role'}${role ? ` (roles.${role}.maxTokens)` : ''}`;
}
