// lib/axe.mjs — axe-core through @axe-core/playwright: WCAG 2.0/2.1 A and AA rules plus the
// best-practice rules on page structure (landmarks, headings, skip link).
import { AxeBuilder } from '@axe-core/playwright';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// Structure rules from axe's best practices that we hold to as strictly as WCAG.
export const STRUCTURE_RULES = [
  'landmark-one-main', 'page-has-heading-one', 'heading-order', 'region', 'skip-link',
  'landmark-unique', 'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo',
  'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level', 'landmark-main-is-top-level',
];

/** Run axe on the page as it is. Returns {violations, blocking, byImpact, text}: blocking
 * are the violations a test must fail on (serious or critical WCAG ones, and any of the
 * structure rules). */
export async function audit(page, { rules } = {}) {
  let builder = new AxeBuilder({ page });
  builder = rules ? builder.withRules(rules) : builder.withTags([...WCAG_TAGS, 'best-practice']);
  const result = await builder.analyze();
  const violations = result.violations;
  const blocking = violations.filter((v) =>
    v.impact === 'serious' || v.impact === 'critical' || STRUCTURE_RULES.includes(v.id));
  const byImpact = {};
  for (const v of violations) byImpact[v.impact] = (byImpact[v.impact] || 0) + 1;
  return { violations, blocking, byImpact, text: describe(violations) };
}

/** A readable account of violations: rule, impact, help and the first nodes' selectors. */
export function describe(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`);
    return `  [${v.impact}] ${v.id}: ${v.help}\n${nodes.join('\n')}`;
  }).join('\n');
}
