// Benchmark: the built panel in real Chromium under VS Code's CSP, fed 1,000, 3,000 and 10,000 attempts' events (a mix
// of verdicts with rollouts, marks and feedback) streamed in `events` messages of 50 and replayed as one message.
// Measures, per size: first paint and all attempts painted (timers stop after the frame that shows them), one more
// attempt vs one on an empty panel, one card updated, DOM nodes and heap, long tasks, and that the oldest card is
// reachable by search, a verdict filter and J. Prints a table and writes test/bench/results/panel-render.json.
// Usage: node test/bench/panel-render.bench.js   (after `node build.mjs`); or require(...).run() from `npm run bench`,
// which resolves with the flat headline figures (name → number).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { serve, launch, openPanel, fixtures } = require('./panel-render.harness');

const RESULTS = path.join(__dirname, 'results', 'panel-render.json');

/**
 * In the page: posts messages, then resolves with the time until `done()` holds and the frame that shows it has been
 * painted (a requestAnimationFrame after the check, then a task after that frame: the paint happened in between).
 * `done` gets the card list's count of attempts (rendered or not) and the rendered cards.
 */
async function timeUntil(page, messages, doneSource, { window: pace = 0 } = {}) {
  await stage(page, messages);
  return page.evaluate(
    ({ doneSource, pace }) =>
      new Promise((resolve) => {
        const messages = window.__staged;
        window.__staged = [];
        // eslint-disable-next-line no-eval -- the harness page itself allows no eval; this runs through CDP, outside the CSP.
        const done = (0, eval)(doneSource);
        const t0 = performance.now();
        let first = 0;
        let finished = false;
        const cards = document.getElementsByClassName('card');
        const count = () => Number(/** @type {HTMLElement | null} */ (document.querySelector('.targets'))?.dataset.cards ?? 0);
        // First paint: the first frame that shows the run's attempts (the counters; the cards may be below the fold).
        const shown = () => Number((document.querySelector('[data-counter="attempts"]')?.textContent ?? '').replace(/[^0-9]/g, '') || 0);
        const painted = (then) => requestAnimationFrame(() => setTimeout(() => then(performance.now() - t0), 0));
        const check = () => {
          if (!first && (cards.length > 0 || shown() > 0)) {
            first = -1;
            painted((ms) => (first = ms));
          }
          if (!finished && done(count(), cards)) {
            finished = true;
            obs.disconnect();
            painted((ms) => {
              const wait = () => (first > 0 ? resolve({ ms, first, delivered: window.__lastArrival - t0 }) : requestAnimationFrame(wait));
              wait();
            });
          }
        };
        const obs = new MutationObserver(check);
        obs.observe(/** @type {HTMLElement} */ (document.getElementById('app')), {
          childList: true,
          subtree: true,
          characterData: true,
          attributes: true,
          attributeFilter: ['data-status', 'data-cards'],
        });
        if (!pace) {
          for (const m of messages) {
            window.__send(m);
          }
          return;
        }
        // As the host replays a journal (src/host/paced-outbox.ts): numbered slices, no more than `pace` of them
        // unacknowledged, the next sent when the panel says it folded one.
        let head = 0;
        let sent = 0;
        let acked = 0;
        const pump = () => {
          while (head < messages.length && sent - acked < pace) {
            window.__send({ ...messages[head++], slice: ++sent });
          }
        };
        const listener = (/** @type {{ type: string, slice?: unknown }} */ m) => {
          const slice = typeof m.slice === 'number' ? m.slice : 0;
          if (m.type === 'folded' && slice > acked) {
            acked = slice;
            pump();
          }
          if (head === messages.length && acked === sent) {
            window.__postListeners.splice(window.__postListeners.indexOf(listener), 1);
          }
        };
        window.__postListeners.push(listener);
        pump();
      }),
    { doneSource, pace },
  );
}

/** Events per message when the host replays a journal (REPLAY_SLICE in src/host/panel.ts). */
const REPLAY_SLICE = 500;
/** Slices the host lets be unacknowledged while it replays (REPLAY_WINDOW, read from its source so the two agree). */
const REPLAY_WINDOW = (() => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'host', 'paced-outbox.ts'), 'utf8');
  const m = /export const REPLAY_WINDOW = (\d+);/.exec(src);
  if (!m) {
    throw new Error('REPLAY_WINDOW not found in src/host/paced-outbox.ts');
  }
  return Number(m[1]);
})();

/** Events per upload into the page: 10,000 attempts are 130 MB of events, too much for one DevTools message. */
const STAGE_EVENTS = 2000;

/**
 * Puts the messages into the page (`window.__staged`) ahead of the timed part, a few thousand events per upload, a large
 * message's events in pieces: the timer then starts when the page posts them, as before, and no single DevTools
 * message carries the whole run.
 */
async function stage(page, messages) {
  await page.evaluate(() => {
    window.__staged = [];
  });
  let batch = [];
  let batchEvents = 0;
  const flush = async () => {
    if (batch.length) {
      await page.evaluate((ms) => {
        window.__staged.push(...ms);
      }, batch);
    }
    batch = [];
    batchEvents = 0;
  };
  for (const m of messages) {
    const events = m.events ?? [];
    if (events.length <= STAGE_EVENTS) {
      batch.push(m);
      batchEvents += events.length;
      if (batchEvents >= STAGE_EVENTS) {
        await flush();
      }
      continue;
    }
    await flush();
    await page.evaluate(
      (head) => {
        window.__staged.push(head);
      },
      { ...m, events: [] },
    );
    for (let i = 0; i < events.length; i += STAGE_EVENTS) {
      await page.evaluate(
        (part) => {
          const last = window.__staged[window.__staged.length - 1];
          const into = (last.events ??= []);
          for (const e of part) {
            into.push(e);
          }
        },
        events.slice(i, i + STAGE_EVENTS),
      );
    }
  }
  await flush();
}

const frames = (page, n = 3) =>
  page.evaluate(
    (n) =>
      /** @type {Promise<void>} */ (
        new Promise((r) => {
          let k = 0;
          const f = () => (++k >= n ? r() : requestAnimationFrame(f));
          requestAnimationFrame(f);
        })
      ),
    n,
  );
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function metrics(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  const get = (name) => m.find((x) => x.name === name)?.value;
  return { jsHeapUsedMB: +(get('JSHeapUsedSize') / 1048576).toFixed(1), nodes: get('Nodes') };
}

/** One size: the panel fed `attempts` attempts, streamed and replayed; one more attempt; one card updated; the DOM. */
async function measureSize(page, cdp, { attempts, batch, repeats }) {
  const { generateRun, extraAttempt } = fixtures();
  const g = generateRun({ attempts, targets: Math.max(10, Math.round(attempts * 0.3)), seed: 7, decideShare: 0 });
  const n = g.attempts.length;
  const messages = [];
  for (let i = 0; i < g.events.length; i += batch) {
    messages.push({ type: 'events', events: g.events.slice(i, i + batch) });
  }
  const reset = { type: 'reset', run: g.run };
  const allShown = `(count, cards) => count >= ${n} && ![...cards].some((c) => c.dataset.status === 'running')`;

  // Streamed, the way a live run arrives; long tasks recorded meanwhile.
  await page.evaluate((m) => window.__send(m), reset);
  await frames(page);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        window.__long.push(e.duration);
      }
    }).observe({ type: 'longtask' });
  });
  const load = await timeUntil(page, messages, allShown);
  await frames(page, 5);
  const longTasks = await page.evaluate(() => window.__long.splice(0));

  // One more attempt among them (median), and one card changed (a borderline item approved).
  const extra = [];
  for (let i = 1; i <= repeats; i++) {
    await frames(page);
    const id = `x${100 + i}.1`;
    const r = await timeUntil(
      page,
      [{ type: 'events', events: extraAttempt(g, 100 + i) }],
      `() => document.querySelector('.card[data-attempt-id="${id}"]')?.dataset.status === 'accepted'`,
    );
    extra.push(r.ms);
  }
  const update = [];
  let seq = 10_000_000;
  for (const a of g.attempts.filter((x) => x.verdict.kind === 'borderline').slice(0, repeats)) {
    await frames(page);
    const e = {
      type: 'review_decision',
      runId: g.run.runId,
      seq: ++seq,
      at: '2026-06-30T12:00:00.000Z',
      attemptId: a.attemptId,
      targetId: a.targetId,
      decision: 'approved',
    };
    // The card may be far from the viewport: the decision counts once the review queue no longer lists it.
    const r = await timeUntil(page, [{ type: 'events', events: [e] }], `() => !document.querySelector('.review-item[data-attempt-id="${a.attemptId}"]')`);
    update.push(r.ms);
  }
  // Every card reachable: the oldest by search, then by J from the top, and a verdict filter.
  const reach = await page.evaluate(async (oldest) => {
    const t0 = performance.now();
    const search = /** @type {HTMLInputElement} */ (document.querySelector('.card-search'));
    search.value = oldest;
    search.dispatchEvent(new Event('input'));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const found = !!document.querySelector(`.card[data-attempt-id="${oldest}"]`);
    const ms = performance.now() - t0;
    search.value = '';
    search.dispatchEvent(new Event('input'));
    const verdict = /** @type {HTMLSelectElement} */ (document.querySelector('.card-verdict'));
    verdict.value = 'accepted';
    verdict.dispatchEvent(new Event('change'));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const onlyAccepted = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.card'))].every(
      (c) => c.dataset.status === 'accepted' || c.dataset.status === 'approved',
    );
    verdict.value = '';
    verdict.dispatchEvent(new Event('change'));
    window.scrollTo(0, 0);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    document.body.focus();
    for (let i = 0; i < 3; i++) {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
    }
    const third = /** @type {HTMLElement | null} */ (document.querySelector('.card.selected'))?.dataset.attemptId ?? '';
    return { found, ms, onlyAccepted, third };
  }, g.attempts[0].attemptId);
  const metricsAfter = await metrics(cdp);
  const dom = await page.evaluate(() => ({
    rendered: document.querySelectorAll('.card').length,
    listed: Number(/** @type {HTMLElement | null} */ (document.querySelector('.targets'))?.dataset.cards ?? 0),
    elements: document.getElementsByTagName('*').length,
  }));

  // A restored run: the host replays the journal in slices of REPLAY_SLICE events (src/host/panel.ts), REPLAY_WINDOW
  // of them unacknowledged at a time; first paint is the first frame that shows the run's attempts.
  await page.evaluate((m) => window.__send(m), reset);
  await frames(page);
  await page.evaluate(() => {
    window.__long.length = 0;
  });
  const slices = [];
  for (let i = 0; i < g.events.length; i += REPLAY_SLICE) {
    slices.push({ type: 'events', events: g.events.slice(i, i + REPLAY_SLICE) });
  }
  const replay = await timeUntil(page, slices, allShown, { window: REPLAY_WINDOW });
  await frames(page, 5);
  const replayLong = await page.evaluate(() => window.__long.splice(0));
  if (dom.listed < n) {
    throw new Error(`only ${dom.listed} of ${n} attempts listed`);
  }
  return {
    attempts: n,
    events: g.events.length,
    streamedAllMs: +load.ms.toFixed(1),
    streamedFirstPaintMs: +load.first.toFixed(1),
    replayFirstPaintMs: +replay.first.toFixed(1),
    replayAllMs: +replay.ms.toFixed(1),
    oneMoreMs: +median(extra).toFixed(1),
    updateOneMs: +median(update).toFixed(1),
    longTasks: longTasks.length,
    longestReplayTaskMs: +Math.max(0, ...replayLong).toFixed(0),
    domNodes: metricsAfter.nodes,
    jsHeapMB: metricsAfter.jsHeapUsedMB,
    renderedCards: dom.rendered,
    reach,
  };
}

async function run({ sizes = [1000, 3000, 10000], batch = 50, repeats = 5, write = true, log = console.log } = {}) {
  const { generateRun, extraAttempt } = fixtures();
  const started = Date.now();
  const server = await serve();
  const browser = await launch();
  try {
    let { page, errors } = await openPanel(browser, server, { width: 1000, height: 900 });
    let cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    // One attempt on an empty panel: the baseline of "one more attempt".
    const g0 = generateRun({ attempts: 10, targets: 5, seed: 7, decideShare: 0 });
    const single = [];
    for (let i = 1; i <= repeats; i++) {
      await page.evaluate((m) => window.__send(m), { type: 'reset', run: g0.run });
      await frames(page);
      const r = await timeUntil(page, [{ type: 'events', events: extraAttempt(g0, i) }], `(count, cards) => cards[0]?.dataset.status === 'accepted'`);
      single.push(r.ms);
    }
    const bySize = [];
    for (const attempts of sizes) {
      try {
        bySize.push(await measureSize(page, cdp, { attempts, batch, repeats }));
      } catch (e) {
        // Once more on a fresh page, with the reason logged (a renderer lost on a loaded machine is not a result).
        log(
          `panel, ${attempts} attempts: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}; load ${os.loadavg()[0].toFixed(1)}; once more on a new page`,
        );
        await page.close().catch(() => undefined);
        ({ page, errors } = await openPanel(browser, server, { width: 1000, height: 900 }));
        cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        bySize.push(await measureSize(page, cdp, { attempts, batch, repeats }));
      }
    }
    const webviewErrors = await page.evaluate(() => window.__posted.filter((m) => m.type === 'webviewError').map((m) => m.message));
    const csp = await page.evaluate(() => window.__cspViolations.slice());
    const result = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      oneAttemptEmptyPanelMs: +median(single).toFixed(1),
      sizes: bySize,
      problems: { pageErrors: errors.filter((e) => !/Content Security Policy/.test(e)), webviewErrors, cspViolations: csp },
      wallSeconds: +((Date.now() - started) / 1000).toFixed(1),
    };
    if (write) {
      fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
      fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    }
    log(table(result));
    return result;
  } finally {
    await browser.close();
    server.close();
  }
}

function table(r) {
  const rows = [['one attempt on an empty panel', `${r.oneAttemptEmptyPanelMs} ms (median)`]];
  for (const x of r.sizes) {
    rows.push(
      [`${x.attempts} attempts: first paint (replayed / streamed)`, `${x.replayFirstPaintMs} / ${x.streamedFirstPaintMs} ms`],
      [`${x.attempts} attempts: all folded and painted (replayed / streamed)`, `${x.replayAllMs} / ${x.streamedAllMs} ms`],
      [`${x.attempts} attempts: one more / one card updated`, `${x.oneMoreMs} / ${x.updateOneMs} ms (median)`],
      [`${x.attempts} attempts: DOM`, `${x.domNodes} nodes, ${x.renderedCards} cards rendered, heap ${x.jsHeapMB} MB`],
      [`${x.attempts} attempts: long tasks`, `${x.longTasks} while streaming, longest while replaying ${x.longestReplayTaskMs} ms`],
      [
        `${x.attempts} attempts: reach`,
        `oldest by search ${x.reach.found ? 'found' : 'NOT found'} in ${x.reach.ms.toFixed(1)} ms; filter ${x.reach.onlyAccepted ? 'ok' : 'WRONG'}; J×3 → ${x.reach.third}`,
      ],
    );
  }
  rows.push([
    'problems',
    `${r.problems.pageErrors.length} page errors, ${r.problems.webviewErrors.length} webviewError, ${r.problems.cspViolations.length} CSP violation(s)${r.problems.cspViolations.length ? `: ${[...new Set(r.problems.cspViolations)].join('; ')}` : ''}`,
  ]);
  rows.push(['wall time', `${r.wallSeconds} s`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

if (require.main === module) {
  // PANEL_SIZES=1000,10000 measures only those sizes (the benchmark's own run uses the three defaults).
  const sizes = process.env.PANEL_SIZES ? process.env.PANEL_SIZES.split(',').map(Number) : undefined;
  run({ sizes, write: !sizes }).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
module.exports = { run };
