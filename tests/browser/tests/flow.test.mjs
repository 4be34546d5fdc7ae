// The whole life of a discussion, as the people in it do it through the pages, once with
// JavaScript (replies, flags and votes happen in place, without a reload) and once as plain
// form posts without it: a practitioner registers and starts a thread, a moderator approves
// it, a consultant replies, the practitioner answers that reply (nested), a vendor flags the
// reply and a moderator hides it, the vendor suggests the opening post as an idea, the
// moderator accepts it on /mod, and a doer and a helper vote for it on /ideas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import {
  decideOnMod, expectSignedIn, flagPost, markDocument, pathOf, postId, postItem, press, registerViaForm,
  replyInPlace, sameDocument, startThreadViaForm, voteCounts,
} from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

for (const mode of JS_MODES) {
  const js = mode.javaScriptEnabled;
  const opts = { javaScriptEnabled: js };

  describe(`a discussion from start to idea ${mode.label}`, () => {
    it('register, post, reply, nested reply, flag, hide, nominate, accept, vote', { timeout: 240_000 }, async () => {
      const tag = unique('f').slice(-6);
      const modName = unique('mod');
      s.corral.addUser(modName, { role: 'moderator', communityRole: 'trainer' });
      const mod = await s.pageAs(await s.corral.signIn(modName), opts);
      const consultant = await s.corral.register({ communityRole: 'consultant' });
      const vendor = await s.corral.register({ communityRole: 'vendor' });

      // A practitioner registers and starts a thread: as a new account, it waits for a moderator.
      const alice = await s.page(opts);
      const { username } = await registerViaForm(alice, { role: 'Practitioner' });
      await expectSignedIn(alice, username);
      const title = `Who signs off your emergency changes? ${tag}`;
      const opening = `At night nobody can approve an emergency change. ${tag}`;
      const threadId = await startThreadViaForm(alice, { title, body: opening });
      const openingLi = postItem(alice, opening);
      assert.match(await openingLi.getAttribute('class'), /\bpending\b/, 'a new account\'s thread waits');
      const openingId = await postId(openingLi);

      // The moderator approves it from the pending queue.
      await decideOnMod(mod, 'pending', opening, 'Approve');

      // A consultant replies to the opening post; a new account's reply waits too.
      const bob = await s.pageAs(consultant, opts);
      await bob.goto(`/t/${threadId}`);
      const replyText = `Our tool routes them to the duty manager. ${tag}`;
      await replyInPlace(bob, postItem(bob, opening), replyText, { js });
      const bobLi = postItem(bob, replyText);
      await bobLi.waitFor();
      if (js) {
        await bob.getByRole('status').filter({ hasText: 'Your post is waiting for a moderator.' }).waitFor();
        assert.ok(await sameDocument(bob), 'the reply was posted without a reload');
        assert.equal(await postItem(bob, opening).locator('form.inplace').count(), 0, 'the reply form closed');
      } else {
        assert.equal(pathOf(bob), `/t/${threadId}`);
      }
      assert.match(await bobLi.getAttribute('class'), /\bdepth-1\b.*\bpending\b/);
      assert.equal(await bobLi.getAttribute('data-parent'), String(openingId));
      const bobId = await postId(bobLi);
      await decideOnMod(mod, 'pending', replyText, 'Approve');

      // The practitioner answers that reply: a nested reply, right under it.
      await alice.goto(`/t/${threadId}`);
      const nestedText = `A duty manager at 3 am approves anything. ${tag}`;
      await replyInPlace(alice, postItem(alice, replyText), nestedText, { js });
      const nested = postItem(alice, nestedText);
      await nested.waitFor();
      if (js) assert.ok(await sameDocument(alice), 'the nested reply was posted without a reload');
      assert.match(await nested.getAttribute('class'), /\bdepth-2\b/);
      assert.equal(await nested.getAttribute('data-parent'), String(bobId));
      const order = await alice.$$eval('ol.posts > li.post', (lis) => lis.map((li) => li.id));
      assert.equal(order.indexOf(`p${await postId(nested)}`), order.indexOf(`p${bobId}`) + 1,
        `the nested reply follows its parent: ${order}`);

      // A vendor flags the consultant's reply.
      const carol = await s.pageAs(vendor, opts);
      await carol.goto(`/t/${threadId}`);
      await flagPost(carol, postItem(carol, replyText), { reason: 'Spam', note: `Advertising ${tag}` }, { js });
      if (js) {
        await carol.getByRole('status').filter({ hasText: 'Thanks — a moderator will look at it.' }).waitFor();
        assert.ok(await sameDocument(carol), 'flagged without a reload');
        assert.equal(await postItem(carol, replyText).locator('form.inplace').count(), 0, 'the flag form closed');
      } else {
        await carol.getByRole('heading', { level: 1, name: title }).waitFor();
      }

      // The moderator hides it from the flags queue: the others no longer see it.
      await decideOnMod(mod, 'flags', replyText, 'Hide post', { 'Reason (sent to the author on reject, hide and suspend)': 'Advertising.' });
      const anon = await s.page(opts);
      await anon.goto(`/t/${threadId}`);
      await postItem(anon, opening).waitFor();
      assert.equal(await postItem(anon, replyText).count(), 0, 'the hidden reply is gone for readers');
      await carol.goto(`/t/${threadId}`);
      assert.equal(await postItem(carol, replyText).count(), 0, 'and for members');

      // The vendor suggests the opening post as an idea; the moderator accepts it.
      const suggest = postItem(carol, opening).getByRole('button', { name: 'Suggest as an idea' });
      await press(carol, suggest, { js });
      if (js) {
        await carol.getByRole('status').filter({ hasText: 'Thanks — the moderators will consider it as an idea.' }).waitFor();
        assert.ok(await sameDocument(carol));
      }
      const ideaTitle = `A night-time approver rota ${tag}`;
      await decideOnMod(mod, 'ideas', opening, 'Accept as a new idea', {
        Title: ideaTitle, 'Summary (Markdown)': 'Name one **approver** per night.',
      });

      // A doer and a helper vote on the board: the counts split by kind.
      for (const [page, counts] of [[alice, { total: 1, doers: 1, helpers: 0 }], [carol, { total: 2, doers: 1, helpers: 1 }]]) {
        await page.goto('/ideas?sort=new');
        const item = page.locator('li.idea-item').filter({ hasText: ideaTitle });
        await press(page, item.getByRole('button', { name: /^Vote\b/ }), { js });
        await item.getByRole('button', { name: /^Remove my vote\b/ }).waitFor();
        if (js) assert.ok(await sameDocument(page), 'voted without a reload');
        else assert.equal(pathOf(page), '/ideas');
        assert.equal(await item.getByRole('button', { name: /^Remove my vote\b/ }).getAttribute('aria-pressed'), 'true');
        assert.deepEqual(await voteCounts(item), counts);
      }
      // …as the idea's page says too, with the idea's source post linked.
      await alice.locator('li.idea-item').filter({ hasText: ideaTitle }).getByRole('link', { name: ideaTitle }).click();
      await alice.getByRole('heading', { level: 1, name: new RegExp(ideaTitle) }).waitFor();
      assert.deepEqual(await voteCounts(alice.locator('article.idea')), { total: 2, doers: 1, helpers: 1 });
      assert.ok(await alice.locator(`a[href="/t/${threadId}#p${openingId}"]`).count() > 0, 'the source post is linked');
      if (js) {
        // taking the vote back works in place too
        await markDocument(alice);
        await alice.getByRole('button', { name: /^Remove my vote\b/ }).click();
        await alice.getByRole('button', { name: /^Vote\b/ }).waitFor();
        assert.ok(await sameDocument(alice));
        assert.deepEqual(await voteCounts(alice.locator('article.idea')), { total: 1, doers: 0, helpers: 1 });
      }
    });
  });
}
