import { SerialPort } from 'serialport';

/** Opens the modem, sends AT and waits for OK: enough to tell a wrong device or a dead modem apart. */
export async function probeModem(path: string, baudRate: number, timeoutMs = 2000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let settled = false;
    let received = '';
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (port.isOpen) port.close(() => resolve({ ok, detail }));
      else resolve({ ok, detail });
    };
    const timer = setTimeout(() => finish(false, `no OK to AT within ${timeoutMs} ms`), timeoutMs);
    port.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (/\bOK\b/.test(received)) finish(true, 'answers AT with OK');
      else if (/\bERROR\b/.test(received)) finish(false, 'answers AT with ERROR');
    });
    port.open((error) => {
      if (error) finish(false, `cannot open: ${error.message}`);
      else port.write('AT\r');
    });
  });
}
