// UI check of the Autodata panel, driven like a person: command palette → Generate from Document against the scripted
// endpoint → the panel's cards show the scores → click Approve on a borderline item → the dataset file has the line.
// Saves screenshots of the panel in a dark and a light theme (committed as media/screenshot-*.png by `--save-media`,
// or when AUTODATA_SAVE_SCREENSHOTS=1).
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
require('tsx/cjs');
const { startScriptedServer } = require('../fakes/openai-server.ts');
const { MODELS, scriptRoles } = require('../fakes/scripted-roles.ts');
const { until, writeSettings, scriptedSettings, settingsApplied, painted } = require('./scripted-workbench');

// Realistic questions about the sample paper, so the screenshots read like a real session.
const q = (scores, questionText) => ({ ...scores, questionText });
const EASY = { weak: [0.9, 0.8, 1], strong: [1, 0.9, 1] };
const GOOD = { weak: [0.3, 0.5, 0.4], strong: [0.8, 0.9, 0.7] };
const NEAR = { weak: [0.4, 0.3, 0.3], strong: [0.6, 0.5, 0.6] };
const HARD = { weak: [0.1, 0.2, 0.1], strong: [0.3, 0.2, 0.4] };
const QUESTIONS = [
  q(EASY, 'What does a top-k router do with a token in a Mixture-of-Experts layer?'),
  q(GOOD, 'Why does a high router temperature early in training prevent routing collapse, and why must it return to 1.0 before inference?'),
  q(HARD, 'Derive the gradient of the auxiliary load-balancing loss with respect to the router logits for a top-2 router with capacity factor 1.25.'),
  q(NEAR, 'If the temperature were annealed to 0.5 instead of 1.0, how would dropped tokens and expert specialisation change late in training?'),
  q(EASY, 'Which hyperparameter does router temperature annealing remove?'),
  q(GOOD, 'A learned router temperature drifted back to 1.0 within a few hundred steps. What does this suggest about where routing collapse is decided?'),
  q(NEAR, 'Compare the failure modes of setting the load-balancing coefficient too small and too large, and explain how annealing avoids both.'),
  q(EASY, 'How many steps does the warm-up at the initial temperature last in the experiments?'),
  q(
    GOOD,
    'The paper tests one architecture family at up to 8 billion parameters. Which of its conclusions would you expect to transfer to larger models, and which would you re-test first?',
  ),
  q(EASY, 'What is a capacity factor?'),
  q(
    GOOD,
    'Why do the expert combination weights use the same tempered probabilities as the routing decision, and what would go wrong if they used the untempered ones?',
  ),
];

/** @param {import('../runners/run-server-tests').UiCheckContext} context */
exports.check = async function check({ page, workbench, scratch, workspace, screenshot }) {
  const script = scriptRoles(QUESTIONS, { solverLatencyMs: 60, judgeLatencyMs: 40 });
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS) });
  try {
    writeSettings(scratch, { ...scriptedSettings(server.baseURL, MODELS), 'workbench.colorTheme': 'Dark Modern' });
    await settingsApplied(scratch, 'judge', MODELS.judge, server.baseURL);

    // paper.md is open (the runner opens it); run the command from the palette.
    await workbench.activeTab().filter({ hasText: 'paper.md' }).waitFor({ timeout: 20000 });
    await workbench.runCommand('Autodata: Generate from Document');
    await page.locator('.tab', { hasText: 'Autodata: paper.md' }).waitFor({ timeout: 60000 });
    const view = workbench.webview();
    await view.locator('.card[data-attempt-id]').first().waitFor({ timeout: 30000 });
    // The run ends with every section accepted or sent to review.
    await until(async () => (await view.locator('.state-badge[data-state="finished"]').count()) > 0, 'the run to finish', 60000);
    const cards = await view.locator('.card[data-attempt-id]').count();
    assert.ok(cards >= 6, `cards shown: ${cards}`);
    const weak = (await view.locator('.card .score-weak').allInnerTexts()).join(' ');
    assert.match(weak, /0\.\d/, 'weak means shown on the cards');
    const verdicts = (await view.locator('.card .verdict').allInnerTexts()).join(' | ');
    assert.match(verdicts, /accepted/i);
    assert.match(verdicts, /too easy/i);
    const queue = view.locator('.review-item');
    await queue.first().waitFor({ timeout: 10000 });
    const inReview = await queue.count();
    assert.ok(inReview >= 1, 'a borderline item waits for review');

    // Give the panel the whole editor area, as a person reviewing would, and take the dark screenshot. Cosmetic only:
    // if the palette is not ready (a first-run workbench can hold it inert for a moment), retry, then go on as is.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await page.keyboard.press('Escape');
        await page.locator('.tab', { hasText: 'Autodata: paper.md' }).click();
        await painted(page);
        await workbench.openCommandPalette('>Maximize Editor Group');
        await workbench
          .quickPickRows()
          .filter({ hasText: /Maximize/ })
          .first()
          .waitFor({ timeout: 5000 });
        await page.keyboard.press('Enter');
        break;
      } catch (e) {
        console.log(`maximizing the panel's editor group failed (${attempt + 1}/3): ${/** @type {Error} */ (e).message.split('\n')[0]}`);
      }
    }
    await painted(page);
    const dark = await screenshot('panel-dark');

    // Approve the first borderline item by clicking its button.
    const dataset = path.join(workspace, '.autodata', 'dataset.jsonl');
    const before = fs.existsSync(dataset) ? fs.readFileSync(dataset, 'utf8').split('\n').filter(Boolean).length : 0;
    const id = await queue.first().getAttribute('data-attempt-id');
    await queue.first().locator('[data-action="approve"]').click();
    const line = await until(async () => {
      const lines = fs.existsSync(dataset) ? fs.readFileSync(dataset, 'utf8').split('\n').filter(Boolean) : [];
      return lines.length > before && lines.map((l) => JSON.parse(l)).find((r) => r.decision.by === 'human');
    }, 'the approved line in the dataset');
    assert.strictEqual(line.id.endsWith(`:${id}`), true, `approved ${id}, wrote ${line.id}`);
    assert.strictEqual(line.decision.borderline, true);
    await until(async () => (await view.locator(`.review-item[data-attempt-id="${id}"]`).count()) === 0, 'the item to leave the queue');

    // Light theme: the same panel after the theme changes.
    writeSettings(scratch, { 'workbench.colorTheme': 'Light Modern' });
    await until(async () => (await page.locator('.monaco-workbench.vs:not(.vs-dark)').count()) > 0, 'the light theme');
    // This one shows a whole card: scores against the thresholds, rollouts, the verdict and the feedback.
    await view.locator('.card[data-attempt-id]').first().scrollIntoViewIfNeeded();
    await painted(page);
    const light = await screenshot('panel-light');
    if (process.env.AUTODATA_SAVE_SCREENSHOTS === '1') {
      fs.copyFileSync(dark, path.resolve(__dirname, '../../media/screenshot-dark.png'));
      fs.copyFileSync(light, path.resolve(__dirname, '../../media/screenshot-light.png'));
    }
    return `${cards} cards, ${inReview} in review; approved ${id} by clicking, and the dataset has it with decision.by = "human"`;
  } finally {
    await server.close();
  }
};
