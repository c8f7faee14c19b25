// API keys: kept in SecretStorage per endpoint origin; the OPENAI_API_KEY environment variable as a fallback.
import * as vscode from 'vscode';

const PREFIX = 'autodata.apiKey:';

import { originOf } from '../core/endpoint';

export { isLocal, originOf } from '../core/endpoint';

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(baseURL: string): Promise<string | undefined> {
    const stored = await this.secrets.get(PREFIX + originOf(baseURL));
    if (stored) {
      return stored;
    }
    // The environment variable is meant for OpenAI itself; never send it to another host.
    if (originOf(baseURL) === 'https://api.openai.com') {
      return process.env.OPENAI_API_KEY || undefined;
    }
    return undefined;
  }

  /** Whether a key is stored for the endpoint (the environment variable does not count). */
  async stored(baseURL: string): Promise<boolean> {
    return Boolean(await this.secrets.get(PREFIX + originOf(baseURL)));
  }

  set(baseURL: string, key: string): Thenable<void> {
    return this.secrets.store(PREFIX + originOf(baseURL), key.trim());
  }
  clear(baseURL: string): Thenable<void> {
    return this.secrets.delete(PREFIX + originOf(baseURL));
  }
}
