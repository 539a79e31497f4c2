import { connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { parseStatus, type GearmanStatus } from './status.ts';

/** A status reply this long is not one gearmand would send; stop reading rather than grow. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;

/** The line that ends the reply, without its `\n`. */
const CLOSING_LINE = /^\.\r?$/;

/**
 * Asks one Gearman server for its admin `status` and parses the reply. Any failure to get a
 * whole reply (refused, reset, timed out, closed early) is a retryable GearmanUnavailable.
 */
export function fetchStatus(host: string, port: number, timeoutMs: number) {
  return new Promise<GearmanStatus>((resolve, reject) => {
    const where = `gearman at ${host}:${port}`;
    const decoder = new StringDecoder('utf8');
    let text = '';
    let size = 0;
    let settled = false;
    // Where the current line starts and how far line breaks were looked for: each byte is
    // looked at once, so a garbage reply of one endless line costs no more than a good one.
    let lineStart = 0;
    let scanned = 0;

    const socket = connect({ host, port });
    const timer = setTimeout(
      () => fail(`no complete status reply within ${timeoutMs} ms`),
      timeoutMs,
    );

    function finish() {
      settled = true;
      clearTimeout(timer);
      socket.destroy();
    }

    function fail(reason: string, cause?: unknown) {
      if (settled) return;
      finish();
      reject(
        new WhiskpoolError(ErrorCode.GearmanUnavailable, `${where}: status failed: ${reason}`, {
          retryable: true,
          cause,
        }),
      );
    }

    socket.on('connect', () => socket.write('status\n'));
    socket.on('error', (error) => fail(error.message, error));
    socket.on('close', () => fail('connection closed before the closing "." line'));

    socket.on('data', (chunk: Buffer) => {
      text += decoder.write(chunk);
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) {
        fail(`reply passed ${MAX_REPLY_BYTES} bytes without the closing "." line`);
        return;
      }
      if (settled) return;

      for (let end = text.indexOf('\n', scanned); end !== -1; end = text.indexOf('\n', end + 1)) {
        if (CLOSING_LINE.test(text.slice(lineStart, end))) {
          finish();
          resolve(parseStatus(text));
          return;
        }
        lineStart = end + 1;
      }
      scanned = text.length;
    });
  });
}
