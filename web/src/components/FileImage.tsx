import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../api.ts';

/**
 * A stored image shown in `<img>`: an `<img>` request carries no Authorization header, so the page asks
 * for a short-lived signed link first (the server checks the same access rule when the link is used).
 */
export function FileImage({
  file,
  alt,
  class: className = 'attachment',
}: {
  file: Pick<Schema<'File'>, 'id' | 'original_name'>;
  alt?: string;
  class?: string;
}) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    ok(api.POST('/files/{id}/link', { params: { path: { id: file.id } } }))
      .then((link) => setSrc(link.url))
      .catch(() => setSrc(undefined));
  }, [file.id]);
  return src ? (
    <img class={className} src={src} alt={alt ?? file.original_name} />
  ) : (
    <span class="muted">{file.original_name}</span>
  );
}

/** Attachments: images in place, other files as links (signed, so a click downloads without a token). */
export function Attachments({ files }: { files: Schema<'File'>[] }) {
  if (!files.length) return null;
  return (
    <div class="attachments">
      {files.map((f) =>
        f.mime.startsWith('image/') && f.mime !== 'image/svg+xml' ? (
          <FileImage key={f.id} file={f} />
        ) : (
          <FileLink key={f.id} file={f} />
        ),
      )}
    </div>
  );
}

function FileLink({ file }: { file: Schema<'File'> }) {
  const [href, setHref] = useState<string>();
  useEffect(() => {
    ok(api.POST('/files/{id}/link', { params: { path: { id: file.id } } }))
      .then((link) => setHref(`${link.url}&download=1`))
      .catch(() => undefined);
  }, [file.id]);
  return <a href={href}>{file.original_name}</a>;
}
