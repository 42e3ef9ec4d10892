// A TCP relay between the service and its database, so a test can cut the network and
// bring it back without touching the shared database server.
import net from 'node:net';
export async function startTcpProxy(targetHost, targetPort) {
    const sockets = new Set();
    const pairs = new Set();
    let stalled = false;
    const track = (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => { socket.destroy(); });
    };
    const createServer = () => net.createServer(client => {
        const upstream = net.connect(targetPort, targetHost);
        track(client);
        track(upstream);
        const pair = [client, upstream];
        pairs.add(pair);
        client.pipe(upstream).pipe(client);
        // After pipe(), which resumes its source: a connection opened while stalled stalls too.
        if (stalled)
            for (const socket of pair)
                socket.pause();
        client.on('close', () => { pairs.delete(pair); upstream.destroy(); });
        upstream.on('close', () => client.destroy());
    });
    let server = createServer();
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const stop = async () => {
        for (const socket of sockets)
            socket.destroy();
        await new Promise(resolve => server.close(resolve));
    };
    return {
        port,
        cut: stop,
        async restore() {
            server = createServer();
            await new Promise(resolve => server.listen(port, '127.0.0.1', resolve));
        },
        stall() {
            stalled = true;
            for (const pair of pairs)
                for (const socket of pair)
                    socket.pause();
        },
        resume() {
            stalled = false;
            for (const pair of pairs)
                for (const socket of pair)
                    socket.resume();
        },
        close: async () => { if (server.listening)
            await stop(); }
    };
}
