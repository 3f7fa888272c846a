// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request
// (headers, raw body, arrival time) and answers as the test tells it to.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  raw: string
  body: any
  atMs: number
}

/** How to answer one request: a status, optionally after a delay, or never (hang). */
export type Answer = { status: number; delayMs?: number; body?: string } | 'hang'

export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** Decides the answer to each request (default: 200). */
  answer: (r: Received) => Answer
  /** Resolves once `predicate` holds for the requests received so far. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>
  /** Stops listening (connections refused) until start() again on the same port. */
  stop(): Promise<void>
  start(): Promise<void>
}

export const receiverWaitMs = 15_000

export async function startReceiver(port = 0): Promise<Receiver> {
  const hung = new Set<http.ServerResponse>()
  const waiters: Array<() => void> = []
  let server: http.Server | undefined
  const receiver: Receiver = {
    url: '', port, received: [],
    answer: () => ({ status: 200 }),
    async waitFor(predicate, timeoutMs = receiverWaitMs, what = 'webhook deliveries') {
      const deadline = Date.now() + timeoutMs
      while (!predicate(receiver.received)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${receiver.received.length}: ${receiver.received.map((r) => r.body?.type + ' ' + r.body?.id).slice(-10).join(', ')}`)
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
      }
    },
    async start() {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          let body: unknown
          try { body = JSON.parse(raw) } catch { body = undefined }
          const r: Received = { path: req.url ?? '/', headers: req.headers, raw, body, atMs: Date.now() }
          receiver.received.push(r)
          for (const w of waiters.splice(0)) w()
          const a = receiver.answer(r)
          if (a === 'hang') { hung.add(res); return }
          const send = () => { if (!res.destroyed) res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? `status ${a.status}`) }
          if (a.delayMs) setTimeout(send, a.delayMs)
          else send()
        })
      })
      await new Promise<void>((resolve) => server!.listen(receiver.port, '127.0.0.1', resolve))
      receiver.port = (server.address() as AddressInfo).port
      receiver.url = `http://127.0.0.1:${receiver.port}`
    },
    async stop() {
      for (const res of hung) res.destroy()
      hung.clear()
      if (!server) return
      const s = server
      server = undefined
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
  await receiver.start()
  return receiver
}
