// lib/browser.mjs — Debian's Chromium driven by playwright-core (no browser download), and
// pages instrumented to catch what a person would never see: Content-Security-Policy
// violations (Chromium logs "Refused to …") and uncaught script errors.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CORRAL_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
export const SMALLEST_PHONE = { width: 320, height: 640 };

/** The sans-serif fonts script/bootstrap installs (fonts-dejavu-core, fonts-liberation2,
 * fonts-noto-core): narrow, average and wide. Pages must fit a phone in each of them. */
export const FONTS = ['DejaVu Sans', 'Liberation Sans', 'Noto Sans'];

/** Make page render everything in font family (before it loads anything): Corral's own
 * stylesheet is served with a rule appended, so the Content-Security-Policy still holds. */
export async function forceFont(page, family) {
  await page.route(/\.css(\?|$)/, async (route) => {
    const response = await route.fetch();
    const css = `${await response.text()}\n*, *::before, *::after { font-family: "${family}" !important; }\n`;
    await route.fulfill({ response, body: css });
  });
}

/** The font Chromium really drew the text directly inside the first element matching
 * selector with (the family that rendered most of its glyphs), from the DevTools protocol:
 * a family the CSS names but the machine lacks is replaced by a fallback, and this tells
 * which. Every page has one h1 with text of its own. */
export async function renderedFont(page, selector = 'h1') {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) return null;
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts.sort((a, b) => b.glyphCount - a.glyphCount)[0]?.familyName ?? null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Launch Chromium. playwright-core gives every launch a fresh temporary profile
 * (user-data dir) and removes it on close. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

const problems = new WeakMap();

/** What went wrong on a page so far: {csp: [...], errors: [...]}. */
export function pageProblems(page) {
  return problems.get(page) || { csp: [], errors: [] };
}

/** Record CSP violations and script errors of page. */
export function instrument(page) {
  const p = { csp: [], errors: [] };
  problems.set(page, p);
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Refused to|Content.Security.Policy/i.test(text)) p.csp.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => p.errors.push(`${page.url()}: ${err.message}`));
  return page;
}

/** A new isolated context (own cookies) and page on it. Options: baseURL, javaScriptEnabled,
 * colorScheme ('light' | 'dark'), viewport, reducedMotion… (Playwright context options). */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: DESKTOP,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    ...options,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(45_000);
  const page = instrument(await context.newPage());
  // CORRAL_TEST_FONT="DejaVu Sans" runs every page as if the machine had only that font.
  if (process.env.CORRAL_TEST_FONT) await forceFont(page, process.env.CORRAL_TEST_FONT);
  return page;
}
