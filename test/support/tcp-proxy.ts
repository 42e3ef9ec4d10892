// A TCP relay between the service and its database, so a test can cut the network and
// bring it back without touching the shared database server.
import net from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** Drops every relayed connection and refuses new ones. */
  cut: () => Promise<void>
  /** Accepts connections again, on the same port. */
  restore: () => Promise<void>
  /** Keeps every connection open but relays nothing, either way, as a stopped server would. */
  stall: () => void
  /** Relays again what stall() held back. */
  resume: () => void
  close: () => Promise<void>
}

export async function startTcpProxy (targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const pairs = new Set<[net.Socket, net.Socket]>()
  let stalled = false
  const track = (socket: net.Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => { socket.destroy() })
  }
  const createServer = (): net.Server => net.createServer(client => {
    const upstream = net.connect(targetPort, targetHost)
    track(client)
    track(upstream)
    const pair: [net.Socket, net.Socket] = [client, upstream]
    pairs.add(pair)
    client.pipe(upstream).pipe(client)
    // After pipe(), which resumes its source: a connection opened while stalled stalls too.
    if (stalled) for (const socket of pair) socket.pause()
    client.on('close', () => { pairs.delete(pair); upstream.destroy() })
    upstream.on('close', () => client.destroy())
  })
  let server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const stop = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => server.close(resolve))
  }
  return {
    port,
    cut: stop,
    async restore () {
      server = createServer()
      await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
    },
    stall () {
      stalled = true
      for (const pair of pairs) for (const socket of pair) socket.pause()
    },
    resume () {
      stalled = false
      for (const pair of pairs) for (const socket of pair) socket.resume()
    },
    close: async () => { if (server.listening) await stop() }
  }
}
