// Crash safety in the real VS Code: start a generation from the command palette, kill the extension host with SIGKILL
// in the middle of the run (items already appended, an iteration in flight), let VS Code restart it, run
// "Autodata: Resume Run" from the palette, and check that the dataset is valid JSONL with every accepted item exactly
// once and that the run's journal ends completed.
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const path = require('path');
require('tsx/cjs');
const { startScriptedServer } = require('../fakes/openai-server.ts');
const { MODELS, scriptRoles } = require('../fakes/scripted-roles.ts');
const { until, writeSettings, scriptedSettings, settingsApplied, lines } = require('./scripted-workbench');

const GOOD = { weak: [0.3, 0.5, 0.4], strong: [0.8, 0.9, 0.7] };

/** @typedef {{ pid: number, ppid: number, args: string }} ProcessRow One line of `ps -eo pid=,ppid=,args=`. */

/**
 * The extension host processes of this check's VS Code server (found through the server's data dir in its args).
 * @param {string} scratch
 * @returns {number[]}
 */
function extensionHosts(scratch) {
  const rows = /** @type {ProcessRow[]} */ (
    execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
        return m && { pid: Number(m[1]), ppid: Number(m[2]), args: m[3] };
      })
      .filter(Boolean)
  );
  const servers = new Set(rows.filter((r) => r.args.includes(path.join(scratch, 'server')) && r.args.includes('server-main')).map((r) => r.pid));
  const under = (/** @type {ProcessRow} */ r) => {
    for (let /** @type {ProcessRow | undefined} */ p = r, i = 0; p && i < 20; i++) {
      if (servers.has(p.ppid)) {
        return true;
      }
      const parent = p.ppid;
      p = rows.find((x) => x.pid === parent);
    }
    return false;
  };
  return rows.filter((r) => /extensionHost/.test(r.args) && under(r)).map((r) => r.pid);
}

/** @param {import('../runners/run-server-tests').UiCheckContext} context */
exports.check = async function check({ workbench, scratch, workspace, screenshot }) {
  const script = scriptRoles([GOOD], { solverLatencyMs: 400, judgeLatencyMs: 100 });
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS) });
  try {
    writeSettings(scratch, scriptedSettings(server.baseURL, MODELS));
    await settingsApplied(scratch, 'judge', MODELS.judge, server.baseURL);
    await workbench.activeTab().filter({ hasText: 'paper.md' }).waitFor({ timeout: 20000 });
    await workbench.runCommand('Autodata: Generate from Document');
    const dataset = path.join(workspace, '.autodata', 'dataset.jsonl');
    await until(async () => lines(dataset).length >= 2, 'two accepted items', 60000);
    const hosts = extensionHosts(scratch);
    assert.ok(hosts.length >= 1, 'found the extension host process');
    const before = lines(dataset).length;
    assert.ok(before < 5, `killed mid-run, after ${before} of 5 items`);
    // A host listed by ps may have exited since (VS Code starts and stops short-lived hosts): at least one must be killed.
    const killed = hosts.filter((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
        return true;
      } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ESRCH') {
          return false;
        }
        throw e;
      }
    });
    assert.ok(killed.length >= 1, 'killed a running extension host');
    await screenshot('crash-killed');

    // The person reloads the window (a new extension host), then resumes the run from the palette.
    await workbench.reload();
    await until(
      async () => {
        const now = extensionHosts(scratch);
        return now.length > 0 && now.every((p) => !hosts.includes(p));
      },
      'a restarted extension host',
      60000,
    );
    await workbench.runCommand('Autodata: Resume Run');
    const runs = path.join(workspace, '.autodata', 'runs');
    const journal = () => {
      const f = require('fs')
        .readdirSync(runs)
        .filter((n) => n.endsWith('.jsonl'));
      return f.length === 1 ? path.join(runs, f[0]) : undefined;
    };
    await until(
      async () => {
        const j = journal();
        const last = j && lines(j).at(-1);
        return last && JSON.parse(last).type === 'run_finished' && JSON.parse(last).outcome === 'completed';
      },
      'the resumed run to complete',
      90000,
    );
    const records = lines(dataset).map((l) => JSON.parse(l));
    const ids = records.map((r) => r.id);
    assert.strictEqual(ids.length, 5, `dataset ids: ${ids.join(', ')}`);
    assert.strictEqual(new Set(ids).size, 5, 'every accepted item exactly once');
    await screenshot('crash-resumed');
    return `killed the extension host after ${before} of 5 items; Resume Run finished the run; the dataset holds 5 valid lines, each id once`;
  } finally {
    await server.close();
  }
};
