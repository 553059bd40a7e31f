import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSocket } from './raw-client.ts';
import { runPython, startPythonServer } from './python-peer.ts';

const portServer = fileURLToPath(new URL('../../test/port_server.py', import.meta.url));
const steps = fileURLToPath(new URL('../../test/steps.py', import.meta.url));

describe('startPythonServer', () => {
  it('resolves with the port the script printed, and stop() kills it', async () => {
    const peer = await startPythonServer(portServer);
    const socket = await openSocket(peer.port);
    const [greeting] = (await once(socket, 'data')) as [Buffer];
    expect(greeting.toString()).toBe('hello');
    socket.destroy();
    const exited = once(peer.child, 'exit');
    peer.stop();
    expect(await exited).toEqual([null, 'SIGKILL']);
    peer.stop();
  });

  it('rejects with the script\'s stderr when it exits before printing a port', async () => {
    await expect(startPythonServer(portServer, ['fail'])).rejects.toThrow(/exited \(3\) before printing its port\ncannot start/);
  });
});

describe('runPython', () => {
  it('parses each stdout line as JSON and reports the exit code', async () => {
    expect(await runPython(steps, ['open', 'close'])).toEqual({ exitCode: 0, steps: [{ step: 'open' }, { step: 'close' }], stderr: '' });
  });

  it('kills a script that runs too long', async () => {
    await expect(runPython(steps, ['open', 'hang'], 300)).rejects.toThrow(/still running after 300 ms; stdout: \{"step": "open"\}/);
  });
});
