/**
 * npm run lab:page [-- --port 3001] — serves the last lab run (docs/lab/results.json and its charts)
 * as one page on http://127.0.0.1:PORT/.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import type { RunResult } from './lab.js';
import { labPage } from './page.js';

const CHARTS = ['bytes-per-message', 'latency', 'requests-per-message'];

export async function serveLab(docsDir: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer(async (request, response) => {
    if (request.url !== '/') return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    try {
      const results = JSON.parse(await readFile(`${docsDir}/lab/results.json`, 'utf8')) as RunResult[];
      const charts = Object.fromEntries(await Promise.all(CHARTS.map(async (name) => [name, await readFile(`${docsDir}/lab/${name}.svg`, 'utf8')] as const)));
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(labPage(results, charts));
    } catch (error) {
      response.writeHead(503, { 'Content-Type': 'text/plain' }).end(`no lab results yet (run npm run lab): ${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '3001' } } });
  const server = await serveLab(new URL('../../../docs', import.meta.url).pathname, Number(values.port));
  const address = server.address() as { port: number };
  console.log(`baro transport lab on http://127.0.0.1:${address.port}/`);
}
