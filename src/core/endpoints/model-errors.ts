// Anything a request to an endpoint can throw, as a ModelError of the right kind: HTTP errors by status and body,
// stalls, refused or dropped connections, replies cut off or garbled, with credentials taken out of every message.
import OpenAI from 'openai';
import { IncompleteStreamError } from './replies';
import { MALFORMED_REPLY, ModelError, redact, roleSetting, statusError, who, type ErrorContext, type ErrorInfo } from './request-errors';
import { stallOf } from './transport';

/** The ModelError for an error thrown while asking `where` (a host, or the role, host and model). */
export function toError(e: unknown, where: string | ErrorContext, secrets: string[]): ModelError {
  const ctx: ErrorContext = typeof where === 'string' ? { host: where } : where;
  if (e instanceof ModelError) {
    return e;
  }
  if (e instanceof OpenAI.APIUserAbortError || (e instanceof Error && e.name === 'AbortError')) {
    return new ModelError('aborted', 'Cancelled');
  }
  if (e instanceof OpenAI.APIError && e.status !== undefined) {
    return statusError(e.status, infoOf(e), ctx);
  }
  return transportError(e, ctx, secrets);
}

function transportError(e: unknown, ctx: ErrorContext, secrets: string[]): ModelError {
  const w = who(ctx);
  const clean = (s: string) => redact(s, secrets);
  const stall = stallOf(e);
  if (stall || e instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError('timeout', `${w} did not answer in time${stall ? ` (${stall.message})` : ''}. Raise requestTimeoutSeconds, or check the server.`);
  }
  if (e instanceof IncompleteStreamError) {
    return new ModelError('cut_off', `${w}: ${e.message}`);
  }
  if (e instanceof OpenAI.APIConnectionError) {
    const code = causeCode(e);
    if (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return new ModelError(
        'unreachable',
        clean(
          `Cannot reach ${ctx.host}${ctx.role ? ` for ${ctx.role}` : ''} (${code}). Check ${roleSetting(ctx.role, 'baseUrl')} and that the server is running.`,
        ),
        undefined,
        undefined,
        code,
      );
    }
    return new ModelError('server', clean(`${w} closed the connection${code ? ` (${code})` : ''}: ${e.cause instanceof Error ? e.cause.message : e.message}`));
  }
  if (e instanceof SyntaxError) {
    return new ModelError('server', `${w} sent a reply that is not valid JSON`, undefined, undefined, MALFORMED_REPLY);
  }
  if (e instanceof TypeError && /terminated|other side closed/i.test(`${e.message} ${String(e.cause ?? '')}`)) {
    return new ModelError('server', `${w} closed the connection mid-reply`);
  }
  return new ModelError('server', clean(`${w}: ${e instanceof Error ? e.message : String(e)}`));
}

/** The normalized error an APIError carries (the transport puts every server's error body in OpenAI's shape). */
export function infoOf(e: InstanceType<typeof OpenAI.APIError>): ErrorInfo {
  const err = e.error as Partial<ErrorInfo> | undefined;
  const message = typeof err?.message === 'string' ? err.message : e.message.replace(/^\d{3}\s*/, '');
  return { message, type: err?.type ?? null, param: err?.param ?? null, code: err?.code ?? null };
}

function causeCode(e: unknown): string | undefined {
  for (let x: unknown = e, d = 0; x && d < 6; x = (x as { cause?: unknown }).cause, d++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
  }
  return undefined;
}

/** A body cut off, garbled or stalled after the status: the SDK does not retry these. */
export function isBrokenBody(e: unknown): boolean {
  return (
    e instanceof SyntaxError ||
    e instanceof IncompleteStreamError ||
    stallOf(e) !== undefined ||
    (e instanceof TypeError && /terminated|other side closed/i.test(`${e.message} ${String(e.cause ?? '')}`))
  );
}
