import { UsageError } from './usage.js';
/** All of stdin, less one trailing line break (what `echo` and `printf '%s\n'` add). */
export async function readPasswordFromStdin(input) {
    const chunks = [];
    for await (const chunk of input)
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (text === '')
        throw new UsageError('--password-stdin read an empty password');
    return text;
}
async function promptHidden(question, input, output) {
    // Echo goes off before the question shows: nothing typed after it appears on screen.
    input.setRawMode(true);
    output.write(question);
    input.resume();
    input.setEncoding('utf8');
    try {
        return await new Promise((resolve, reject) => {
            let typed = '';
            const onData = (data) => {
                for (const char of data) {
                    if (char === '\r' || char === '\n') {
                        input.off('data', onData);
                        resolve(typed);
                        return;
                    }
                    if (char === '\u0003' || char === '\u0004') {
                        input.off('data', onData);
                        reject(new UsageError('no password given'));
                        return;
                    }
                    if (char === '\u007f' || char === '\b')
                        typed = typed.slice(0, -1);
                    else
                        typed += char;
                }
            };
            input.on('data', onData);
        });
    }
    finally {
        input.setRawMode(false);
        input.pause();
        output.write('\n');
    }
}
/** Asks twice at the terminal; refuses when there is no terminal or the two differ. */
export async function promptNewPassword(input, output) {
    if (input.isTTY !== true || input.setRawMode === undefined)
        throw new UsageError('no terminal to ask for the password: pipe it in with --password-stdin');
    const terminal = input;
    const first = await promptHidden('New password: ', terminal, output);
    const second = await promptHidden('Repeat it: ', terminal, output);
    if (first !== second)
        throw new UsageError('the two passwords differ');
    if (first === '')
        throw new UsageError('no password given');
    return first;
}
