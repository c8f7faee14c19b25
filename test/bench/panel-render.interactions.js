// Drives the built panel in Chromium like a person would and checks what it posts to the host: start / control,
// approve / edit / reject (one and in bulk), step-mode edits and notes, Show in source, shortcuts, probes, hostile text.
// Usage: node test/bench/panel-render.interactions.js   (after `node build.mjs`; PANEL_CHECK=<text> runs the checks whose
// name contains it); exits non-zero if a check fails.
'use strict';
const assert = require('node:assert/strict');
const { serve, launch, openPanel, fixtures } = require('./panel-render.harness');

async function main() {
  const { showcaseRun, panelRun } = fixtures();
  const g = showcaseRun();
  const server = await serve();
  const browser = await launch();
  const results = [];
  const check = async (name, fn) => {
    // PANEL_CHECK=<text> runs only the checks whose name contains it.
    if (process.env.PANEL_CHECK && !name.includes(process.env.PANEL_CHECK)) {
      return;
    }
    const { page, errors } = await openPanel(browser, server, { width: 1000, height: 900 });
    try {
      await fn(page);
      const bad = errors.filter((e) => !/Content Security Policy/.test(e));
      assert.deepEqual(bad, [], `page errors: ${bad.join(' | ')}`);
      results.push(`ok   ${name}`);
    } catch (e) {
      results.push(`FAIL ${name}: ${/** @type {Error} */ (e).message}`);
      process.exitCode = 1;
    } finally {
      await page.close();
    }
  };
  const load = (page, run = g.run, events = g.events) =>
    page.evaluate(
      ({ run, events }) => {
        window.__send({ type: 'reset', run });
        window.__send({ type: 'events', events });
      },
      { run, events },
    );
  const posted = (page, type) => page.evaluate((type) => window.__posted.filter((m) => !type || m.type === type), type);
  const probe = async (page, selector) => {
    const id = Math.floor(Math.random() * 1e9);
    await page.evaluate(({ id, selector }) => window.__send({ type: 'probe', id, selector }), { id, selector });
    await page.waitForFunction((id) => window.__posted.some((m) => m.type === 'probeResult' && m.id === id), id);
    return (await posted(page, 'probeResult')).find((m) => m.id === id);
  };
  const click = (page, selector) =>
    page.evaluate((s) => {
      const el = document.querySelector(s);
      if (!el) {
        throw new Error(`no ${s}`);
      }
      el.click();
    }, selector);
  const type = (page, selector, text) =>
    page.evaluate(
      ({ s, text }) => {
        const el = document.querySelector(s);
        if (!el) {
          throw new Error(`no ${s}`);
        }
        el.value = text;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      },
      { s: selector, text },
    );

  try {
    await check('ready carries the persisted run id; a reset persists the new one', async (page) => {
      assert.deepEqual((await posted(page, 'ready'))[0], { type: 'ready' });
      await load(page);
      const r = await probe(page, '.card[data-attempt-id]');
      assert.equal(r.count, 5);
      await page.reload();
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      assert.deepEqual((await posted(page, 'ready'))[0], { type: 'ready', runId: g.run.runId }, 'the host can replay the run after a reload');
    });

    await check('probe answers with counts and trimmed texts, and survives a bad selector', async (page) => {
      await load(page);
      const v = await probe(page, '.card .verdict');
      assert.deepEqual(v.texts, ['… running', '? borderline', '✗ failed', '✓ accepted', '↓ too easy']);
      assert.equal((await probe(page, '.review-item')).count, 1);
      assert.equal((await probe(page, '.card[data-attempt-id="s3.4.1"] .score-strong')).texts[0], 'Strong strong skipped (weak too easy)');
      const bad = await probe(page, 'div[[[');
      assert.equal(bad.count, 0);
      assert.ok((await posted(page, 'webviewError')).some((m) => /invalid selector/.test(m.message)));
    });

    await check('an invalid message is dropped and reported', async (page) => {
      await page.evaluate(() => window.__send({ type: 'events', events: [{ type: 'verdict' }] }));
      await page.evaluate(() => window.__send({ type: 'probe', id: 1, selector: 'body' }));
      const errs = await posted(page, 'webviewError');
      assert.ok(
        errs.some((m) => /dropped an invalid events message/.test(m.message)),
        JSON.stringify(errs),
      );
    });

    await check('Run and Step start a new run with the goal; Stop, Continue and Step control a stepped one', async (page) => {
      await click(page, '.toolbar [data-action="step"]');
      await type(page, '.toolbar vscode-text-field.goal', '7');
      await click(page, '.toolbar [data-action="run"]');
      assert.deepEqual(await posted(page, 'start'), [
        { type: 'start', mode: 'step', goal: 0 },
        { type: 'start', mode: 'run', goal: 7 },
      ]);
      await load(page);
      await probe(page, 'body');
      assert.equal((await probe(page, '.state-badge')).texts[0], 'Your turn: Step runs solve weak for s5.1.1');
      await click(page, '.toolbar [data-action="pause"]');
      await click(page, '.toolbar [data-action="run"]');
      await click(page, '.toolbar [data-action="step"]');
      await click(page, '.toolbar [data-action="stop"]');
      assert.deepEqual(
        await posted(page, 'control'),
        [
          { type: 'control', action: 'run' },
          { type: 'control', action: 'step' },
          { type: 'control', action: 'stop' },
        ],
        'Pause is disabled while stepping',
      );
    });

    await check('keyboard: r s p x send controls; j/k select cards; a approves the selected review item', async (page) => {
      await load(
        page,
        { ...g.run, mode: 'run' },
        g.events.filter((e) => e.type !== 'state' && e.type !== 'waiting'),
      );
      await probe(page, 'body');
      await page.keyboard.press('p');
      await page.keyboard.press('x');
      await page.keyboard.press('r');
      assert.deepEqual(
        await posted(page, 'control'),
        [
          { type: 'control', action: 'pause' },
          { type: 'control', action: 'stop' },
        ],
        'r does nothing while running',
      );
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      assert.equal((await probe(page, '.card.selected')).count, 1);
      assert.equal(await page.evaluate(() => /** @type {HTMLElement} */ (document.querySelector('.card.selected')).dataset.attemptId), 's4.2.2');
      await page.keyboard.press('a');
      assert.deepEqual(await posted(page, 'approve'), [{ type: 'approve', attemptIds: ['s4.2.2'] }]);
      await page.keyboard.press('k');
      assert.equal(await page.evaluate(() => /** @type {HTMLElement} */ (document.querySelector('.card.selected')).dataset.attemptId), 's5.1.1');
    });

    await check('review: approve, reject with a required reason, edit then approve, bulk; decisions leave the queue', async (page) => {
      await load(page);
      await probe(page, 'body');
      await click(page, '.review-item [data-action="reject"]');
      await page.waitForSelector('.review-item [data-action="reject-confirm"][disabled]');
      await type(page, '.review-item vscode-text-field.reason', 'Hinges on a number from the table.');
      await click(page, '.review-item [data-action="reject-confirm"]');
      assert.deepEqual(await posted(page, 'reject'), [{ type: 'reject', attemptIds: ['s4.2.2'], reason: 'Hinges on a number from the table.' }]);
      // The host answers with a decision: the item leaves the queue and the card says so.
      await page.evaluate(() =>
        window.__send({
          type: 'events',
          events: [
            {
              type: 'review_decision',
              runId: 'run-2026-06-30-0912',
              seq: 9999,
              at: 't',
              attemptId: 's4.2.2',
              targetId: 's4.2',
              decision: 'rejected',
              reason: 'Hinges on a number from the table.',
            },
          ],
        }),
      );
      assert.equal((await probe(page, '.review-item')).count, 0);
      assert.equal((await probe(page, '.review-queue[hidden]')).count, 1);
      assert.deepEqual((await probe(page, '.card[data-attempt-id="s4.2.2"] .decision')).texts, ['Rejected: Hinges on a number from the table.']);

      await load(page);
      await probe(page, 'body');
      await click(page, '.review-item [data-action="edit"]');
      await type(page, '.review-item vscode-text-area[data-field="question"]', 'Edited: why exclude cut-off answers?');
      await type(page, '.review-item .rubric-row vscode-text-field.weight', '12');
      await click(page, '.review-item [data-action="approve-edited"]');
      assert.equal((await posted(page, 'approve')).length, 0, 'a weight of 12 is refused');
      assert.match((await probe(page, '.review-item .editor-error')).texts[0], /whole number from 1 to 10/);
      await type(page, '.review-item .rubric-row vscode-text-field.weight', '6');
      await click(page, '.review-item [data-action="approve-edited"]');
      const [edited] = await posted(page, 'approve');
      assert.equal(edited.edit.question, 'Edited: why exclude cut-off answers?');
      assert.equal(edited.edit.rubric[0].weight, 6);
      assert.equal(edited.edit.rubric.length, 5);

      await load(page);
      await probe(page, 'body');
      await page.evaluate(() => {
        const c = /** @type {HTMLInputElement} */ (document.querySelector('.review-queue [data-action="select-all"]'));
        c.checked = true;
        c.dispatchEvent(new Event('change'));
      });
      await click(page, '.review-queue [data-action="approve-selected"]');
      assert.deepEqual((await posted(page, 'approve')).at(-1), { type: 'approve', attemptIds: ['s4.2.2'] });
    });

    await check('step mode: edit the waiting question (other fields kept) and add a note for its section', async (page) => {
      await load(page);
      await probe(page, 'body');
      assert.equal((await probe(page, '[data-action="edit-challenge"]')).count, 1, 'only the waiting attempt offers edits');
      await click(page, '.card[data-attempt-id="s5.1.1"] [data-action="edit-challenge"]');
      await type(page, '.card[data-attempt-id="s5.1.1"] vscode-text-area[data-field="question"]', 'A sharper question?');
      await click(page, '.card[data-attempt-id="s5.1.1"] [data-action="save-challenge"]');
      const [edit] = await posted(page, 'editChallenge');
      assert.equal(edit.attemptId, 's5.1.1');
      assert.equal(edit.challenge.question, 'A sharper question?');
      assert.equal(edit.challenge.angle, 'cheating by weakening the weak solver');
      assert.ok(edit.challenge.sourceQuote.startsWith('Agents sometimes tried to cheat'));
      await click(page, '.card[data-attempt-id="s5.1.1"] [data-action="add-note"]');
      await type(page, '.card[data-attempt-id="s5.1.1"] vscode-text-area[data-field="note"]', 'Ask about the analyser, not the editor.');
      await click(page, '.card[data-attempt-id="s5.1.1"] [data-action="send-note"]');
      assert.deepEqual(await posted(page, 'addNote'), [{ type: 'addNote', text: 'Ask about the analyser, not the editor.', targetId: 's5.1' }]);
      // Once the engine moves on, the edit buttons go.
      await page.evaluate(() =>
        window.__send({ type: 'events', events: [{ type: 'state', runId: 'run-2026-06-30-0912', seq: 9999, at: 't', state: 'running' }] }),
      );
      assert.equal((await probe(page, '[data-action="edit-challenge"]')).count, 0);
    });

    await check('Show in source reveals the quote range; Open dataset; dots select cards', async (page) => {
      await load(page);
      await probe(page, 'body');
      await click(page, '.card[data-attempt-id="s3.4.2"] [data-action="reveal-source"]');
      assert.equal((await posted(page, 'revealSource')).length, 1);
      await click(page, '.toolbar [data-action="open-dataset"]');
      assert.deepEqual(await posted(page, 'openDataset'), [{ type: 'openDataset' }]);
      // Where the card's means put the dot, read off the plot's own axes (its grid lines at 0 and 1).
      const at = await page.evaluate(() => {
        const num = (sel) => Number((document.querySelector(`.card[data-attempt-id="s3.4.2"] ${sel}`)?.textContent ?? '').match(/\d+\.\d+/)?.[0]);
        const lines = [.../** @type {NodeListOf<SVGLineElement>} */ (document.querySelectorAll('svg.scatter line.grid'))];
        const vertical = lines.filter((l) => l.x1.baseVal.value === l.x2.baseVal.value).map((l) => l.getBoundingClientRect());
        const horizontal = lines.filter((l) => l.y1.baseVal.value === l.y2.baseVal.value).map((l) => l.getBoundingClientRect());
        if (vertical.length < 2 || horizontal.length < 2) throw new Error('the plot has no grid lines to read its axes from');
        const [x0, x1] = [vertical[0].left, vertical[vertical.length - 1].left];
        const [y0, y1] = [horizontal[0].top, horizontal[horizontal.length - 1].top];
        const weak = num('.score-weak');
        const strong = num('.score-strong');
        return { weak, strong, x: x0 + weak * (x1 - x0), y: y0 + strong * (y1 - y0) };
      });
      assert.ok(Number.isFinite(at.weak) && Number.isFinite(at.strong), `the card shows both means (${JSON.stringify(at)})`);
      await page.mouse.move(at.x, at.y);
      await page.waitForFunction(() => !(/** @type {HTMLElement} */ (document.querySelector('.scatter-tip')).hidden));
      assert.match(
        await page.evaluate(() => /** @type {Element} */ (document.querySelector('.scatter-tip')).textContent ?? ''),
        /^s3\.4\.2 · iteration \d+ · /,
      );
      await page.mouse.click(at.x, at.y);
      assert.equal(await page.evaluate(() => /** @type {HTMLElement | null} */ (document.querySelector('.card.selected'))?.dataset.attemptId), 's3.4.2');
      assert.equal((await probe(page, 'circle.dot.selected[data-attempt-id="s3.4.2"]')).count, 1);
      // Far from every dot, a click selects nothing new and the tooltip goes.
      await page.mouse.move(at.x, at.y - 400);
      await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('.scatter-tip')).hidden);
    });

    await check('a long run: a bounded DOM, and every card reachable by J/K, search and verdict filter', async (page) => {
      const { generateRun } = fixtures();
      const big = generateRun({ attempts: 2000, targets: 1400, seed: 7, decideShare: 0 });
      await load(page, big.run, big.events);
      const listed = await page.waitForFunction(
        (n) =>
          Number(/** @type {HTMLElement | null} */ (document.querySelector('.targets'))?.dataset.cards) >= n && document.querySelectorAll('.card').length > 0,
        big.attempts.length,
      );
      void listed;
      const rendered = await page.evaluate(() => document.querySelectorAll('.card').length);
      assert.ok(rendered > 0 && rendered < 100, `only the cards near the viewport are in the DOM (${rendered})`);
      // The plot draws every scored attempt with a fixed number of nodes.
      const plot = await page.evaluate(() => {
        const el = /** @type {Element} */ (document.querySelector('svg.scatter'));
        const counts = [...el.querySelectorAll('path.dots-of')].map((p) => Number(p.getAttribute('data-count')));
        return { nodes: el.querySelectorAll('*').length, plotted: Number(el.getAttribute('data-plotted')), drawn: counts.reduce((a, b) => a + b, 0) };
      });
      const scored = big.attempts.filter((a) => a.verdict.kind !== 'failed' && a.verdict.kind !== 'quality_failed').length;
      assert.ok(plot.plotted >= scored * 0.5 && plot.drawn === plot.plotted, `every plotted dot is drawn once (${JSON.stringify(plot)}, ${scored} scored)`);
      assert.ok(plot.nodes < 120, `the plot's nodes do not grow with the run (${plot.nodes})`);
      // The review queue shows a page of items, and the rest on request.
      const queue = await page.evaluate(() => ({
        shown: document.querySelectorAll('.review-item').length,
        total: Number(document.querySelector('.review-queue .count-badge')?.textContent),
      }));
      assert.ok(queue.total > queue.shown && queue.shown <= 50, `a page of the review queue (${JSON.stringify(queue)})`);
      await click(page, '.review-queue [data-action="show-more"]');
      assert.equal(await page.evaluate(() => document.querySelectorAll('.review-item').length), Math.min(queue.total, queue.shown * 2));
      // J walks every card in display order: the first three J presses select the first three cards of the list.
      const order = await page.evaluate(() =>
        [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.card'))].slice(0, 3).map((c) => c.dataset.attemptId),
      );
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('j');
      }
      assert.equal(await page.evaluate(() => /** @type {HTMLElement | null} */ (document.querySelector('.card.selected'))?.dataset.attemptId), order[2]);
      await page.keyboard.press('k');
      assert.equal(await page.evaluate(() => /** @type {HTMLElement | null} */ (document.querySelector('.card.selected'))?.dataset.attemptId), order[1]);
      // The oldest attempt, far below the viewport, by search.
      const oldest = big.attempts[0].attemptId;
      assert.equal(await page.evaluate((id) => !!document.querySelector(`.card[data-attempt-id="${id}"]`), oldest), false, 'not rendered before the search');
      await type(page, '.card-search', oldest);
      await page.waitForFunction((id) => !!document.querySelector(`.card[data-attempt-id="${id}"]`), oldest);
      await type(page, '.card-search', '');
      // A verdict filter leaves only that verdict, and the J walk follows it.
      await page.selectOption('.card-verdict', 'too_hard');
      await page.waitForFunction(() =>
        [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.card'))].every((c) => c.dataset.status === 'too_hard'),
      );
      const hard = big.attempts.filter((a) => a.verdict.kind === 'too_hard').length;
      assert.match(await page.evaluate(() => /** @type {Element} */ (document.querySelector('.card-shown')).textContent), new RegExp(`^${hard} of `));
      await page.keyboard.press('j');
      assert.equal(await page.evaluate(() => /** @type {HTMLElement | null} */ (document.querySelector('.card.selected'))?.dataset.status), 'too_hard');
      // Scrolled to the end, the last card of the list is rendered.
      await page.selectOption('.card-verdict', '');
      // As a person would: to the end again while rows measured taller than their estimate grow the list.
      await page.waitForFunction(() => {
        window.scrollTo(0, document.body.scrollHeight);
        return (
          document.querySelectorAll('.card').length > 0 &&
          /** @type {Element} */ (document.querySelector('.targets')).getBoundingClientRect().bottom <= window.innerHeight + 2
        );
      });
      const last = await page.evaluate(() => [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.card'))].at(-1)?.dataset.attemptId);
      assert.ok(last, 'cards at the end of the list are rendered');
    });

    await check('hostile text stays text; huge text is clipped with Show more; live text streams in', async (page) => {
      const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
      const run = panelRun('run-evil', g.run.thresholds);
      const s = (seq, body) => ({ runId: 'run-evil', seq, at: 't', ...body });
      const challenge = {
        question: `${evil} ${'long '.repeat(2000)}`,
        questionType: 't',
        skills: [],
        angle: evil,
        referenceAnswer: evil,
        rubric: [{ criterion: evil, weight: 3, negative: false }],
        sourceQuote: evil,
      };
      await load(page, run, [
        s(1, { type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 }),
        s(2, { type: 'challenge', attemptId: 's1.1', challenge }),
      ]);
      await page.evaluate(() => {
        window.__send({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 0, text: 'Streaming <b>text</b>' });
        window.__send({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 0, text: ' goes on' });
      });
      assert.equal((await probe(page, 'img, script:not([src])')).count, 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.ok((await probe(page, '.card .question')).texts[0].includes('<img src=x'));
      assert.equal((await probe(page, '.card .question [data-action="show-more"]')).count, 1);
      assert.deepEqual((await probe(page, '.card [data-action="reveal-source"][disabled]')).count, 1, 'no range: disabled');
      assert.match((await probe(page, '.card .live-preview')).texts[0], /Streaming <b>text<\/b> goes on/);
      assert.equal((await probe(page, '.card .chip.live')).count, 1);
    });
  } finally {
    await browser.close();
    server.close();
  }
  console.log(results.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
