// The panel's own stylesheet, linked once (a file of this folder: the CSP allows the fleet's origin only).
import { useEffect } from 'fleet-dashboard';

const href = new URL('./panel.css', import.meta.url).href;

export function usePanelStyles() {
  useEffect(() => {
    if (document.querySelector(`link[href="${href}"]`)) return;
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }, []);
}
