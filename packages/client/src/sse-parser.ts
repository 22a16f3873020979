/**
 * A text/event-stream parser (WHATWG HTML §9.2.6) reduced to what baro needs: `data` fields are
 * joined per event and handed over at the blank line that ends it; `id`, `event`, `retry` and
 * comments are skipped (the client keeps its own sequence numbers). Lines end in LF, CRLF or CR.
 * Feed it decoded text in chunks split anywhere.
 */
export function sseParser(onData: (data: string) => void): (chunk: string) => void {
  let buffer = '';
  let data: string | undefined;
  /** A chunk ended in CR: a LF at the start of the next one belongs to it. */
  let skipLf = false;
  return (chunk) => {
    if (skipLf && chunk[0] === '\n') chunk = chunk.slice(1);
    skipLf = false;
    buffer += chunk;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const char = buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      const line = buffer.slice(start, i);
      if (char === '\r') {
        if (i + 1 === buffer.length) skipLf = true;
        else if (buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      if (line === '') {
        if (data !== undefined) onData(data);
        data = undefined;
      } else if (line.startsWith('data')) {
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        if (name !== 'data') continue;
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value[0] === ' ') value = value.slice(1);
        data = data === undefined ? value : `${data}\n${value}`;
      }
    }
    buffer = buffer.slice(start);
  };
}
