// Screenshots of the panel with a handful of realistic attempts, in Dark Modern, Light Modern and High Contrast, to look at.
// Usage: node test/bench/panel-render.screenshots.js [outDir=/tmp]   (needs `node build.mjs` first)
'use strict';
const path = require('node:path');
const { serve, launch, openPanel, fixtures } = require('./panel-render.harness');

async function shoot(browser, server, { theme, width = 960, height = 1400, name, dir, prepare, fullPage = true }) {
  const { page, errors } = await openPanel(browser, server, { theme, width, height });
  if (prepare) {
    await prepare(page);
  }
  await page.waitForTimeout(150);
  const file = path.join(dir, `panel-${name}.png`);
  await page.screenshot({ path: file, fullPage });
  const csp = await page.evaluate(() => window.__cspViolations);
  const posted = await page.evaluate(() => window.__posted.filter((m) => m.type === 'webviewError'));
  await page.close();
  // CSP reports also reach the console as errors: list them once, as violations.
  return { file, errors: errors.filter((e) => !/Content Security Policy/.test(e)), csp: [...new Set(csp.map((c) => c.trim()))], webviewErrors: posted };
}

async function main(dir = '/tmp') {
  const { showcaseRun } = fixtures();
  const showcase = showcaseRun();
  const load = async (page) => {
    await page.evaluate(
      ({ run, events }) => {
        window.__send({ type: 'reset', run });
        window.__send({ type: 'events', events });
      },
      { run: showcase.run, events: showcase.events },
    );
    await page.waitForFunction(() => document.querySelectorAll('.card').length >= 5);
  };
  const expand = async (page) => {
    await load(page);
    await page.evaluate(() => {
      const card = /** @type {HTMLElement} */ (document.querySelector('.card[data-attempt-id="s3.4.2"]'));
      /** @type {HTMLDetailsElement} */ (card.querySelector('details.rubric')).open = true;
      /** @type {HTMLElement} */ (card.querySelector('.solver-weak .chip')).click();
      window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 60);
    });
  };
  const editing = async (page) => {
    await load(page);
    await page.evaluate(() => {
      /** @type {HTMLElement} */ (document.querySelector('.review-item [data-action="reject"]')).click();
      /** @type {HTMLElement} */ (document.querySelector('.card[data-attempt-id="s5.1.1"] [data-action="edit-challenge"]')).click();
    });
  };
  const server = await serve();
  const browser = await launch();
  try {
    const shots = [
      await shoot(browser, server, { theme: 'dark', name: 'dark', dir, prepare: load }),
      await shoot(browser, server, { theme: 'light', name: 'light', dir, prepare: load }),
      await shoot(browser, server, { theme: 'hc', name: 'hc', dir, prepare: load }),
      await shoot(browser, server, { theme: 'dark', name: 'dark-details', dir, prepare: expand, height: 900, fullPage: false }),
      await shoot(browser, server, { theme: 'light', name: 'light-editing', dir, prepare: editing }),
      await shoot(browser, server, { theme: 'dark', name: 'dark-narrow', dir, prepare: load, width: 420 }),
      await shoot(browser, server, {
        theme: 'dark',
        name: 'empty',
        dir,
        height: 500,
        prepare: (page) => page.evaluate(() => window.__send({ type: 'reset', run: null })),
      }),
    ];
    // The toolkit (FAST) probes :focus-visible support by adding a <style> element; under a CSP without a style nonce the
    // probe is refused (reported as style-src-elem) and the toolkit falls back to :focus. Anything else is a finding.
    for (const s of shots) {
      console.log(
        `${s.file}${s.errors.length ? `  page errors: ${s.errors.join(' | ')}` : ''}${s.csp.length ? `  CSP: ${s.csp.join(' | ')}` : ''}${s.webviewErrors.length ? `  webviewError: ${JSON.stringify(s.webviewErrors)}` : ''}`,
      );
    }
    return shots;
  } finally {
    await browser.close();
    server.close();
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
module.exports = { main };
