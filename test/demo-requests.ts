/**
 * Hostile requests for the demo's web server (issue "one malformed request takes it down"), sent as
 * raw bytes over a socket so that no client library normalises them first. Shared by the test and by
 * runs/demo-server/probe.ts, which prints the table for any server.
 */
import * as net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The request targets; SIBLING is the name of a folder beside the site's whose name starts with it. */
export const hostileTargets = (sibling: string): string[] => [
  '/%E0%A4%A',
  `/..%2f${sibling}%2fsecret.txt`,
  `/../${sibling}/secret.txt`,
  `/%2e%2e/${sibling}/secret.txt`,
  `/%2E%2E%2F${sibling}%2Fsecret.txt`,
  `/..%5c${sibling}%5csecret.txt`,
  `/..%252f${sibling}%252fsecret.txt`,
  '/../../../../etc/passwd',
  '/%',
  '/%00',
  '/index.html%00.png',
  '//etc/passwd',
  '/\\..\\..\\',
  `/\\..\\${sibling}\\secret.txt`,
  '/etc/passwd',
  'http://127.0.0.1/../../etc/passwd',
  '*',
  '/.secret',
  `/${'a'.repeat(3000)}`,
  `/${'../'.repeat(1000)}etc/passwd`,
];

/** Sends one request line as it is (method, target) and reads the whole answer. */
export function rawRequest(url: string, target: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer to ${method} ${target.slice(0, 60)}`)));
    socket.on('connect', () => socket.write(`${method} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all
        .subarray(0, split < 0 ? all.length : split)
        .toString('latin1')
        .split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status, headers, body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4) });
    });
  });
}
