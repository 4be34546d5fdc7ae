// Ideas like Fider (issue 19): without JavaScript a member proposes an idea from the board
// after checking for similar ones, a moderator accepts it from the ideas queue, and members
// comment on the idea page; with it, similar ideas are listed while the title is typed.
// axe checks the new pages where scripts run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { decideOnMod, pathOf, submit } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function person(role, communityRole) {
  const name = unique('ip');
  s.corral.addUser(name, { role, communityRole });
  return s.corral.signIn(name);
}

async function call(who, method, path, body) {
  const r = await s.corral.api(method, path, body, { cookie: who.cookie, csrf: who.csrf });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function noBlockingAxe(page, where) {
  const result = await audit(page);
  assert.equal(result.blocking.length, 0, `axe on ${where}:\n${result.text}`);
}

describe('proposing ideas and commenting on them', () => {
  it('proposes an idea after checking for similar ones; a moderator accepts it', TEST, async () => {
    const mod = await person('moderator', 'consultant');
    const member = await person('member', 'practitioner');
    const word = unique('kz');
    const existing = await call(mod, 'POST', '/api/v1/ideas', { title: `Rotate the ${word} keys monthly`, summary: 's' });
    const page = await s.pageAs(member, { javaScriptEnabled: false });
    await page.goto('/ideas');
    await submit(page, page.getByRole('link', { name: 'Propose an idea' }));
    assert.equal(pathOf(page), '/ideas/new');
    const title = `Rotate ${word} keys every month`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel(/What is the idea/).fill('Monthly, *with* a checklist.');
    await submit(page, page.getByRole('button', { name: 'Check for similar ideas' }));
    const similar = page.getByRole('region', { name: 'Is this idea on the board already?' });
    await similar.getByRole('link', { name: new RegExp(`IDEA-${existing.idea.number} `) }).waitFor();
    assert.equal(await page.getByLabel('Title').inputValue(), title);   // kept what was typed
    assert.equal(await page.getByLabel(/What is the idea/).inputValue(), 'Monthly, *with* a checklist.');
    await submit(page, page.getByRole('button', { name: 'Propose the idea' }));
    assert.match(pathOf(page), /^\/ideas\/proposals\/\d+$/);
    await page.getByText('waits for a moderator').waitFor();
    const proposalPath = pathOf(page);

    const modPage = await s.pageAs(mod, { javaScriptEnabled: false });
    await decideOnMod(modPage, 'ideas', title, 'Accept');
    await page.goto(proposalPath);
    const link = page.getByRole('link', { name: /^IDEA-\d+$/ });
    await link.waitFor();
    await submit(page, link);
    await page.getByRole('heading', { level: 1, name: new RegExp(title) }).waitFor();
    await page.getByRole('button', { name: /Stop following/ }).waitFor();   // the proposer follows it
  });

  it('comments on an idea, shown with the role; the author edits it', TEST, async () => {
    const mod = await person('moderator', 'consultant');
    const member = await person('member', 'analyst');
    const idea = await call(mod, 'POST', '/api/v1/ideas', { title: `Comment on me ${unique('c')}`, summary: 's' });
    const page = await s.pageAs(member, { javaScriptEnabled: false });
    await page.goto(`/ideas/${idea.idea.number}`);
    await page.getByLabel(/Add a comment/).fill('We tried this **last year**.');
    await submit(page, page.getByRole('button', { name: 'Comment', exact: true }));
    const comment = page.locator('li.comment', { hasText: 'We tried this' });
    await comment.locator('strong', { hasText: 'last year' }).waitFor();
    await comment.locator('.badge', { hasText: 'Analyst' }).waitFor();
    await comment.getByText('Edit').click();
    await comment.getByLabel('Your comment').fill('We tried this twice.');
    await submit(page, comment.getByRole('button', { name: 'Save' }));
    await page.locator('li.comment', { hasText: 'We tried this twice.' }).getByText('edited').waitFor();
  });

  it('lists similar ideas while the title is typed, with JavaScript', TEST, async () => {
    const mod = await person('moderator', 'consultant');
    const member = await person('member', 'practitioner');
    const word = unique('jz');
    const existing = await call(mod, 'POST', '/api/v1/ideas', { title: `Shorter ${word} meetings`, summary: 's' });
    const page = await s.pageAs(member);
    await page.goto('/ideas/new');
    await page.getByLabel('Title').pressSequentially(`${word} meetings`);
    const live = page.locator('.similar-live[aria-live="polite"]');
    const link = live.getByRole('link', { name: `IDEA-${existing.idea.number} Shorter ${word} meetings` });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `/ideas/${existing.idea.number}`);
    await live.getByText('is yours on the board already?').waitFor();
  });

  it('the new pages pass axe', TEST, async () => {
    const member = await person('member', 'practitioner');
    const mod = await person('moderator', 'consultant');
    const idea = await call(mod, 'POST', '/api/v1/ideas', { title: `Audit me ${unique('a')}`, summary: 's' });
    await call(member, 'POST', `/api/v1/ideas/${idea.idea.number}/comments`, { body: 'A comment' });
    const p = await call(member, 'POST', '/api/v1/ideas', { title: `Proposed ${unique('a')}`, summary: 's' });
    const page = await s.pageAs(member);
    for (const path of ['/ideas/new', `/ideas/proposals/${p.proposal.id}`, `/ideas/${idea.idea.number}`]) {
      await page.goto(path);
      await noBlockingAxe(page, path);
    }
    const modPage = await s.pageAs(mod);
    await modPage.goto('/mod?kind=ideas');
    await noBlockingAxe(modPage, '/mod?kind=ideas');
  });
});
