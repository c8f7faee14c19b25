// Keyless models: any role can use a model from VS Code's Language Model API (e.g. the user's Copilot models) through
// the engine's ChatModel interface. That API has no structured-output mode, so JSON is asked for in the prompt and
// extracted, validated and repaired like any other reply.
import * as vscode from 'vscode';
import { ReasoningSplitter, splitReasoning } from '../core/endpoints/reasoning';
import { ModelError, withSchemaInstruction, type ChatModel, type ChatRequest, type ChatResult } from '../core/models';

export const LM_PREFIX = 'vscode-lm:';

/** `vscode-lm:<vendor>/<family>` (e.g. `vscode-lm:copilot/gpt-4o`), or `vscode-lm:<vendor>/<family>/<id>`. */
export function isLmModel(model: string): boolean {
  return model.startsWith(LM_PREFIX);
}

export function lmSelector(model: string): vscode.LanguageModelChatSelector {
  const [vendor, family, id] = model.slice(LM_PREFIX.length).split('/');
  return { ...(vendor ? { vendor } : {}), ...(family ? { family } : {}), ...(id ? { id } : {}) };
}

/** The spec a quick pick offers for a model the API lists. */
export function lmSpec(m: { vendor: string; family: string }): string {
  return `${LM_PREFIX}${m.vendor}/${m.family}`;
}

function toModelError(e: unknown, model: string): ModelError {
  if (e instanceof vscode.CancellationError) {
    return new ModelError('aborted', 'Cancelled');
  }
  if (e instanceof vscode.LanguageModelError) {
    if (e.code === vscode.LanguageModelError.NoPermissions.name) {
      return new ModelError('auth', `Autodata may not use ${model}: allow it when VS Code asks (consent), then run again. ${e.message}`);
    }
    if (e.code === vscode.LanguageModelError.Blocked.name) {
      return new ModelError('quota', `${model} is blocked or over its quota; try again later or pick another model: ${e.message}`);
    }
    if (e.code === vscode.LanguageModelError.NotFound.name) {
      return new ModelError('unknown_model', `${model} is not available: ${e.message}`);
    }
    return new ModelError('server', `${model} failed: ${e.message}`);
  }
  return new ModelError('server', `${model}: ${e instanceof Error ? e.message : String(e)}`);
}

export class VscodeLmModel implements ChatModel {
  readonly endpoint = 'VS Code language models';
  private chosen: Promise<vscode.LanguageModelChat> | undefined;

  constructor(readonly model: string) {}

  private select(): Promise<vscode.LanguageModelChat> {
    const chosen =
      this.chosen ??
      Promise.resolve(vscode.lm.selectChatModels(lmSelector(this.model))).then((ms) => {
        if (ms.length === 0) {
          this.chosen = undefined;
          throw new ModelError(
            'unknown_model',
            `No VS Code language model matches ${this.model}. Is the extension that provides it (e.g. GitHub Copilot Chat) installed and signed in? Pick one with "Autodata: Configure Models".`,
          );
        }
        return ms[0];
      });
    this.chosen = chosen;
    return chosen;
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const chat = await this.select();
    // The API has no system role: instructions go first, as a user message.
    const msgs = (req.json ? withSchemaInstruction(req.messages, req.json.schema) : req.messages).map((m) =>
      m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.content) : vscode.LanguageModelChatMessage.User(m.content),
    );
    const n = Math.max(1, req.n ?? 1);
    const once = async (index: number) => {
      const cts = new vscode.CancellationTokenSource();
      const abort = () => cts.cancel();
      req.signal?.addEventListener('abort', abort, { once: true });
      try {
        if (req.signal?.aborted) {
          throw new vscode.CancellationError();
        }
        const res = await chat.sendRequest(msgs, { justification: 'Autodata generates and grades training questions from your document.' }, cts.token);
        // Models served here may reason inline (<think>…</think>): only the answer is streamed, graded and kept.
        const splitter = new ReasoningSplitter();
        let text = '';
        for await (const piece of res.text) {
          text += piece;
          const part = splitter.push(piece).content;
          if (part) {
            req.onDelta?.(index, part);
          }
        }
        const tail = splitter.end().content;
        if (tail) {
          req.onDelta?.(index, tail);
        }
        return splitReasoning(text);
      } catch (e) {
        throw toModelError(e, this.model);
      } finally {
        req.signal?.removeEventListener('abort', abort);
        cts.dispose();
      }
    };
    const texts = await Promise.all(Array.from({ length: n }, (_, i) => once(i)));
    // Token counts come from the model's own tokenizer (the API reports no usage).
    const count = (s: string) => Promise.resolve(chat.countTokens(s)).catch(() => Math.ceil(s.length / 4));
    const promptTokens = (await count(req.messages.map((m) => m.content).join('\n'))) * n;
    const completionTokens = (await Promise.all(texts.map((t) => count(t.content + t.reasoning)))).reduce((a, b) => a + b, 0);
    return {
      choices: texts.map((t) => ({ text: t.content, finishReason: 'stop', ...(t.reasoning ? { reasoning: t.reasoning } : {}) })),
      promptTokens,
      completionTokens,
      calls: n,
    };
  }
}
