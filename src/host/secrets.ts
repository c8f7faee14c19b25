// API keys: kept in SecretStorage per endpoint origin; the OPENAI_API_KEY environment variable as a fallback.
import * as vscode from 'vscode';

const PREFIX = 'autodata.apiKey:';

import { baseURLsOf, isLocal, originOf } from '../core/endpoint';
import type { EndpointConfig } from '../core/config';
import { UserError } from './user-error';
import { isLmModel } from './lm-model';

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

  /**
   * The key of every host the roles send to, replicas included, by origin. Keyless roles (VS Code language models) need
   * none; a remote host without a stored key is an error before anything runs.
   */
  async ring(roles: Iterable<EndpointConfig>): Promise<Map<string, string | undefined>> {
    const keys = new Map<string, string | undefined>();
    for (const r of roles) {
      for (const baseURL of isLmModel(r.model) ? [] : baseURLsOf(r)) {
        const origin = originOf(baseURL);
        if (keys.has(origin)) {
          continue;
        }
        const key = await this.get(origin);
        if (!key && !isLocal(baseURL)) {
          throw new UserError(`No API key stored for ${origin}. Set one with "Autodata: Set API Key".`, ['Set API Key', 'Open Settings']);
        }
        keys.set(origin, key);
      }
    }
    return keys;
  }

  set(baseURL: string, key: string): Thenable<void> {
    return this.secrets.store(PREFIX + originOf(baseURL), key.trim());
  }
  clear(baseURL: string): Thenable<void> {
    return this.secrets.delete(PREFIX + originOf(baseURL));
  }
}
