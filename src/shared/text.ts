// Messages built from parts: each part a sentence that ends once ("fetch failed. Check…", never "failed Check" or "server.. Type").

/** The text as one sentence: trimmed, ending in exactly one full stop (or its own ? ! …). */
export function sentence(text: string): string {
  const t = text.trim().replace(/\.{2,}$/, '.');
  return t === '' || /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** Sentences joined by one space; empty parts are left out. */
export function sentences(...parts: Array<string | undefined | false>): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map(sentence)
    .join(' ');
}
