// Mocha reporter for test-all.js: the spec reporter's console output, plus the final counts written as one
// AUTODATA_RESULT-style JSON line to $AUTODATA_RESULTS_FILE ({"suite":"unit","passed","failed","pending"}).
// Failed hooks count as failures; pending (skipped) tests are counted apart, never as passed.
'use strict';
const fs = require('fs');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountReporter extends Spec {
  /**
   * @param {Mocha.Runner} runner
   * @param {Mocha.MochaOptions} [options]
   */
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || this.stats || {};
      const line = { suite: process.env.AUTODATA_SUITE_NAME || 'unit', passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0 };
      if (process.env.AUTODATA_RESULTS_FILE) {
        fs.writeFileSync(process.env.AUTODATA_RESULTS_FILE, JSON.stringify(line) + '\n');
      }
    });
  }
}

module.exports = CountReporter;
