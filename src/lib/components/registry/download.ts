/** Saves text as a file through a Blob URL: nothing leaves the browser. */
export function saveText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download; the URL is released a little later.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
