// Reactions and accepted answers work without JavaScript: a small form per reaction under
// each post, and the thread's author marks a reply as the answer, shown under the question
// (issue 19).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import { markDocument, sameDocument } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function person(role, communityRole) {
  const name = unique('rx');
  s.corral.addUser(name, { role, communityRole });
  return s.corral.signIn(name);
}

async function call(who, method, path, body) {
  const r = await s.corral.api(method, path, body, { cookie: who.cookie, csrf: who.csrf });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('reactions and answers without JavaScript', () => {
  it('reacts with a form, sees the split by role, and takes it back', TEST, async () => {
    const author = await person('moderator', 'trainer');   // moderators post at once
    const reader = await person('moderator', 'practitioner');
    const t = await call(author, 'POST', '/api/v1/threads', {
      category: 'general', title: `Worth a +1 ${unique('t')}`, body: 'Opening words.',
    });
    const p = await call(author, 'POST', `/api/v1/threads/${t.thread.id}/posts`, { body: 'A reply worth agreeing with.' });
    const page = await s.pageAs(reader, { javaScriptEnabled: false });
    await page.goto(`/t/${t.thread.id}`);
    const li = page.locator(`#p${p.post.id}`);
    await li.getByRole('button', { name: /^\+1 0$/ }).click();
    await page.waitForURL(`**/t/${t.thread.id}*`);
    const pressed = li.getByRole('button', { name: /Take back \+1 1/ });
    await pressed.waitFor();
    assert.equal(await pressed.getAttribute('aria-pressed'), 'true');
    await li.locator('.reaction-split', { hasText: 'from 1 practitioner' }).waitFor();
    await pressed.click();
    await li.getByRole('button', { name: /^\+1 0$/ }).waitFor();
    assert.equal(await li.locator('.reaction-split').count(), 0);
    // no buttons on one's own post
    const own = await s.pageAs(author, { javaScriptEnabled: false });
    await own.goto(`/t/${t.thread.id}`);
    assert.equal(await own.locator(`#p${p.post.id} p.reactions button`).count(), 0);
  });

  it('marks a reply as the answer and shows it under the question', TEST, async () => {
    const admin = await person('admin', 'analyst');
    const asker = await person('moderator', 'practitioner');
    const helper = await person('moderator', 'consultant');
    const slug = unique('q').slice(0, 12).toLowerCase();
    await call(admin, 'POST', '/api/v1/categories', { slug, name: `Questions ${slug}`, question_style: true });
    // the asker is a moderator only so that posts appear at once; the thread is theirs
    const t = await call(asker, 'POST', '/api/v1/threads', {
      category: slug, title: `How do we stop CAB delays ${unique('t')}`, body: 'Any ideas?',
    });
    const p = await call(helper, 'POST', `/api/v1/threads/${t.thread.id}/posts`, { body: 'Pre-approve standard changes.' });
    const page = await s.pageAs(asker, { javaScriptEnabled: false });
    await page.goto(`/t/${t.thread.id}`);
    await page.locator(`#p${p.post.id}`).getByRole('button', { name: 'Mark as the answer' }).click();
    await page.waitForURL(`**/t/${t.thread.id}`);
    const box = page.locator('aside.accepted-answer');
    await box.getByRole('heading', { name: 'Accepted answer' }).waitFor();
    await box.getByText(helper.username).waitFor();
    await box.locator('.badge', { hasText: 'Consultant' }).waitFor();
    assert.equal(await box.getByRole('link', { name: 'Read the answer' }).getAttribute('href'), `/p/${p.post.id}`);
    await page.locator(`#p${p.post.id} .answer-mark`).waitFor();
    // the category's list says solved
    await page.goto(`/c/${slug}?solved=1`);
    await page.locator('.thread-item', { hasText: t.thread.title }).locator('.solved').waitFor();
  });
});

describe('reactions with JavaScript', () => {
  it('reacts in place, without a reload', TEST, async () => {
    const author = await person('moderator', 'trainer');
    const reader = await person('moderator', 'vendor');
    const t = await call(author, 'POST', '/api/v1/threads', {
      category: 'general', title: `Thanks in place ${unique('t')}`, body: 'Opening words.',
    });
    const p = await call(author, 'POST', `/api/v1/threads/${t.thread.id}/posts`, { body: 'Helpful, I hope.' });
    const page = await s.pageAs(reader);
    await page.goto(`/t/${t.thread.id}`);
    await markDocument(page);
    const li = page.locator(`#p${p.post.id}`);
    await li.getByRole('button', { name: /^Thanks 0$/ }).click();
    await li.getByRole('button', { name: /Take back Thanks 1/ }).waitFor();
    await li.locator('.reaction-split', { hasText: 'from 1 helper' }).waitFor();
    await li.getByRole('button', { name: /Take back Thanks 1/ }).click();
    await li.getByRole('button', { name: /^Thanks 0$/ }).waitFor();
    assert.ok(await sameDocument(page), 'the page was not reloaded');
    const r = await s.corral.api('GET', `/api/v1/posts/${p.post.id}`);
    assert.equal(r.body.post.reactions.find((x) => x.kind === 'thanks').total, 0);
  });
});
