// The shell examples of README.md and docs/*.md that are marked `<!-- doc-test: run -->`
// run as written, in order, against a fresh service (one per file) started the way the
// README says, in a folder of its own: every command must succeed, and what it prints must
// match the `# …` lines under it. In those lines `…` stands for any text within a line, and
// a line that is only `…` for any number of lines. `localhost:5000` becomes the test
// service's port; nothing else is rewritten. Only stdout is compared (stderr is shown when
// a command fails), as a reader sees the answer apart from npm's notices.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from './support/service.js';
const ROOT = path.resolve(import.meta.dirname, '..');
const MARK = '<!-- doc-test: run -->';
/** A marked block as segments: comment lines, then command lines, then the `# ` lines that are its output. */
export function parseBlocks(file, text) {
    const lines = text.split('\n');
    const blocks = [];
    for (let i = 0; i < lines.length; i++) {
        if (lines[i]?.trim() !== MARK)
            continue;
        assert.match(lines[i + 1] ?? '', /^```(?:sh|bash)$/, `${file}:${i + 2}: a ${MARK} mark must be followed by a sh block`);
        const segments = [];
        let command = [];
        let expected = [];
        let start = 0;
        const flush = () => {
            if (command.length > 0)
                segments.push({ line: start, command: command.join('\n'), expected });
            command = [];
            expected = [];
        };
        let j = i + 2;
        for (; j < lines.length && lines[j] !== '```'; j++) {
            const line = lines[j] ?? '';
            if (line.trim() === '') {
                flush();
                continue;
            }
            if (line.startsWith('#')) {
                if (command.length > 0 && !command[command.length - 1]?.endsWith('\\'))
                    expected.push(line.replace(/^# ?/, ''));
                continue;
            }
            if (expected.length > 0)
                flush();
            if (command.length === 0)
                start = j + 1;
            command.push(line);
        }
        flush();
        blocks.push({ file, line: i + 1, segments });
        i = j;
    }
    return blocks;
}
/** Whether `actual` is what `expected` shows, `…` standing for any text. */
export function matchesExample(actual, expected) {
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = expected.map(line => line.trim() === '…'
        ? '(?:[^\\n]*\\n?)*?'
        : line.split('…').map(escape).join('[^\\n]*?') + '\\n?').join('');
    return new RegExp(`^${pattern}$`).test(actual.endsWith('\n') ? actual : `${actual}\n`);
}
const documents = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter(name => name.endsWith('.md')).map(name => `docs/${name}`)];
const marked = documents.map(file => ({ file, blocks: parseBlocks(file, readFileSync(path.join(ROOT, file), 'utf8')) }))
    .filter(document => document.blocks.length > 0);
async function startInFolder(folder, port) {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'serve'], {
        cwd: folder,
        env: { PATH: process.env.PATH ?? '', HOME: folder, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development' },
        stdio: ['ignore', 'ignore', 'pipe']
    });
    let stderr = '';
    child.stderr?.on('data', chunk => { stderr += String(chunk); });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null)
            break;
        const status = await fetch(`http://localhost:${port}/health/ready`).then(reply => reply.status, () => undefined);
        if (status === 200)
            return child;
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`the service did not start in ${folder}: ${stderr}`);
}
/** Runs the segments in one bash, each followed by a marker carrying its exit status. */
async function runSegments(folder, port, segments) {
    const script = segments.map((segment, index) => `${segment.command.replaceAll('localhost:5000', `localhost:${port}`)}\nprintf '\\n@@segment ${index} %s@@\\n' "$?"`).join('\n');
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
        cwd: folder,
        env: { PATH: process.env.PATH ?? '', HOME: folder, LANG: 'C.UTF-8', npm_config_update_notifier: 'false' },
        stdio: ['ignore', 'pipe', 'pipe']
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', chunk => { output += String(chunk); });
    child.stderr.on('data', chunk => { errors += String(chunk); });
    await new Promise(resolve => child.on('close', resolve));
    const results = [];
    let rest = output;
    for (let index = 0; index < segments.length; index++) {
        const match = new RegExp(`\\n@@segment ${index} (\\d+)@@\\n`).exec(rest);
        if (match === null) {
            results.push({ status: -1, output: rest });
            break;
        }
        results.push({ status: Number(match[1]), output: rest.slice(0, match.index) });
        rest = rest.slice(match.index + match[0].length);
    }
    return { results, errors };
}
describe('the documentation\'s examples', { concurrency: true }, () => {
    it('are found: the README\'s tour is marked', () => {
        assert.ok(marked.some(document => document.file === 'README.md'), `no ${MARK} block in README.md`);
    });
    it('matchesExample reads … as any text', () => {
        assert.ok(matchesExample('{"id":1,"at":"2026"}', ['{"id":1,"at":"…"}']));
        assert.ok(!matchesExample('{"id":2}', ['{"id":1}']));
        assert.ok(matchesExample('a\nb\nc\nd', ['a', '…', 'd']));
        assert.ok(!matchesExample('a\nb', ['a']));
    });
    for (const { file, blocks } of marked) {
        it(`${file}: every marked block runs as written`, async () => {
            const folder = mkdtempSync(path.join(tmpdir(), 'authsvc-docs-'));
            // A folder like a clone after `npm install`: `npx authsvc` and `npm start` work in it.
            for (const name of ['package.json', 'node_modules', 'dist', 'templates'])
                symlinkSync(path.join(ROOT, name), path.join(folder, name));
            const port = await freePort();
            const service = await startInFolder(folder, port);
            after(() => { service.kill('SIGKILL'); rmSync(folder, { recursive: true, force: true }); });
            for (const block of blocks) {
                const { results, errors } = await runSegments(folder, port, block.segments);
                block.segments.forEach((segment, index) => {
                    const result = results[index];
                    const where = `${file}:${segment.line}: ${segment.command.split('\n')[0] ?? ''}`;
                    assert.ok(result !== undefined && result.status !== -1, `${where}\nthe block stopped before this command:\n${results.at(-1)?.output ?? ''}\n${errors}`);
                    assert.equal(result.status, 0, `${where}\nexited with ${result.status}:\n${result.output}\n${errors}`);
                    if (segment.expected.length > 0) {
                        assert.ok(matchesExample(result.output, segment.expected), `${where}\nprinted:\n${result.output}\n(stderr of the block: ${errors})\nthe documentation shows:\n${segment.expected.join('\n')}`);
                    }
                });
            }
        });
    }
});
