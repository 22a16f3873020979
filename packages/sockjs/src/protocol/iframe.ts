import { createHash } from 'node:crypto';

/**
 * The page iframe-based transports load from the server's origin: it pulls in the SockJS client
 * and hands control to it. Its ETag is the MD5 of the page, as the reference computes it, so a
 * client cache validates against either server.
 */
export interface IframePage {
  body: string;
  etag: string;
}

export function iframePage(sockjsUrl: string): IframePage {
  const body = `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${sockjsUrl}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`;
  return { body, etag: '"' + createHash('md5').update(body).digest('hex') + '"' };
}

/** `iframe.html`, `iframe-<version>.html` and the like: the version only busts caches. */
export const IFRAME_PATH = /^\/iframe[0-9-.a-z_]*\.html$/;
