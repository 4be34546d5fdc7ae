#!/usr/bin/env node
// screenshots.mjs — PNGs of Corral's main pages for docs/screenshots/, made by
// script/screenshots: a throwaway Corral with the sample community of lib/sample.mjs (people
// of every role, discussions, ideas, queues, surveys), each page at phone (390×844) and
// desktop (1280×800) width, light and dark: NAME-phone-light.png … NAME-desktop-dark.png.
//
//   node screenshots.mjs [--out DIR] [--only NAME,NAME]
//
// Add a page: one entry in SHOTS. Add sample data: lib/sample.mjs.
import fs from 'node:fs';
import path from 'node:path';

import { DESKTOP, PHONE, launch, newPage, pageProblems } from './lib/browser.mjs';
import { Corral } from './lib/corral.mjs';
import { seedSample } from './lib/sample.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = path.resolve(opt('--out', 'docs/screenshots'));
const only = opt('--only', '') ? opt('--only', '').split(',') : null;

// Each page as the person who would look at it; path takes the seeded data (lib/sample.mjs).
const SHOTS = [
  { name: 'home', path: '/', as: 'maria' },
  { name: 'register', path: '/register' },
  { name: 'profile', path: '/u/maria' },
  { name: 'thread', path: (d) => `/t/${d.threads[0].id}`, as: 'maria' },
  { name: 'voices', path: '/voices' },
  { name: 'ideas', path: '/ideas', as: 'maria' },
  { name: 'idea', path: (d) => `/ideas/${d.ideas[0]}`, as: 'maria' },
  { name: 'survey', path: (d) => `/surveys/${d.openSurvey}`, as: 'maria' },
  { name: 'survey-results', path: (d) => `/surveys/${d.survey}/results`, as: 'maria' },
  { name: 'mod', path: '/mod', as: 'rosa' },
  { name: 'admin', path: '/admin', as: 'admin' },
];

// Sample people post at once: no pending queue for their first posts (the sample's pending
// post is held by the link rule instead).
const corral = await Corral.start({ name: 'screenshots', extraArgs: ['--trust-posts', '0'] });
let failed = false;
try {
  const data = await seedSample(corral);
  fs.mkdirSync(out, { recursive: true });
  const browser = await launch();
  try {
    for (const shot of SHOTS) {
      if (only && !only.includes(shot.name)) continue;
      const p = typeof shot.path === 'function' ? shot.path(data) : shot.path;
      for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        for (const colorScheme of ['light', 'dark']) {
          const page = await newPage(browser, {
            baseURL: corral.base, viewport, colorScheme, deviceScaleFactor: 1, reducedMotion: 'reduce',
          });
          const session = shot.as && data.sessions[shot.as];
          if (session) {
            const [n, v] = session.cookie.split('=');
            await page.context().addCookies([{ name: n, value: v, url: corral.base }]);
          }
          const resp = await page.goto(p);
          if (resp.status() !== 200) {
            console.error(`screenshots: ${p}: HTTP ${resp.status()}`);
            failed = true;
          }
          const file = path.join(out, `${shot.name}-${size}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          const { csp, errors } = pageProblems(page);
          if (csp.length || errors.length) {
            console.error(`screenshots: ${p}: ${[...csp, ...errors].join('; ')}`);
            failed = true;
          }
          await page.context().close();
          console.log(`screenshots: ${path.relative(process.cwd(), file)}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
} catch (err) {
  console.error(`screenshots: ${err.stack || err}`);
  failed = true;
} finally {
  const code = await corral.stop();
  if (code !== 0) console.error(`screenshots: corral serve exited ${code}`);
}
process.exit(failed ? 1 : 0);
