// Facts about an endpoint's base URL shared by the extension and the CLI: its origin (keys are per origin), whether it
// is on this machine, and new run ids.
import { randomBytes } from 'node:crypto';

export function originOf(baseURL: string): string {
  try {
    return new URL(baseURL).origin;
  } catch {
    return baseURL;
  }
}

/** Every base URL an endpoint sends to: its own, then its replicas, each once. */
export function baseURLsOf(ep: { baseURL: string; replicas?: readonly string[] }): string[] {
  return [...new Set([ep.baseURL, ...(ep.replicas ?? [])])];
}

/** Endpoints on this machine (Ollama, vLLM, LM Studio) usually need no key. */
export function isLocal(baseURL: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(baseURL).hostname);
  } catch {
    return false;
  }
}

/** A run id that sorts by start time and stays unique across processes and machines: `YYYYMMDD-HHMMSS-<hex>[suffix]`. */
export function newRunId(suffix = ''): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${randomBytes(4).toString('hex')}${suffix}`;
}

/** A base URL with a user name or password in it: refused, since it would travel into messages, journals and logs. */
export function hasCredentials(baseURL: string): boolean {
  try {
    const u = new URL(baseURL);
    return Boolean(u.username || u.password);
  } catch {
    return false;
  }
}

/** The URL without any user name or password, for messages. */
export function redactUrl(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return baseURL.replace(/\/\/[^/@]*@/, '//');
  }
}
