// API keys: kept in SecretStorage per endpoint origin; the OPENAI_API_KEY environment variable as a fallback.
import * as vscode from 'vscode';

const PREFIX = 'autodata.apiKey:';

export function originOf(baseURL: string): string {
  try { return new URL(baseURL).origin; } catch { return baseURL; }
}

/** Local endpoints (Ollama, vLLM, LM Studio on this machine) usually need no key. */
export function isLocal(baseURL: string): boolean {
  try { return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(baseURL).hostname); } catch { return false; }
}

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(baseURL: string): Promise<string | undefined> {
    const stored = await this.secrets.get(PREFIX + originOf(baseURL));
    if (stored) { return stored; }
    // The environment variable is meant for OpenAI itself; never send it to another host.
    if (originOf(baseURL) === 'https://api.openai.com') { return process.env.OPENAI_API_KEY || undefined; }
    return undefined;
  }

  set(baseURL: string, key: string): Thenable<void> { return this.secrets.store(PREFIX + originOf(baseURL), key.trim()); }
  clear(baseURL: string): Thenable<void> { return this.secrets.delete(PREFIX + originOf(baseURL)); }
}
