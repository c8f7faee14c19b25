// What the CLI's config decides and keeps: domain presets under the file's own values, refusing weak = strong, and
// endpoint behaviour learned once and remembered in the workspace for the next run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { settingsFrom } from '../../../src/cli/config';
import { main, type CliIO } from '../../../src/cli/main';
import { endpointProfiles } from '../../../src/core/endpoints/profiles';
import { learnedEndpointsFile } from '../../../src/run/learned-endpoints';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { PROFILES } from '../../fakes/server-profiles';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';

const ROLES_CFG = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
const DOC = `# Routing\n\n## Method\n\n${'The router sends each token to the experts with the highest scores, and a temperature flattens those scores early in training so every expert gets gradient. '.repeat(6)}\n`;

function io(cwd: string): { io: CliIO; err: () => string } {
  let err = '';
  return {
    io: {
      stdout: () => undefined,
      stderr: (t) => {
        err += t;
      },
      env: {},
      cwd,
    },
    err: () => err,
  };
}

describe('CLI run settings', function () {
  this.timeout(30_000);
  let ws: string;
  let server: ScriptedServer | undefined;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-cli-settings-'));
    fs.writeFileSync(path.join(ws, 'doc.md'), DOC);
    endpointProfiles.forget();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it("a domain preset sets rollouts and rounds, and the file's own values still win", () => {
    const legal = settingsFrom({ preset: 'legal' }, ws);
    assert.deepEqual(legal.engine.rollouts, { weak: 5, strong: 3 });
    assert.equal(legal.engine.maxIterations, 15);
    assert.equal(legal.engine.earlyDecisions, false);
    const mine = settingsFrom({ preset: 'legal', rollouts: { weak: 7 }, maxIterations: 4 }, ws);
    assert.deepEqual(mine.engine.rollouts, { weak: 7, strong: 3 });
    assert.equal(mine.engine.maxIterations, 4);
    const verifiable = settingsFrom({ preset: 'verifiable' }, ws);
    assert.deepEqual(verifiable.engine.rollouts, { weak: 4, strong: 4 });
    assert.throws(() => settingsFrom({ preset: 'medical' }, ws), /preset must be one of cs, legal, verifiable/);
  });

  it('reads endpoint pins and the idle timeout, and refuses pins it does not know', () => {
    const s = settingsFrom({ endpoints: { 'o3-mini': { tokenLimit: 'max_completion_tokens', temperature: 'default_only' } }, requestIdleSeconds: 30 }, ws);
    assert.equal(s.endpoints['o3-mini'].tokenLimit, 'max_completion_tokens');
    assert.equal(s.idleTimeoutMs, 30_000);
    assert.throws(() => settingsFrom({ endpoints: { x: { tokenLimit: 'max_length' } } }, ws), /tokenLimit/);
  });

  it('reads the outage limit (default 300 s) and refuses one that is not a whole number of seconds', () => {
    assert.equal(settingsFrom({}, ws).outageLimitSeconds, 300);
    assert.equal(settingsFrom({ outageLimitSeconds: 45 }, ws).outageLimitSeconds, 45);
    assert.throws(() => settingsFrom({ outageLimitSeconds: -1 }, ws), /outageLimitSeconds/);
    assert.throws(() => settingsFrom({ outageLimitSeconds: 'soon' }, ws), /outageLimitSeconds/);
  });

  it('refuses to start when weak and strong are one model on one endpoint, unless told to run anyway', async () => {
    const script = scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] }]);
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS) });
    const same = { ...ROLES_CFG, weak: { model: MODELS.strong } };
    fs.writeFileSync(path.join(ws, 'cfg.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL }, roles: same, maxIterations: 1, recipeEvery: 0 }));
    const refused = io(ws);
    assert.equal(await main(['generate', 'doc.md', '--config', 'cfg.json'], refused.io), 2);
    assert.match(refused.err(), /weak and strong solvers are the same model \(strong-model at http:\/\/127\.0\.0\.1:\d+\/v1\).*--allow-same-model/s);
    assert.equal(server.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0, 'no request before the refusal');
    const anyway = io(ws);
    const code = await main(['generate', 'doc.md', '--config', 'cfg.json', '--allow-same-model'], anyway.io);
    assert.equal(code, 0, anyway.err());
    assert.ok(server.requests.some((r) => r.model === MODELS.strong));
  });

  it('remembers in the workspace what an endpoint refused, so the next run sends the right parameter at once', async () => {
    const reasoning = PROFILES.find((p) => p.name === 'openai-reasoning')!;
    const script = scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] }]);
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), profile: reasoning });
    fs.writeFileSync(path.join(ws, 'cfg.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL }, roles: ROLES_CFG, maxIterations: 1, recipeEvery: 0 }));
    const first = io(ws);
    assert.equal(await main(['generate', 'doc.md', '--config', 'cfg.json'], first.io), 0, first.err());
    assert.ok(
      server.requests.some((r) => r.status === 400 && r.body.max_tokens !== undefined),
      'the first run was refused max_tokens and adapted',
    );
    const saved = JSON.parse(fs.readFileSync(learnedEndpointsFile(ws), 'utf8')) as Record<string, { capabilities: { tokenLimit?: string } }>;
    assert.ok(
      Object.values(saved).some((p) => p.capabilities.tokenLimit === 'max_completion_tokens'),
      JSON.stringify(saved),
    );
    assert.doesNotMatch(JSON.stringify(saved), /Bearer|sk-/);

    // A new process (the store forgotten) reads the file back: no request of the second run is refused.
    endpointProfiles.forget();
    const before = server.requests.length;
    const second = io(ws);
    assert.equal(await main(['generate', 'doc.md', '--config', 'cfg.json'], second.io), 0, second.err());
    const taught = new Set(
      server.requests
        .slice(0, before)
        .filter((r) => r.status === 400)
        .map((r) => r.model),
    );
    assert.ok(taught.size >= 3, `several models were taught: ${[...taught].join(', ')}`);
    const later = server.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions') && taught.has(r.model));
    assert.ok(later.length > 0);
    assert.deepEqual(
      later.filter((r) => r.status === 400).map((r) => `${r.model}: ${Object.keys(r.body).join(',')}`),
      [],
      'no taught model refused the second time',
    );
  });
});
