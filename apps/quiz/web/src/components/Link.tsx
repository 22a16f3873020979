import type { ComponentChildren } from 'preact';
import { navigate } from '../router.ts';

/** An in-app link: a plain click navigates without a page load; modified clicks (new tab…) stay the browser's. */
export function Link({ href, class: className, children }: { href: string; class?: string; children: ComponentChildren }) {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} class={className} onClick={onClick}>
      {children}
    </a>
  );
}
