// Mocha entry for the extension host: VS Code calls run(). The suites are required lazily so mocha's globals exist first.
import Mocha from 'mocha';

export function run(): Promise<void> {
  // AUTODATA_TEST_GREP reaches the extension host through the VS Code server's environment.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120000, grep: process.env.AUTODATA_TEST_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'autodata-integration', mocha);
  require('./suites');
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
    runner.on('end', () =>
      console.log(
        `AUTODATA_RESULT ${JSON.stringify({ suite: 'vscode', passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 })}`,
      ),
    );
  });
}
