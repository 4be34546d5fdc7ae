// A survey from question to results, through the pages (issue 10), once with JavaScript
// and once as plain forms without it: a moderator writes a survey on /surveys/new, a
// practitioner (a doer) and a consultant (a helper) answer it on its page, the results stay
// hidden from them until the moderator closes it, then the practitioner opens the results
// and sees every answer split by kind and by community role — the exact counts, shares and
// means. axe finds no serious or critical violation (nor a structure one) on the answer
// form, the page after answering, and the results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { expectSignedIn, pathOf, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

/** The text of a table as rows of cells (th and td alike), whitespace collapsed. */
async function tableRows(table) {
  return table.evaluate((t) => [...t.querySelectorAll('tr')].map((tr) =>
    [...tr.children].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
}

/** A table's body rows as {rowHeader: {columnHeader: cell}}. */
async function tableByHeader(table) {
  const [head, ...rows] = await tableRows(table);
  return Object.fromEntries(rows.map((r) => [r[0], Object.fromEntries(head.slice(1).map((h, i) => [h, r[i + 1]]))]));
}

/** An element's text with whitespace collapsed (badges lay their parts out as blocks). */
async function textOf(locator) {
  return (await locator.textContent()).replace(/\s+/g, ' ').trim();
}

/** The results section of the question whose heading starts with "N.". */
function questionSection(page, n) {
  return page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: new RegExp(`^${n}\\. `) }) });
}

const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
const summary = (r) => Object.entries(r.byImpact).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';

/** axe on the page as it is: nothing blocking (serious, critical, structure) in the light
 * theme, and no colour violation at all in the dark one (as tests/pages.test.mjs). */
async function expectAccessible(t, page, where) {
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await audit(page);
  t.diagnostic(`axe ${where} light: violations ${summary(light)}`);
  if (light.violations.length) t.diagnostic(light.text);
  assert.equal(light.blocking.length, 0, `axe on ${where} (light):\n${light.text}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await audit(page, { rules: COLOUR_RULES });
  t.diagnostic(`axe ${where} dark (colour rules): violations ${summary(dark)}`);
  assert.equal(dark.violations.length, 0, `axe colour rules on ${where} (dark):\n${dark.text}`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Answer the survey shown on page through its form: {single, scale, multi: [], text}. */
async function answer(page, { single, scale, multi, text }) {
  await page.getByRole('group', { name: /^1\. / }).getByRole('radio', { name: single, exact: true }).check();
  await page.getByRole('group', { name: /^2\. / }).getByRole('radio', { name: String(scale), exact: true }).check();
  for (const label of multi) {
    await page.getByRole('group', { name: /^3\. / }).getByRole('checkbox', { name: label, exact: true }).check();
  }
  await page.getByLabel(/^4\. /).fill(text);
  await submit(page, page.getByRole('button', { name: 'Send my answers' }));
}

for (const mode of JS_MODES) {
  const js = mode.javaScriptEnabled;
  const opts = { javaScriptEnabled: js };

  describe(`a survey answered and its results ${mode.label}`, () => {
    it('create on /surveys/new, answer as a doer and a helper, close, read the results by role', { timeout: 240_000 }, async (t) => {
      const tag = unique('s').slice(-6);
      const modName = unique('mod');
      s.corral.addUser(modName, { role: 'moderator', communityRole: 'trainer' });
      const mod = await s.pageAs(await s.corral.signIn(modName), opts);

      // The moderator writes the survey as text blocks on /surveys/new.
      const title = `Emergency changes at night ${tag}`;
      await mod.goto('/surveys/new');
      await mod.getByLabel(/^Title/).fill(title);
      await mod.getByLabel(/^Introduction/).fill('Tell us how **emergency changes** go where you work.');
      await mod.getByLabel(/^Questions/).fill([
        'single (required): Who signs off your emergency changes?', '- The duty manager', '- The CAB', '- Nobody', '',
        'scale (required): How well does that work?', '',
        'multi: Where do you hear about them?', '- Email', '- Chat', '- The CAB', '',
        'text: What would you change?',
      ].join('\n'));
      await submit(mod, mod.getByRole('button', { name: 'Create the survey' }));
      const m = /^\/surveys\/(\d+)$/.exec(pathOf(mod));
      assert.ok(m, `the survey's page after creating it, not ${mod.url()}`);
      const id = Number(m[1]);
      await mod.getByRole('heading', { level: 1, name: title }).waitFor();

      // A practitioner answers: the doer.
      const pat = await s.corral.register({ username: unique('pat'), communityRole: 'practitioner' });
      const doer = await s.pageAs(pat, opts);
      await doer.goto(`/surveys/${id}`);
      await expectSignedIn(doer, pat.username);
      await doer.getByRole('heading', { level: 1, name: title }).waitFor();
      assert.equal(await doer.getByText('The results are shown to everyone when the survey closes.').count(), 1);
      if (js) await expectAccessible(t, doer, 'the survey\'s answer form');
      await answer(doer, { single: 'The duty manager', scale: 4, multi: ['Email', 'Chat'], text: `Name one approver per night ${tag}` });
      assert.equal(pathOf(doer), `/surveys/${id}`);
      await doer.getByRole('status').filter({ hasText: 'Your answers are saved.' }).waitFor();
      assert.match(await textOf(doer.locator('p', { hasText: 'You answered on' })), /as Practitioner \(doer\)/);
      // the form shows the answers given, ready to be changed
      assert.equal(await doer.getByRole('group', { name: /^1\. / }).getByRole('radio', { name: 'The duty manager' }).isChecked(), true);
      assert.equal(await doer.getByRole('group', { name: /^2\. / }).getByRole('radio', { name: '4', exact: true }).isChecked(), true);
      assert.equal(await doer.getByRole('button', { name: 'Save my changed answers' }).count(), 1);
      if (js) await expectAccessible(t, doer, 'the survey after answering');

      // A consultant answers: the helper.
      const con = await s.corral.register({ username: unique('con'), communityRole: 'consultant' });
      const helper = await s.pageAs(con, opts);
      await helper.goto(`/surveys/${id}`);
      await answer(helper, { single: 'The CAB', scale: 2, multi: ['Chat', 'The CAB'], text: `Fewer meetings ${tag}` });
      await helper.getByRole('status').filter({ hasText: 'Your answers are saved.' }).waitFor();
      assert.match(await textOf(helper.locator('p', { hasText: 'You answered on' })), /as Consultant \(helper\)/);

      // Until the survey closes, only moderators see the results.
      const early = await doer.goto(`/surveys/${id}/results`);
      assert.equal(early.status(), 403, 'the results are hidden from members while the survey is open');

      // The moderator closes it from its page and lands on the results.
      await mod.goto(`/surveys/${id}`);
      await submit(mod, mod.getByRole('button', { name: 'Close the survey now' }));
      assert.equal(pathOf(mod), `/surveys/${id}/results`);

      // The practitioner follows the survey's link to its results.
      await doer.goto(`/surveys/${id}`);
      await doer.getByText('This survey is closed.').waitFor();
      await submit(doer, doer.getByRole('link', { name: 'See the results' }));
      assert.equal(pathOf(doer), `/surveys/${id}/results`);
      await doer.getByRole('heading', { level: 1, name: `Results: ${title}` }).waitFor();
      const main = doer.getByRole('main');
      await main.getByText('Respondents: 2 — doers: 1, helpers: 1.').waitFor();
      const who = await tableByHeader(doer.locator('section', { has: doer.locator('#who-h') }).locator('table'));
      assert.equal(who['Practitioner (doer)'].Respondents, '1');
      assert.equal(who['Practitioner (doer)']['Share of respondents'], '50 %');
      assert.equal(who['Consultant (helper)'].Respondents, '1');
      assert.equal(who['Vendor (helper)'].Respondents, '0');

      // 1. one choice: each option by all, doers, helpers and every role.
      const q1 = questionSection(doer, 1);
      assert.equal(await textOf(q1.locator('p.muted').first()), 'Answered by 2 — doers: 1, helpers: 1.');
      const t1 = await tableByHeader(q1.locator('table'));
      assert.deepEqual(Object.keys(t1), ['The duty manager', 'The CAB', 'Nobody']);
      assert.deepEqual(
        [t1['The duty manager'].All, t1['The duty manager'].Doers, t1['The duty manager'].Helpers,
          t1['The duty manager'].Practitioner, t1['The duty manager'].Consultant, t1['The duty manager'].Vendor],
        ['1 (50 %)', '1 (100 %)', '0 (0 %)', '1 (100 %)', '0 (0 %)', '0 (–)']);
      assert.deepEqual(
        [t1['The CAB'].All, t1['The CAB'].Doers, t1['The CAB'].Helpers, t1['The CAB'].Practitioner, t1['The CAB'].Consultant],
        ['1 (50 %)', '0 (0 %)', '1 (100 %)', '0 (0 %)', '1 (100 %)']);
      assert.deepEqual([t1.Nobody.All, t1.Nobody.Doers, t1.Nobody.Helpers], ['0 (0 %)', '0 (0 %)', '0 (0 %)']);

      // 2. the scale: means by kind, the distribution, the mean by role.
      const q2 = questionSection(doer, 2);
      assert.match(await textOf(q2.locator('p.muted').first()),
        /^Answered by 2 — doers: 1, helpers: 1\. Mean 3(\.0+)? \(doers 4(\.0+)?, helpers 2(\.0+)?\)\.$/);
      const [dist, means] = await Promise.all([tableByHeader(q2.locator('table').nth(0)), tableByHeader(q2.locator('table').nth(1))]);
      assert.deepEqual(dist, {
        1: { All: '0', Doers: '0', Helpers: '0' },
        2: { All: '1', Doers: '0', Helpers: '1' },
        3: { All: '0', Doers: '0', Helpers: '0' },
        4: { All: '1', Doers: '1', Helpers: '0' },
        5: { All: '0', Doers: '0', Helpers: '0' },
      });
      assert.equal(means['Practitioner (doer)'].Answered, '1');
      assert.match(means['Practitioner (doer)'].Mean, /^4(\.0+)?$/);
      assert.equal(means['Consultant (helper)'].Answered, '1');
      assert.match(means['Consultant (helper)'].Mean, /^2(\.0+)?$/);

      // 3. any choices: shares of those who answered, so Chat is 100 % on both sides.
      const t3 = await tableByHeader(questionSection(doer, 3).locator('table'));
      assert.deepEqual(
        Object.fromEntries(Object.entries(t3).map(([k, v]) => [k, [v.All, v.Doers, v.Helpers, v.Practitioner, v.Consultant]])),
        {
          Email: ['1 (50 %)', '1 (100 %)', '0 (0 %)', '1 (100 %)', '0 (0 %)'],
          Chat: ['2 (100 %)', '1 (100 %)', '1 (100 %)', '1 (100 %)', '1 (100 %)'],
          'The CAB': ['1 (50 %)', '0 (0 %)', '1 (100 %)', '0 (0 %)', '1 (100 %)'],
        });

      // 4. free text: grouped under the role of the person who wrote it, unnamed.
      const q4 = questionSection(doer, 4);
      const groups = await q4.locator('h3').evaluateAll((hs) => hs.map((h) => ({
        head: h.textContent.replace(/\s+/g, ' ').trim(),
        answers: [...h.nextElementSibling.querySelectorAll('li')].map((li) => li.textContent.trim()),
      })));
      assert.deepEqual(groups, [
        { head: 'Practitioner (doer) 1', answers: [`Name one approver per night ${tag}`] },
        { head: 'Consultant (helper) 1', answers: [`Fewer meetings ${tag}`] },
      ]);
      assert.equal(await q4.getByRole('link', { name: pat.username }).count(), 0, 'a non-public survey names nobody');

      if (js) await expectAccessible(t, doer, 'the survey\'s results');
    });
  });
}
