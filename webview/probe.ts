// Answers the host's probe: how many elements match a selector, and the first ones' text (for tests and diagnostics).
import type { WebviewMessage } from '../src/protocol';

const MAX_TEXTS = 50;

export function probe(id: number, selector: string, root: ParentNode = document): { result: Extract<WebviewMessage, { type: 'probeResult' }>; error?: string } {
  let nodes: NodeListOf<Element>;
  try {
    nodes = root.querySelectorAll(selector);
  } catch (e) {
    return {
      result: { type: 'probeResult', id, count: 0, texts: [] },
      error: `probe ${id}: invalid selector ${JSON.stringify(selector)}: ${(e as Error).message}`,
    };
  }
  const texts: string[] = [];
  for (let i = 0; i < nodes.length && i < MAX_TEXTS; i++) {
    texts.push((nodes[i].textContent ?? '').trim());
  }
  return { result: { type: 'probeResult', id, count: nodes.length, texts } };
}
