// The real service as a child process (`authsvc serve` through spawnCli) on a free port,
// for tests that need to kill, restart or signal it.
import net from 'node:net';
import { spawnCli } from './cli.js';
export async function freePort() {
    const server = net.createServer();
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    await new Promise(resolve => server.close(resolve));
    return port;
}
/**
 * Starts `authsvc serve` on 127.0.0.1 and a free port with `env` (PATH aside, nothing else
 * of this process's environment) and resolves once GET / answers 200. Throws with the
 * process's output if it exits or does not answer within `timeoutMs`; it is killed then.
 */
export async function startService(env, timeoutMs = 20_000) {
    const port = await freePort();
    const run = spawnCli(['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    let exited = false;
    void run.then(() => { exited = true; });
    const service = {
        url: `http://127.0.0.1:${port}`,
        run,
        running: () => !exited,
        async stop(signal) {
            if (!exited)
                run.child.kill(signal);
            return await run;
        }
    };
    const deadline = Date.now() + timeoutMs;
    while (!exited && Date.now() < deadline) {
        const status = await fetch(`${service.url}/`).then(reply => reply.status, () => undefined);
        if (status === 200)
            return service;
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    const result = await service.stop('SIGKILL');
    throw new Error(`authsvc serve did not come up on port ${port} (exit code ${String(result.code)}):\n${result.stderr}${result.stdout}`);
}
