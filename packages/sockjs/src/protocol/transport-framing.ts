/**
 * How each HTTP transport wraps a SockJS frame, and what it writes before the first frame. The
 * bytes match sockjs-node's so clients cannot tell the servers apart.
 */

/** xhr-streaming starts with 2048 `h` so that browsers and proxies start delivering at once. */
export const XHR_STREAMING_PRELUDE = 'h'.repeat(2048) + '\n';

export function xhrFrame(frame: string): string {
  return frame + '\n';
}

export const EVENTSOURCE_PRELUDE = '\r\n';

const EVENTSOURCE_ESCAPES = /[%\r\n\x00]/g;

/** `data: <frame>`; %, CR, LF and NUL are %-escaped (as JavaScript's escape()) to keep one event one line. */
export function eventSourceFrame(frame: string): string {
  return 'data: ' + frame.replace(EVENTSOURCE_ESCAPES, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')) + '\r\n\r\n';
}

const HTMLFILE_HEAD = `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.{{ callback }};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>`;

/** Padded past 1 KiB: old browsers render (and run scripts) only after that much. */
const HTMLFILE_TEMPLATE = HTMLFILE_HEAD + ' '.repeat(Math.max(0, 1024 - HTMLFILE_HEAD.length + 13)) + '\r\n\r\n';

export function htmlfilePrelude(callback: string): string {
  return HTMLFILE_TEMPLATE.replaceAll('{{ callback }}', callback);
}

/**
 * `<` goes out as \u003c (the same string to the script): a message holding `</script>` would
 * otherwise end the script element and run what follows as markup in the server's origin. The
 * reference writes it raw.
 */
export function htmlfileFrame(frame: string): string {
  return '<script>\np(' + JSON.stringify(frame).replaceAll('<', '\\u003c') + ');\n</script>\r\n';
}

export function jsonpFrame(callback: string, frame: string): string {
  return '/**/' + callback + '(' + JSON.stringify(frame) + ');\r\n';
}
