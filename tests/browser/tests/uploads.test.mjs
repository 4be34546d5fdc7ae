// Uploads (issue 19): a file attached in the reply form goes with the form when there is
// no JavaScript and shows in the post; with JavaScript the file is uploaded when it is
// chosen and its Markdown put into the text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';

import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

// A small opaque PNG, made here.
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function aThread() {
  const name = unique('up');
  s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' }); // posts at once
  const who = await s.corral.signIn(name);
  const t = await s.corral.api('POST', '/api/v1/threads',
    { category: 'general', title: `With pictures ${unique('t')}`, body: 'Opening words.' },
    { cookie: who.cookie, csrf: who.csrf });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  return { who, tid: t.body.thread.id };
}

describe('uploads', () => {
  it('attaches an image in the reply form without JavaScript', TEST, async () => {
    const { who, tid } = await aThread();
    const page = await s.pageAs(who, { javaScriptEnabled: false });
    await page.goto(`/t/${tid}`);
    await page.locator('#reply-main').fill('The dashboard this morning:');
    await page.getByLabel(/Attach an image or file/).setInputFiles({ name: 'dashboard.png', mimeType: 'image/png', buffer: png(48, 32) });
    await page.getByRole('button', { name: 'Post reply' }).click();
    await page.waitForURL(`**/t/${tid}*`);
    const img = page.locator('.post-body img[alt="dashboard.png"]');
    await img.waitFor();
    assert.match(await img.getAttribute('src'), /^\/uploads\/[0-9a-f]{64}\.jpg$/);
    assert.equal(await img.evaluate((el) => el.complete && el.naturalWidth), 48);
  });

  it('uploads a chosen file at once with JavaScript and puts its Markdown in the text', TEST, async () => {
    const { who, tid } = await aThread();
    const page = await s.pageAs(who);
    await page.goto(`/t/${tid}`);
    const area = page.locator('#reply-main');
    await area.fill('Numbers:');
    await page.getByLabel(/Attach an image or file/).setInputFiles({ name: 'n.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
    await page.getByText('Attached n.csv.').waitFor();
    assert.match(await area.inputValue(), /^Numbers:\n\n\[n\.csv\]\(\/uploads\/[0-9a-f]{64}\.csv\)$/);
    assert.equal(await page.getByLabel(/Attach an image or file/).evaluate((el) => el.files.length), 0);
  });

  // The status line is filled a tick after it appears (so screen readers read it); an
  // upload answered within that tick once left "Uploading…" on screen for good, and the
  // test above waited for "Attached" in vain (CI, 2026-12-06).
  it('shows the latest status when a second one comes within the first tick', TEST, async () => {
    const { who, tid } = await aThread();
    const page = await s.pageAs(who);
    await page.goto(`/t/${tid}`);
    const text = await page.locator('#reply-main').evaluate(async (area) => {
      window.Corral.statusAfter(area, 'Uploading n.csv…', '');
      window.Corral.statusAfter(area, 'Attached n.csv.', '');
      await new Promise((done) => setTimeout(done, 200));
      return area.nextElementSibling.textContent;
    });
    assert.equal(text, 'Attached n.csv.');
  });
});
