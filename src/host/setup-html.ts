// The HTML of the Models view: one row per role (endpoint, model, whether the role has its own, the key's state) and,
// after Test Connection, what the check found per role and the fix for each failure. Plain HTML, no script: the
// buttons are command links.
import type { ConnectionReport } from '../core/connection';
import type { Role } from '../shared/schemas';

export const ROLE_LABEL: Record<Role, string> = {
  challenger: 'Challenger',
  quality: 'Quality check',
  weak: 'Weak solver',
  strong: 'Strong solver',
  judge: 'Judge',
  judge2: 'Second judge',
};

/** What the key column says: stored, none stored (and the endpoint is local, so maybe none is needed), or not used. */
export type KeyState = 'stored' | 'environment' | 'missing' | 'local' | 'not-needed';

export interface RoleRow {
  role: Role;
  baseURL: string;
  model: string;
  /** The role sets its own base URL / model (else it follows the shared one). */
  ownBaseUrl: boolean;
  ownModel: boolean;
  key: KeyState;
  origin: string;
  /** More base URLs serving the role's model, each with its own key state. */
  replicas?: Array<{ baseURL: string; key: KeyState }>;
  check?: RoleCheckView;
}

/** One role's Test Connection result, split into what a person checks in turn. */
export interface RoleCheckView {
  ok: boolean;
  /** undefined: not known (an earlier step failed). */
  reachable?: boolean;
  keyAccepted?: boolean;
  modelKnown?: boolean;
  answersJson?: boolean;
  capabilities: string[];
  message: string;
  fix?: string;
  ms: number;
}

export interface SetupNotice {
  level: 'info' | 'warning' | 'error';
  text: string;
  at: Date;
}

const KEY_TEXT: Record<KeyState, string> = {
  stored: 'stored',
  environment: 'from OPENAI_API_KEY',
  missing: 'none stored',
  local: 'none stored (local endpoint)',
  'not-needed': 'not needed',
};

/** What Test Connection's report says about each step of a connection, and the fix for the step that failed. */
export function checkView(report: ConnectionReport, key: KeyState): RoleCheckView {
  const k = report.kind;
  const reachable = report.ok || (k !== undefined && !['unreachable', 'timeout', 'aborted'].includes(k)) ? true : k === undefined ? undefined : false;
  const keyAccepted = report.ok ? true : k === 'auth' ? false : reachable && k !== 'server' && k !== 'rate_limit' ? true : undefined;
  const modelKnown = report.ok ? true : k === 'unknown_model' ? false : keyAccepted && k !== 'not_found' ? true : undefined;
  const capabilities: string[] = [];
  const p = report.profile;
  if (p) {
    const c = p.capabilities;
    capabilities.push(
      `family ${p.family}`,
      `JSON: ${c.responseFormat === 'json_schema' ? 'schema' : c.responseFormat === 'json_object' ? 'JSON mode' : 'extracted from text'}`,
      `budget: ${c.tokenLimit}`,
      c.temperature === 'default_only' ? 'default temperature only' : 'temperature: any',
      `n: ${c.n}`,
      c.reasons ? `reasons (${c.reasoning})` : 'no reasoning',
    );
  } else if (report.structured) {
    capabilities.push(`JSON: ${report.structured}`);
  }
  const fix = report.ok
    ? undefined
    : k === 'auth'
      ? key === 'missing' || key === 'local'
        ? 'No key is stored for this endpoint: run Set API Key.'
        : 'The endpoint refused the stored key: run Set API Key with a valid one.'
      : k === 'unreachable' || k === 'timeout'
        ? 'Check the base URL and that the server runs (Configure Models).'
        : k === 'unknown_model'
          ? 'Pick a model the endpoint lists (Configure Models).'
          : k === 'not_found'
            ? 'The base URL has no chat completions endpoint; it usually ends in /v1 (Configure Models).'
            : k === 'quota'
              ? 'Add credit to the account, or pick another endpoint.'
              : k === 'rate_limit'
                ? 'The endpoint is rate-limiting; try again later.'
                : 'See the message; Show Log has the details.';
  return {
    ok: report.ok,
    reachable,
    keyAccepted,
    modelKnown,
    answersJson: report.ok ? true : undefined,
    capabilities,
    message: report.message,
    fix,
    ms: report.ms,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function mark(v: boolean | undefined, what: string): string {
  const [cls, sym, word] = v === true ? ['yes', '✓', 'yes'] : v === false ? ['no', '✗', 'no'] : ['unknown', '–', 'not checked'];
  return `<td class="${cls}" data-check="${what}" title="${word}"><span aria-hidden="true">${sym}</span> ${word}</td>`;
}

export function setupHtml(opts: { rows: RoleRow[]; notices: SetupNotice[]; testedAt?: Date; cspSource: string; nonce: string }): string {
  const { rows, notices, testedAt } = opts;
  const tested = rows.some((r) => r.check);
  const role = (r: RoleRow) =>
    `<tr data-role="${r.role}">
  <th scope="row">${esc(ROLE_LABEL[r.role])}</th>
  <td class="endpoint">${esc(r.baseURL)}${r.ownBaseUrl ? ' <span class="own">own</span>' : ' <span class="shared">shared</span>'}${(r.replicas ?? [])
    .map(
      (x) =>
        `<div class="replica">replica ${esc(x.baseURL)}${x.key === 'missing' ? ` <span class="key" data-key="missing">${esc(KEY_TEXT.missing)}</span>` : ''}</div>`,
    )
    .join('')}</td>
  <td class="model">${esc(r.model)}${r.ownModel ? ' <span class="own">own</span>' : ' <span class="shared">shared</span>'}</td>
  <td class="key" data-key="${r.key}">${esc(KEY_TEXT[r.key])}</td>
</tr>`;
  const check = (r: RoleRow) => {
    const c = r.check;
    if (!c) {
      return `<tr data-role="${r.role}"><th scope="row">${esc(ROLE_LABEL[r.role])}</th><td colspan="6">not tested</td></tr>`;
    }
    return `<tr data-role="${r.role}" class="${c.ok ? 'ok' : 'failed'}">
  <th scope="row">${esc(ROLE_LABEL[r.role])}</th>
  ${mark(c.reachable, 'reachable')}
  ${mark(c.keyAccepted, 'key')}
  ${mark(c.modelKnown, 'model')}
  ${mark(c.answersJson, 'json')}
  <td class="capabilities">${c.capabilities.map(esc).join(' · ') || '–'}</td>
  <td class="result">${c.ok ? `answers in ${c.ms} ms` : `<span class="message">${esc(c.message)}</span>${c.fix ? `<div class="fix"><strong>Fix:</strong> ${esc(c.fix)}</div>` : ''}`}</td>
</tr>`;
  };
  const notice = (n: SetupNotice) =>
    `<li class="notice ${n.level}"><time>${n.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</time> ${esc(n.text)}</li>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${opts.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Autodata: Models</title>
<style nonce="${opts.nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 14px 0 6px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.3)); vertical-align: top; }
thead th { font-weight: 600; color: var(--vscode-descriptionForeground); }
.own, .shared { font-size: .85em; padding: 0 4px; border-radius: 3px; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.4)); }
.own { color: var(--vscode-charts-orange, #d18616); }
.shared { color: var(--vscode-descriptionForeground); }
.yes { color: var(--vscode-testing-iconPassed, #388a34); }
.no { color: var(--vscode-errorForeground, #f14c4c); font-weight: 600; }
.unknown { color: var(--vscode-descriptionForeground); }
.fix { margin-top: 4px; }
.capabilities { color: var(--vscode-descriptionForeground); }
ul.notices { list-style: none; padding: 0; margin: 8px 0; }
.notice { padding: 6px 8px; margin-bottom: 4px; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, #3794ff); background: var(--vscode-textBlockQuote-background); }
.notice.warning { border-left-color: var(--vscode-notificationsWarningIcon-foreground, #cca700); }
.notice.error { border-left-color: var(--vscode-notificationsErrorIcon-foreground, #f14c4c); }
.notice time { color: var(--vscode-descriptionForeground); margin-right: 6px; }
nav a { margin-right: 14px; }
a { color: var(--vscode-textLink-foreground); }
</style>
</head>
<body>
<h1>Autodata: models and connection</h1>
<nav>
  <a href="command:autodata.setApiKey">Set API Key</a>
  <a href="command:autodata.configureModels">Configure Models</a>
  <a href="command:autodata.testConnection">Test Connection</a>
  <a href="command:autodata.showLog">Show Log</a>
</nav>
${notices.length ? `<ul class="notices" aria-live="polite">${notices.map(notice).join('\n')}</ul>` : ''}
<h2>Roles</h2>
<table class="roles">
<thead><tr><th>Role</th><th>Endpoint</th><th>Model</th><th>API key</th></tr></thead>
<tbody>
${rows.map(role).join('\n')}
${rows.some((r) => r.role === 'judge2') ? '' : `<tr data-role="judge2" class="off"><th scope="row">${esc(ROLE_LABEL.judge2)}</th><td colspan="3">off: set its own model (Configure Models → Second judge) to have a second model grade every rollout</td></tr>`}
</tbody>
</table>
<p class="legend"><span class="shared">shared</span> follows <code>autodata.baseUrl</code> / <code>autodata.model</code> ("All roles" in Configure Models); <span class="own">own</span> is set for this role in <code>autodata.roles.&lt;role&gt;</code>.</p>
<h2>Connection${testedAt ? ` <small>(tested ${esc(testedAt.toLocaleTimeString())})</small>` : ''}</h2>
${
  tested
    ? `<table class="checks">
<thead><tr><th>Role</th><th>Reachable</th><th>Key accepted</th><th>Model known</th><th>Answers JSON</th><th>Capabilities detected</th><th>Result</th></tr></thead>
<tbody>
${rows.map(check).join('\n')}
</tbody>
</table>`
    : '<p class="untested">Not tested yet: <a href="command:autodata.testConnection">Test Connection</a> sends one tiny request per role.</p>'
}
</body>
</html>`;
}
