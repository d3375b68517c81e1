// URL checks for what users type and what devices send. Pure, so tested without VS Code.

/** InputBox validation for "Add Device by URL…": undefined when acceptable, else the reason. */
export function validateDescriptionUrl(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter the URL of the device description, e.g. http://192.168.1.20:49152/description.xml';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not a URL. It must start with http:// or https://, e.g. http://192.168.1.20:49152/description.xml';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `UPnP descriptions are served over HTTP; ${url.protocol}// URLs are not supported.`;
  if (url.hostname === '') return 'The URL has no host.';
  return undefined;
}

/** A device-provided URL we are willing to hand to the browser: http(s) only, never command: or file:. */
export function isOpenableWebUrl(text: string | undefined): text is string {
  if (!text) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
