/**
 * A real HTTP receiver for webhook tests and the alerting bench: a node:http server on 127.0.0.1.
 * Tests script its answers and read what it received over HTTP, from inside workerd:
 *
 *   POST /hook/<name>            a delivery; answered with the next scripted status (default 200)
 *   POST /_script/<name>         { statuses: [500, 500, 200] } queues the next answers
 *   GET  /_log/<name>            [{ headers, body, status }] every request received, in order
 *   POST /hang/<name>            accepted and never answered (a dead endpoint that keeps the socket)
 *   GET  /_wait/<name>?n=N       answers (like _log) once N requests have been received: a sentinel,
 *                                so a test waits for deliveries without polling on a timer
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startReceiver(): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const logs = new Map<string, Received[]>();
  const scripts = new Map<string, number[]>();
  const hanging = new Set<IncomingMessage>();
  const waiters: { name: string; n: number; answer: () => void }[] = [];
  const wake = () => {
    for (const w of [...waiters]) {
      if ((logs.get(w.name)?.length ?? 0) < w.n) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.answer();
    }
  };
  const server = createServer(async (req, res) => {
    const [, kind, name = ""] = (req.url ?? "/").split("/");
    const body = await readBody(req);
    if (kind === "_script" && req.method === "POST") {
      scripts.set(name, (JSON.parse(body) as { statuses: number[] }).statuses);
      res.writeHead(204).end();
      return;
    }
    if (kind === "_log" && req.method === "GET") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(logs.get(name) ?? []));
      return;
    }
    if (req.method === "GET" && kind === "_wait") {
      const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n") ?? 1);
      const log = name.split("?")[0] ?? "";
      waiters.push({
        name: log,
        n,
        answer: () =>
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(logs.get(log) ?? [])),
      });
      wake();
      return;
    }
    if (kind === "hang") {
      hanging.add(req);
      return;
    }
    if (kind === "hook" && req.method === "POST") {
      const status = scripts.get(name)?.shift() ?? 200;
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
      );
      const list = logs.get(name) ?? [];
      list.push({ headers, body, status });
      logs.set(name, list);
      res.writeHead(status, { "Content-Type": "text/plain" }).end(status < 300 ? "ok" : "scripted failure");
      // After the answer went out: a waiter then learns of a delivery its sender has been answered for.
      wake();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const req of hanging) req.socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
