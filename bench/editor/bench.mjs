// Driven by run.sh: node bench.mjs SERVER_URL PLAYWRIGHT_PACKAGE ROUNDS
import { createRequire } from 'node:module';

const [server, playwrightPackage, roundsText] = process.argv.slice(2);
const { chromium } = createRequire(import.meta.url)(playwrightPackage);
const rounds = Number(roundsText ?? 5);
const size = 500;

async function api(path, body, token) {
  const answer = await fetch(server + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${text}`);
  return { text, json: JSON.parse(text) };
}

// A 500-node workflow: a manual trigger, then a chain of data.set nodes laid out 25 to a row.
const nodes = [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 } }];
const edges = [];
for (let i = 1; i < size; i++) {
  nodes.push({ id: `n${i}`, type: 'data.set', settings: { value: { i } }, position: { x: (i % 25) * 260, y: Math.floor(i / 25) * 120 } });
  edges.push({ from: i === 1 ? 'start' : `n${i - 1}`, to: `n${i}` });
}
const signup = await api('/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench' });
const token = signup.json.accessToken;
const project = (await api(`/api/v1/orgs/${signup.json.organization.id}/projects`, { name: 'Bench', slug: `bench-${Date.now()}` }, token)).json;
const workflow = (await api(`/api/v1/projects/${project.id}/workflows`, { name: 'big', document: { schema: 'plexus/workflow@1', name: 'big', nodes, edges } }, token)).json;
const url = `${server}/projects/${project.id}/workflows/${workflow.id}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
await context.addInitScript((session) => localStorage.setItem('plexus.session', session), signup.text);
const page = await context.newPage();

// Open: from navigation start until all 500 cards are rendered and measured (visible), read in the page's own clock.
const opens = [];
for (let r = 0; r < rounds; r++) {
  await page.goto(url);
  const ms = await page.waitForFunction((count) => {
    const cards = document.querySelectorAll('.react-flow__node');
    return cards.length === count && [...cards].every((c) => getComputedStyle(c).visibility !== 'hidden') ? performance.now() : false;
  }, size, { polling: 'raf', timeout: 60000 });
  opens.push(await ms.jsonValue());
}

// Drag: a node held and moved for 2 s; requestAnimationFrame callbacks are counted in the page meanwhile.
const drags = [];
for (let r = 0; r < rounds; r++) {
  await page.goto(url);
  await page.waitForFunction((count) => document.querySelectorAll('.react-flow__node').length === count, size, { timeout: 60000 });
  await page.waitForTimeout(500);
  const box = await page.locator('.react-flow__node[data-id="n260"]').boundingBox();
  await page.evaluate(() => {
    window.__frames = 0;
    const tick = () => { window.__frames++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  const start = await page.evaluate(() => { window.__frames = 0; return performance.now(); });
  const until = Date.now() + 2000;
  let step = 0;
  while (Date.now() < until) {
    step++;
    await page.mouse.move(x + Math.sin(step / 10) * 200, y + Math.cos(step / 10) * 120);
  }
  const { frames, ms } = await page.evaluate((s) => ({ frames: window.__frames, ms: performance.now() - s }), start);
  await page.mouse.up();
  drags.push({ fps: (frames * 1000) / ms, moves: step });
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`open 500 nodes (ms): ${opens.map((v) => v.toFixed(0)).join(', ')}  median ${median(opens).toFixed(0)} (goal < 1500)`);
console.log(`drag 2 s (rAF/s): ${drags.map((d) => d.fps.toFixed(1)).join(', ')}  median ${median(drags.map((d) => d.fps)).toFixed(1)} (goal > 50); pointer moves per drag: ${drags.map((d) => d.moves).join(', ')}`);
