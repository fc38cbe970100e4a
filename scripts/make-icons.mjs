#!/usr/bin/env node
// Renders the app icons of static/manifest.webmanifest from static/favicon.svg with the test Chromium:
// node scripts/make-icons.mjs. "any" icons are the shield on white; "maskable" ones keep it inside the
// 80 % safe zone on the brand colour, as launchers crop them to a circle or squircle.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS, findChromium } from '../tests/e2e/chromium-path.mjs';

const svg = readFileSync('static/favicon.svg', 'utf8');
const ICONS = [
  { file: 'icon-192.png', size: 192, background: '#ffffff', scale: 0.86 },
  { file: 'icon-512.png', size: 512, background: '#ffffff', scale: 0.86 },
  { file: 'maskable-512.png', size: 512, background: '#1f6f50', scale: 0.6, inverse: true }
];

const found = findChromium();
if (!found.path) throw new Error(found.help);
const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
for (const icon of ICONS) {
  const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
  const art = icon.inverse
    ? svg.replace('fill="#1f6f50"', 'fill="#ffffff"').replace('stroke="#fff"', 'stroke="#1f6f50"')
    : svg;
  const side = Math.round(icon.size * icon.scale);
  await page.setContent(
    `<body style="margin:0;width:${icon.size}px;height:${icon.size}px;display:grid;place-items:center;background:${icon.background}">` +
      art.replace('<svg ', `<svg width="${side}" height="${side}" `) +
      '</body>'
  );
  await page.screenshot({ path: `static/icons/${icon.file}`, omitBackground: false });
  await page.close();
}
await browser.close();
console.log(`wrote ${ICONS.map((i) => i.file).join(', ')} in static/icons/`);
