// Benchmark: the built panel in real Chromium under VS Code's CSP, fed 1,000 attempts' events (~300 sections, a mix of
// verdicts with rollouts, marks and feedback) as `events` messages of 50 events each, the way the host streams them.
// Measures: time until 1,000 cards show, one attempt on an empty panel vs one more among 1,000, one card updated among
// 1,000, long tasks while loading, JS heap and DOM size. Prints a table and writes test/bench/results/panel-render.json.
// Usage: node test/bench/panel-render.bench.js   (after `node build.mjs`); or require(...).run() from `npm run bench`,
// which resolves with the flat headline figures (name → number).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { serve, launch, openPanel, fixtures, ROOT } = require('./panel-render.harness');

const RESULTS = path.join(__dirname, 'results', 'panel-render.json');

/** In the page: posts messages, then resolves with the time until `done()` holds, watched after every DOM change. */
function timeUntil(page, messages, doneSource) {
  return page.evaluate(
    ({ messages, doneSource }) =>
      new Promise((resolve) => {
        // eslint-disable-next-line no-eval -- the harness page itself allows no eval; this runs through CDP, outside the CSP.
        const done = (0, eval)(doneSource);
        const t0 = performance.now();
        let first = 0;
        const cards = document.getElementsByClassName('card');
        const check = () => {
          const now = performance.now();
          if (!first && cards.length > 0) {
            first = now - t0;
          }
          if (done(cards)) {
            obs.disconnect();
            resolve({ ms: now - t0, first, delivered: window.__lastArrival - t0 });
          }
        };
        const obs = new MutationObserver(check);
        obs.observe(document.getElementById('app'), { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status'] });
        for (const m of messages) {
          window.__send(m);
        }
      }),
    { messages, doneSource },
  );
}

const frames = (page, n = 3) =>
  page.evaluate(
    (n) =>
      new Promise((r) => {
        let k = 0;
        const f = () => (++k >= n ? r() : requestAnimationFrame(f));
        requestAnimationFrame(f);
      }),
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

async function run({ attempts = 1000, targets = 300, batch = 50, repeats = 5, write = true, log = console.log } = {}) {
  const { generateRun, extraAttempt } = fixtures();
  const g = generateRun({ attempts, targets, seed: 7, decideShare: 0 });
  const messages = [];
  for (let i = 0; i < g.events.length; i += batch) {
    messages.push({ type: 'events', events: g.events.slice(i, i + batch) });
  }
  const n = g.attempts.length;
  const started = Date.now();
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openPanel(browser, server, { width: 1000, height: 900 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const reset = { type: 'reset', run: g.run };

    // One attempt on an empty panel (the first card's time), a few times.
    const single = [];
    for (let i = 1; i <= repeats; i++) {
      await page.evaluate((m) => window.__send(m), reset);
      await frames(page);
      const r = await timeUntil(page, [{ type: 'events', events: extraAttempt(g, i) }], `(cards) => cards[0]?.dataset.status === 'accepted'`);
      single.push(r.ms);
    }

    // 1,000 attempts, streamed in messages of `batch` events; long tasks recorded meanwhile.
    await page.evaluate((m) => window.__send(m), reset);
    await frames(page);
    const before = await metrics(cdp);
    await page.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) {
          window.__long.push(e.duration);
        }
      }).observe({ type: 'longtask' });
    });
    const allShown = `(cards) => cards.length >= ${n} && !document.querySelector('.card[data-status="running"]')`;
    const load = await timeUntil(page, messages, allShown);
    await frames(page, 5);
    const longTasks = await page.evaluate(() => window.__long.splice(0));
    const after = await metrics(cdp);
    const dom = await page.evaluate(() => ({
      cards: document.querySelectorAll('.card').length,
      dots: document.querySelectorAll('svg.scatter circle.dot').length,
      reviewItems: document.querySelectorAll('.review-item').length,
      elements: document.getElementsByTagName('*').length,
    }));

    // One more attempt among 1,000 cards, and one existing card changed (a borderline item approved).
    const extra = [];
    for (let i = 1; i <= repeats; i++) {
      await frames(page);
      const r = await timeUntil(
        page,
        [{ type: 'events', events: extraAttempt(g, 100 + i) }],
        `(cards) => document.querySelector('.card[data-attempt-id="x${100 + i}.1"]')?.dataset.status === 'accepted'`,
      );
      extra.push(r.ms);
    }
    const borderline = g.attempts.filter((a) => a.verdict.kind === 'borderline').slice(0, repeats);
    const update = [];
    let seq = 10_000_000;
    for (const a of borderline) {
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
      const r = await timeUntil(
        page,
        [{ type: 'events', events: [e] }],
        `(cards) => document.querySelector('.card[data-attempt-id="${a.attemptId}"]')?.dataset.status === 'approved'`,
      );
      update.push(r.ms);
    }
    // Scrolling to the bottom and back: how long the content-visibility layout takes to settle.
    const scroll = await page.evaluate(async () => {
      const t0 = performance.now();
      window.scrollTo(0, document.body.scrollHeight);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      window.scrollTo(0, 0);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    });
    // A restored run: the host replays the whole journal as one `events` message.
    await page.evaluate((m) => window.__send(m), reset);
    await frames(page);
    await page.evaluate(() => {
      window.__long.length = 0;
    });
    const replay = await timeUntil(page, [{ type: 'events', events: g.events }], allShown);
    await frames(page, 5);
    const replayLong = await page.evaluate(() => window.__long.splice(0));

    const webviewErrors = await page.evaluate(() => window.__posted.filter((m) => m.type === 'webviewError').map((m) => m.message));
    const csp = await page.evaluate(() => window.__cspViolations.slice());

    const result = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      node: process.version,
      input: {
        attempts: n,
        targets,
        events: g.events.length,
        messages: messages.length,
        eventsPerMessage: batch,
        megabytes: +(JSON.stringify(messages).length / 1e6).toFixed(1),
      },
      ms: {
        messagesDelivered: +load.delivered.toFixed(1),
        firstCardOfRun: +load.first.toFixed(1),
        allCards: +load.ms.toFixed(1),
        replayOneMessageDelivered: +replay.delivered.toFixed(1),
        replayOneMessageAllCards: +replay.ms.toFixed(1),
        oneAttemptEmptyPanel: +median(single).toFixed(1),
        oneAttemptAmong1000: +median(extra).toFixed(1),
        ratioExtraVsFirst: +(median(extra) / median(single)).toFixed(2),
        oneCardUpdateAmong1000: +median(update).toFixed(1),
        scrollBottomAndBack: +scroll.toFixed(1),
      },
      longTasks: { count: longTasks.length, maxMs: +Math.max(0, ...longTasks).toFixed(0), totalMs: +longTasks.reduce((a, b) => a + b, 0).toFixed(0) },
      replayLongTasks: { count: replayLong.length, maxMs: +Math.max(0, ...replayLong).toFixed(0), totalMs: +replayLong.reduce((a, b) => a + b, 0).toFixed(0) },
      memory: { jsHeapUsedMBBefore: before.jsHeapUsedMB, jsHeapUsedMBAfter: after.jsHeapUsedMB, nodesBefore: before.nodes, nodesAfter: after.nodes },
      dom,
      problems: { pageErrors: errors.filter((e) => !/Content Security Policy/.test(e)), webviewErrors, cspViolations: csp },
      wallSeconds: +((Date.now() - started) / 1000).toFixed(1),
    };
    if (dom.cards < n) {
      throw new Error(`only ${dom.cards} of ${n} cards shown`);
    }
    result.figures = figures(result);
    if (write) {
      fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
      fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    }
    log(table(result));
    if (write) {
      log(`\nwritten to ${path.relative(ROOT, RESULTS)}`);
    }
    return result.figures;
  } finally {
    await browser.close();
    server.close();
  }
}

/** The headline numbers, flat (what `npm run bench` lists); the results file keeps everything. */
function figures(r) {
  return {
    'attempts shown': r.dom.cards,
    'ms until 1,000 cards show (streamed, 50 events per message)': r.ms.allCards,
    'ms until 1,000 cards show (replayed as one message)': r.ms.replayOneMessageAllCards,
    'ms until the first card shows (streamed)': r.ms.firstCardOfRun,
    'ms for the browser to deliver the streamed messages': r.ms.messagesDelivered,
    'ms for one attempt on an empty panel': r.ms.oneAttemptEmptyPanel,
    'ms for one more attempt among 1,000': r.ms.oneAttemptAmong1000,
    'ratio one more among 1,000 / one on an empty panel': r.ms.ratioExtraVsFirst,
    'ms to update one card among 1,000': r.ms.oneCardUpdateAmong1000,
    'long tasks while streaming': r.longTasks.count,
    'longest task while replaying (ms)': r.replayLongTasks.maxMs,
    'JS heap with 1,000 cards (MB)': r.memory.jsHeapUsedMBAfter,
    'DOM nodes with 1,000 cards': r.memory.nodesAfter,
  };
}

function table(r) {
  const rows = [
    ['input', `${r.input.attempts} attempts, ${r.input.targets} sections, ${r.input.events} events in ${r.input.messages} messages (${r.input.megabytes} MB)`],
    ['messages delivered (browser)', `${r.ms.messagesDelivered} ms`],
    ['first card of the run', `${r.ms.firstCardOfRun} ms`],
    ['all cards shown', `${r.ms.allCards} ms`],
    ['long tasks while loading', `${r.longTasks.count} (max ${r.longTasks.maxMs} ms, total ${r.longTasks.totalMs} ms)`],
    [
      'replay as one message',
      `delivered ${r.ms.replayOneMessageDelivered} ms, all cards ${r.ms.replayOneMessageAllCards} ms, long tasks ${r.replayLongTasks.count} (max ${r.replayLongTasks.maxMs} ms)`,
    ],
    ['one attempt, empty panel', `${r.ms.oneAttemptEmptyPanel} ms (median)`],
    ['one attempt among 1,000', `${r.ms.oneAttemptAmong1000} ms (median), ratio ${r.ms.ratioExtraVsFirst}`],
    ['one card updated among 1,000', `${r.ms.oneCardUpdateAmong1000} ms (median)`],
    ['scroll to bottom and back', `${r.ms.scrollBottomAndBack} ms`],
    ['JS heap', `${r.memory.jsHeapUsedMBBefore} MB → ${r.memory.jsHeapUsedMBAfter} MB`],
    ['DOM', `${r.memory.nodesAfter} nodes (${r.dom.elements} elements), ${r.dom.cards} cards, ${r.dom.dots} dots, ${r.dom.reviewItems} review items`],
    [
      'problems',
      `${r.problems.pageErrors.length} page errors, ${r.problems.webviewErrors.length} webviewError, ${r.problems.cspViolations.length} CSP violation(s)${r.problems.cspViolations.length ? `: ${[...new Set(r.problems.cspViolations)].join('; ')}` : ''}`,
    ],
    ['wall time', `${r.wallSeconds} s`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

if (require.main === module) {
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
module.exports = { run };
