import { useT } from '../../i18n/index.ts';

/** What the room needs to join: the code in big letters, a QR code for phones and the address. */
export function JoinPanel({ code, joinUrl }: { code: string; joinUrl: string }) {
  const t = useT();
  return (
    <section class="card join-panel">
      <p class="label">{t.host.joinWithCode}</p>
      <p class="join-code" data-testid="host-join-code">
        {code}
      </p>
      <img class="qr" data-testid="join-qr" src={`/qr/${encodeURIComponent(code)}.svg`} alt={t.host.qrFor(joinUrl)} width={240} height={240} />
      <p class="join-url">
        <a href={joinUrl} target="_blank" rel="noreferrer">
          {joinUrl}
        </a>
      </p>
    </section>
  );
}
