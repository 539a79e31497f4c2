/**
 * Reads a response body as text, giving up past `maxBytes`. A misconfigured proxy or a broken
 * server can answer with an endless body; `response.text()` would hold all of it in memory.
 */
export async function readBody(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return '';

  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** Thrown by readBody; callers turn it into their own typed error. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`answer body is larger than the ${maxBytes} bytes allowed`);
    this.name = 'BodyTooLargeError';
  }
}
