// UI smoke check (run by `node test/runners/run-server-tests.js --ui test/ui/smoke.check.js`, and by `npm test`):
// the command palette lists the extension's commands. Uses only what a person sees, no extension API.
'use strict';
const assert = require('assert');

/** @param {import('../runners/run-server-tests').UiCheckContext} context */
exports.check = async function check({ page, workbench, screenshot }) {
  await workbench.openCommandPalette('>Autodata');
  // The palette fills asynchronously; wait for a row that mentions Autodata (category prefix "Autodata: …").
  await workbench
    .quickPickRows()
    .filter({ hasText: /Autodata/i })
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => {
      /* asserted below with the labels actually shown */
    });
  const labels = await workbench.quickPickLabels();
  await screenshot('smoke-command-palette');
  const ours = labels.filter((l) => /Autodata/i.test(l));
  assert.ok(ours.length > 0, `no Autodata command in the palette; rows shown: ${JSON.stringify(labels)}`);
  await page.keyboard.press('Escape');
  return `command palette lists ${ours.length} Autodata command(s): ${ours.join(' | ')}`;
};
