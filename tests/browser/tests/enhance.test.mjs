// What JavaScript adds on top of pages that work without it: the live Markdown preview
// under post editors, similar threads while a title is typed, and replies arriving live
// from another reader's browser (Server-Sent Events).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { postItem, replyInPlace, sameDocument } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';
import { fixtures } from '../lib/pages.mjs';

const s = useSuite();

describe('with JavaScript', () => {
  it('previews Markdown live under the new-thread editor, and says when the server refuses it', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.member);
    await page.goto('/new');
    const preview = page.locator('.preview[aria-live="polite"]');
    await preview.getByRole('heading', { name: 'Preview' }).waitFor();
    await page.getByLabel(/^What do you want to discuss/).fill(`A **bold** idea for @${f.admin.username}, see IDEA-1`);
    await preview.locator('.post-body strong', { hasText: 'bold' }).waitFor();
    await preview.locator(`.post-body a.mention[href="/u/${f.admin.username}"]`).waitFor();
    await preview.locator('.post-body a.idea-ref[href="/ideas/1"]').waitFor();
    // Input the renderer refuses: its message instead of a preview.
    await page.getByLabel(/^What do you want to discuss/).fill(`${'>'.repeat(120)} too deep`);
    await preview.locator('.help.danger', { hasText: /nests quotes, lists or emphasis too deeply/ }).waitFor();
    assert.equal(await preview.locator('.post-body strong').count(), 0);
    // …and back.
    await page.getByLabel(/^What do you want to discuss/).fill('_fine_ again');
    await preview.locator('.post-body em', { hasText: 'fine' }).waitFor();
  });

  it('previews a reply as it is typed, and the edit page shows the post at once', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.admin);
    await page.goto(`/t/${f.thread.id}`);
    const main = page.locator('form[action$="/reply"]').filter({ has: page.locator('#reply-main') });
    await main.getByLabel(/^Your reply/).fill('* one\n* two');
    await main.locator('.preview .post-body li', { hasText: 'two' }).waitFor();
    const first = page.locator('ol.posts > li.post.depth-0');
    await first.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit post' }).waitFor();
    await page.locator('.preview .post-body em', { hasText: 'managers' }).waitFor();
  });

  it('says once that the reply form expired, and keeps the reply with a fresh token', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.member);
    await page.goto(`/t/${f.thread.id}`);
    const main = page.locator('form[action$="/reply"]').filter({ has: page.locator('#reply-main') });
    // the session's token changed since the page was drawn (signed in again elsewhere, say)
    await main.locator('input[name="csrf"]').evaluate((el) => { el.value = 'stale'.repeat(8); });
    const text = `Typed before the form expired ${unique('x')}`;
    await main.getByLabel(/^Your reply/).fill(text);
    // the preview, refused for the same stale token, leaves that error to the form
    await main.locator('.preview.refused').waitFor();
    await main.getByRole('button', { name: 'Post reply' }).click();
    // the script hands the refusal to a plain post: the server shows the form again
    await page.locator('#form-error').waitFor();
    assert.equal(await page.getByText(/The form has expired/).count(), 1, 'the error is said once');
    const again = page.locator('form[action$="/reply"]').filter({ has: page.locator('#reply-main') });
    assert.equal(await again.locator('#reply-main').inputValue(), text);
    assert.notEqual(await again.locator('input[name="csrf"]').inputValue(), 'stale'.repeat(8));
    await again.getByRole('button', { name: 'Post reply' }).click();
    await postItem(page, text).waitFor();
  });

  it('a preview being fetched keeps its text readable (contrast while busy)', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.member);
    await page.goto('/new');
    const preview = page.locator('.preview[aria-live="polite"]');
    await preview.getByText('Nothing to preview yet.').waitFor();
    // the state preview.js holds while a request is out: held here, the moment is short
    await preview.evaluate((box) => box.setAttribute('aria-busy', 'true'));
    const a11y = await audit(page, { rules: ['color-contrast'] });
    assert.deepEqual(a11y.violations, [], `a busy preview:\n${a11y.text}`);
  });

  it('the inline reply box has a Markdown help and previews a table as it is typed (issue 16)', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.admin);
    await page.goto(`/t/${f.thread.id}`);
    const first = page.locator('ol.posts > li.post.depth-0');
    await first.getByRole('link', { name: 'Reply', exact: true }).click();
    const form = first.locator('form.inplace');
    await form.getByLabel(/^Your reply/).fill('| Who | How often |\n|-----|----------:|\n| CAB | ~~weekly~~ daily |');
    const preview = form.locator('.preview[aria-live="polite"]');
    await preview.locator('.post-body table td', { hasText: 'CAB' }).waitFor();
    assert.equal(await preview.locator('.post-body table del').innerText(), 'weekly');
    const help = form.locator('details.md-help');
    await help.locator('summary', { hasText: 'Markdown help' }).click();
    await help.getByText('a table:').waitFor();
    // a second post's form in place (issue 20: copies of the page's one reply form) has ids of
    // its own, its labels tied to them; the link says its form is open, and closes it
    const link = first.getByRole('link', { name: 'Reply', exact: true });
    assert.equal(await link.getAttribute('aria-expanded'), 'true');
    const second = page.locator('ol.posts > li.post.depth-1').last();
    await second.getByRole('link', { name: 'Reply', exact: true }).click();
    await second.locator('form.inplace').getByLabel(/^Your reply/).waitFor();
    const ids = await page.$$eval('[id]', (els) => els.map((e) => e.id));
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'every id once');
    const a11y = await audit(page, { rules: ['label', 'form-field-multiple-labels', 'aria-valid-attr-value'] });
    assert.deepEqual(a11y.violations, [], `two reply forms in place:\n${a11y.text}`);
    await link.click();
    assert.equal(await first.locator('form.inplace').count(), 0, 'the link closed its form');
    assert.equal(await link.getAttribute('aria-expanded'), 'false');
    // Escape closes the other one and puts the focus back on its link
    await second.locator('form.inplace textarea').press('Escape');
    assert.equal(await second.locator('form.inplace').count(), 0, 'Escape closed the form');
    assert.equal(await second.getByRole('link', { name: 'Reply', exact: true }).evaluate((el) => el === document.activeElement), true);
  });

  it('lists threads with similar titles, and why, while the title is typed', TEST, async () => {
    const f = await fixtures(s);
    const page = await s.pageAs(f.member);
    await page.goto('/new');
    const title = page.getByLabel('Title');
    await title.pressSequentially('Who attends the change advisory boards', { delay: 5 });
    const similar = page.locator('.similar-live[aria-live="polite"]');
    const link = similar.getByRole('link', { name: 'Who attends your change advisory board?' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `/t/${f.thread.id}`);
    // …with why it is offered: the words the titles share
    const item = similar.getByRole('listitem').filter({ hasText: 'Who attends your change advisory board?' });
    await item.getByText('Shares the words attends, change, advisory and board').waitFor();
    // Too short a title lists nothing.
    await title.fill('Wh');
    await similar.getByRole('link').first().waitFor({ state: 'detached' });
  });

  it('shows a reply posted in another browser live, in its place in the tree', TEST, async () => {
    const f = await fixtures(s);
    const reader = await s.page();
    await reader.goto(`/t/${f.thread.id}`);
    // the reader's event stream is open before the reply is written
    // (a stream never completes, so it has no resource-timing entry: live.js marks the list)
    await reader.locator('ol.posts[data-live="open"]').waitFor();
    const writer = await s.pageAs(f.admin);
    await writer.goto(`/t/${f.thread.id}`);
    const opening = writer.locator('ol.posts > li.post.depth-0');
    const text = `Live from another browser ${unique('l')}`;
    await replyInPlace(writer, opening, text, { js: true });
    // the writer sees it in place at once (trusted: no waiting)
    const mine = postItem(writer, text);
    await mine.waitFor();
    // in the same moment, the reply form's live preview no longer shows the posted text
    assert.equal(await opening.locator('.preview .post-body', { hasText: text }).count(), 0,
      'the preview of the posted reply is emptied with the form');
    assert.ok(await sameDocument(writer));
    await writer.getByRole('status').filter({ hasText: 'Your reply is posted.' }).waitFor();
    assert.match(await mine.getAttribute('class'), /\bdepth-1\b.*\barrived\b/);
    // …and the reader gets it through the event stream, right after the opening post's replies
    const theirs = postItem(reader, text);
    await theirs.waitFor({ timeout: 20_000 });
    assert.match(await theirs.getAttribute('class'), /\barrived\b/);
    const ids = await reader.$$eval('ol.posts > li.post', (lis) => lis.map((li) => li.id));
    assert.equal(ids.at(-1), await theirs.getAttribute('id'), `a reply to the opening post comes last: ${ids}`);
    assert.equal(await reader.locator('#live-status').innerText(), 'A new reply arrived.');
  });

  it('holds the stream\'s copy of its own reply until the reply\'s answer places it', TEST, async () => {
    const f = await fixtures(s);
    const writer = await s.pageAs(f.admin);
    // the reply's answer comes late: the thread's event stream brings the post first
    let answered = false;
    await writer.route('**/api/v1/threads/*/posts', async (route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 1500));
      answered = true;
      await route.fulfill({ response });
    });
    await writer.goto(`/t/${f.thread.id}`);
    await writer.locator('ol.posts[data-live="open"]').waitFor();
    const opening = writer.locator('ol.posts > li.post.depth-0');
    const text = `Held until answered ${unique('h')}`;
    await replyInPlace(writer, opening, text, { js: true });
    const mine = postItem(writer, text);
    await mine.waitFor();
    assert.ok(answered, 'the post appears only once its reply is answered, not from the stream before');
    assert.equal(await opening.locator('.preview .post-body', { hasText: text }).count(), 0,
      'the posted text is gone from the form and its preview as the post appears');
    assert.equal(await writer.getByRole('textbox', { name: /^Your reply/ }).first().inputValue(), '');
    assert.equal(await mine.count(), 1, 'placed once');
    assert.ok(await sameDocument(writer));
  });
});
