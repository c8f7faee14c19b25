// A newcomer's first hour in the real VS Code (the browser route `npm start` uses), driven like a person and asserting
// what a person sees: the walkthrough opens on first use, key first → set the endpoint's key → Configure Models "All
// roles" (asked whether the roles with their own settings change too; the Models view shows the table) → one role →
// Developer: Reload Window (the key survives) → Test Connection (per-role results in the Models view) → Show Panel, Step,
// edit the question → Continue with the requests in flight shown → review: approve, edit then approve, reject → reload
// (the run's panel comes back) → Export (the file opens). Screenshots at every stage (scratch dir).
'use strict';
const assert = require('assert');
const path = require('path');
require('tsx/cjs');
const { jsonReply, startScriptedServer } = require('../fakes/openai-server.ts');
const { MODELS, scriptRoles } = require('../fakes/scripted-roles.ts');
const { until, lines, logLine, painted, escapeRe, autodataLog } = require('./scripted-workbench');

const KEY = 'sk-first-hour-0123456789';
const DEAD = 'http://127.0.0.1:9/v1'; // the weak solver's old server: nothing listens there
const NEAR = { weak: [0.4, 0.3, 0.3], strong: [0.6, 0.5, 0.6] };
const GOOD = { weak: [0.3, 0.5, 0.4], strong: [0.8, 0.9, 0.7] };
const EASY = { weak: [0.9, 0.8, 1], strong: [1, 0.9, 1] };

// A person who had set per-role models before, and an old server for the weak solver (issue 14 item 2).
exports.userSettings = {
  'workbench.welcomePage.walkthroughs.openOnInstall': true,
  'autodata.roles.challenger': { model: MODELS.challenger },
  'autodata.roles.quality': { model: MODELS.quality },
  'autodata.roles.judge': { model: MODELS.judge },
  'autodata.roles.weak': { baseUrl: DEAD, model: MODELS.weak },
  'autodata.maxRetries': 1,
};

exports.timeoutMs = 540000;

exports.check = async function check({ page, workbench, scratch, workspace, screenshot }) {
  const script = scriptRoles([NEAR, NEAR, NEAR, GOOD, EASY, GOOD, GOOD, GOOD], { solverLatencyMs: 1500, judgeLatencyMs: 50 });
  // Test Connection's ping ("Reply with {"ok": true}.") gets what it asks for; every other request goes to the roles' script.
  const isPing = (req) => req.schemaName === 'ping' || (req.messages ?? []).some((m) => String(m.content).includes('Reply with {"ok": true}.'));
  const respond = (req, info) => (isPing(req) && Object.values(MODELS).includes(req.model) ? jsonReply({ ok: true }) : script.respond(req, info));
  const server = await startScriptedServer({ respond, models: Object.values(MODELS), apiKey: KEY });
  const url = server.baseURL;
  const origin = new URL(url).origin;
  const quick = page.locator('.quick-input-widget');
  const titled = (text) => quick.locator('.quick-input-title', { hasText: text }).waitFor({ timeout: 20000 });
  const pick = async (title, row) => {
    await titled(title);
    // By the label the row starts with (another row's detail may mention it, as "All roles" does the weak solver).
    const r = workbench
      .quickPickRows()
      .filter({ hasText: new RegExp(`^\\W*${escapeRe(row)}`) })
      .first();
    await r.waitFor({ timeout: 20000 });
    await r.click();
  };
  const type = async (title, value) => {
    await titled(title);
    const input = quick.locator('input').first();
    await input.fill(value);
    await page.keyboard.press('Enter');
  };
  const visibleWebview = () => page.frameLocator('iframe.webview.ready:visible').first().frameLocator('#active-frame');
  const tab = (title) => page.locator('.tabs-container .tab', { hasText: title });
  /** The content of the webview shown in the tab with this title. */
  const view = async (title) => {
    await tab(title).first().click();
    return visibleWebview();
  };
  const seen = [];
  const shot = async (name, what) => {
    await painted(page);
    seen.push(`${name}: ${what}`);
    return screenshot(`first-hour-${String(seen.length).padStart(2, '0')}-${name}`);
  };

  try {
    // 1. First use: the walkthrough is open, the key comes before the models, and it speaks of five roles.
    const welcome = page.locator('.gettingStartedContainer');
    await welcome.getByText('Get started with Autodata').first().waitFor({ timeout: 60000 });
    const steps = await welcome.innerText();
    assert.ok(steps.indexOf("Set your endpoint's API key") < steps.indexOf('Choose models for the five roles'), 'key before models');
    assert.match(steps, /Test the connection/);
    await shot('walkthrough', 'the walkthrough opened on first use; key, then models for five roles, then Test Connection');

    // 2. The key first, for an endpoint no role uses yet.
    await workbench.runCommand('Autodata: Set API Key');
    await pick('Autodata: Set API Key', 'Another endpoint');
    await type('Base URL of the endpoint', url);
    await type(`API key for ${origin}`, KEY);
    await tab('Autodata: Models').waitFor({ timeout: 20000 });
    let models = await view('Autodata: Models');
    await models.locator('.notice', { hasText: `API key for ${origin} saved in secret storage` }).waitFor({ timeout: 20000 });
    await shot('key-set', 'Set API Key confirms in the Models view that stays open');

    // 3. Configure Models → All roles: the picker says the weak solver has its own server, and asks what to do with it.
    await workbench.runCommand('Autodata: Configure Models');
    await titled('Autodata: Configure Models');
    const allRoles = await workbench.quickPickRows().filter({ hasText: 'All roles' }).first().innerText();
    assert.match(allRoles, new RegExp(`Weak solver has its own model weak-model, endpoint ${escapeRe(DEAD)}`), allRoles);
    await pick('Autodata: Configure Models', 'All roles');
    await pick('Endpoint for all roles', 'Other OpenAI-compatible endpoint');
    await type('Base URL', url);
    await pick('Model for all roles', MODELS.strong);
    await titled('their own endpoint or model');
    const choices = (await workbench.quickPickRows().allInnerTexts()).join(' | ');
    assert.match(choices, /Every role/);
    assert.match(choices, /Clears the own settings of: .*Weak solver \(model weak-model, endpoint http:\/\/127\.0\.0\.1:9\/v1\)/);
    await shot('all-roles-choice', 'All roles asks whether the roles with their own endpoint or model change too');
    await pick('their own endpoint or model', "Keep the roles' own settings");
    models = await view('Autodata: Models');
    await models.locator('.notice', { hasText: `All roles: ${MODELS.strong} at ${url}.` }).waitFor({ timeout: 20000 });
    const weakRow = models.locator('table.roles tr[data-role="weak"]');
    assert.match(await weakRow.innerText(), new RegExp(`${escapeRe(DEAD)}\\s*own`));
    assert.match(await models.locator('table.roles tr[data-role="strong"]').innerText(), new RegExp(`${escapeRe(url)}\\s*shared[\\s\\S]*${MODELS.strong}`));
    await shot('all-roles-table', 'the Models view: every role, its endpoint and model; the weak solver kept its own server, as chosen');

    // 4. One role: the weak solver moves to the new server with its own model.
    await workbench.runCommand('Autodata: Configure Models');
    await pick('Autodata: Configure Models', 'Weak solver');
    await pick('Endpoint for Weak solver', 'Other OpenAI-compatible endpoint');
    await type('Base URL', url);
    await pick('Model for Weak solver', MODELS.weak);
    models = await view('Autodata: Models');
    await until(async () => new RegExp(`${escapeRe(url)}\\s*own[\\s\\S]*${MODELS.weak}`).test(await weakRow.innerText()), 'the weak row on the new server');
    await logLine(scratch, new RegExp(`weak ${MODELS.weak} at ${escapeRe(url)}`), 'the weak solver on the scripted server');
    const table = await models.locator('table.roles').innerText();
    for (const [role, model] of [
      ['Challenger', MODELS.challenger],
      ['Quality check', MODELS.quality],
      ['Weak solver', MODELS.weak],
      ['Strong solver', MODELS.strong],
      ['Judge', MODELS.judge],
    ]) {
      assert.match(table, new RegExp(`${role}\\s+${escapeRe(url)}[^\\n]*\\s+${model}`), `${role} row in:\n${table}`);
    }
    assert.match(table, /stored/);
    await shot('models-table', 'the five roles on the new server, each with its model, and the key stored');

    // 5. Developer: Reload Window. The key is still there: Test Connection passes for every role.
    await workbench.reload();
    await workbench.runCommand('Autodata: Test Connection');
    models = await view('Autodata: Models');
    await models.locator('table.checks').waitFor({ timeout: 60000 });
    await until(async () => (await models.locator('table.checks td[data-check="key"].yes').count()) === 5, 'the key accepted for all five roles', 60000);
    assert.strictEqual(await models.locator('table.checks td[data-check="reachable"].yes').count(), 5);
    assert.strictEqual(await models.locator('table.checks td[data-check="model"].yes').count(), 5);
    assert.match(await models.locator('table.checks').innerText(), /family/);
    assert.ok(!autodataLog(scratch).includes(KEY), 'the key never reaches the log');
    await shot('test-connection', 'after Reload Window the key survived: Test Connection shows every role reachable, key accepted, model known');

    // 6. Generate step by step from the panel: the card waits for Step, then the question can be edited.
    // Done with the Models view for now: close it, as a person would, and go back to the paper.
    await tab('Autodata: Models').first().click();
    await tab('Autodata: Models').first().locator('.tab-actions .action-label').first().click();
    await tab('Autodata: Models').first().waitFor({ state: 'detached', timeout: 20000 });
    await tab('paper.md').first().click();
    await workbench.runCommand('Autodata: Show Panel');
    let panel = visibleWebview();
    await panel.locator('.toolbar [data-action="step"]').first().waitFor({ timeout: 30000 });
    await panel.locator('.toolbar [data-action="step"]').first().click();
    await panel.getByText('Press Step: the Challenger writes the question next.').first().waitFor({ timeout: 60000 });
    assert.match(await panel.locator('.state-badge').first().innerText(), /Your turn: Step runs challenge/);
    await shot('step-waits', 'step mode: the card and the badge say the run waits for Step');
    await panel.locator('.toolbar [data-action="step"]').first().click();
    const edit = panel.locator('.card [data-action="edit-challenge"]').first();
    await edit.waitFor({ timeout: 60000 });
    await edit.click();
    const field = panel.locator('[data-field="question"] textarea').first();
    await field.fill(`${await field.inputValue()} (edited by hand)`);
    await panel.locator('[data-action="save-challenge"]').first().click();
    await panel.locator('.card .question', { hasText: '(edited by hand)' }).first().waitFor({ timeout: 20000 });
    await shot('edited', 'the question edited before the solvers run');

    // 7. Continue: the requests in flight show role, model, host and seconds waited.
    await panel.locator('.toolbar [data-action="run"]').first().click();
    const call = panel.locator('.in-flight .call').first();
    await call.waitFor({ timeout: 60000 });
    const callText = (await call.innerText()).replace(/\s+/g, ' ');
    assert.match(
      callText,
      new RegExp(`(Weak solver|Strong solver|Challenger|Quality check|Judge) \\S+-model at ${escapeRe(new URL(url).host)} \\d+ s`),
      callText,
    );
    await shot('in-flight', `requests in flight: ${callText}`);

    // 8. Review: approve one, edit then approve one, reject one.
    await until(async () => (await panel.locator('.state-badge[data-state="finished"]').count()) > 0, 'the run to finish', 180000);
    await until(async () => (await panel.locator('.review-item').count()) >= 3, 'three borderline items');
    await shot('review', 'the run finished; three borderline items wait for review');
    const dataset = path.join(workspace, '.autodata', 'dataset.jsonl');
    const human = () =>
      lines(dataset)
        .map((l) => JSON.parse(l))
        .filter((r) => r.decision?.by === 'human');
    const items = panel.locator('.review-item');
    const first = await items.nth(0).getAttribute('data-attempt-id');
    await items.nth(0).locator('[data-action="approve"]').click();
    await until(async () => human().length === 1, 'the approved line');
    await until(async () => (await panel.locator(`.review-item[data-attempt-id="${first}"]`).count()) === 0, 'the approved item to leave the queue');
    const second = panel.locator('.review-item').first();
    await second.locator('[data-action="edit"]').click();
    const secondField = second.locator('[data-field="question"] textarea');
    await secondField.fill(`${await secondField.inputValue()} (approved after an edit)`);
    await second.locator('[data-action="approve-edited"]').click();
    await until(async () => human().length === 2, 'the edited line');
    assert.match(human()[1].question, /approved after an edit/);
    const third = panel.locator('.review-item').first();
    const thirdId = await third.getAttribute('data-attempt-id');
    await third.locator('[data-action="reject"]').click();
    await third.locator('[data-field="reason"] input').fill('It hinges on a number the section does not give.');
    await third.locator('[data-action="reject-confirm"]').click();
    await until(async () => (await panel.locator(`.review-item[data-attempt-id="${thirdId}"]`).count()) === 0, 'the rejected item to leave the queue');
    assert.strictEqual(human().length, 2, 'a rejected item never reaches the dataset');
    await shot('reviewed', 'approved, edited then approved, rejected');

    // 9. Reload Window again: the run's panel comes back from its journal.
    const runTitle = 'Autodata: paper.md';
    await tab(runTitle).first().waitFor({ timeout: 10000 });
    await workbench.reload();
    await tab(runTitle).first().waitFor({ timeout: 60000 });
    panel = await view(runTitle);
    await panel.locator('.card[data-attempt-id]').first().waitFor({ timeout: 60000 });
    await shot('restored', `after Reload Window the panel "${runTitle}" is back with its cards`);

    // 10. Export: no dialog; the file opens.
    await workbench.runCommand('Autodata: Export Dataset');
    await pick('Autodata: Export Dataset', 'Chat SFT');
    await tab('dataset-sft.jsonl').first().waitFor({ timeout: 30000 });
    const out = path.join(workspace, '.autodata', 'exports', 'dataset-sft.jsonl');
    const exported = lines(out).length;
    assert.strictEqual(exported, lines(dataset).length, 'one SFT row per dataset line');
    await shot('exported', `Export wrote ${exported} rows to .autodata/exports/dataset-sft.jsonl and opened it`);
    return `first hour walked:\n  ${seen.join('\n  ')}`;
  } finally {
    await server.close();
  }
};
