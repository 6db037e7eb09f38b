import type { StoredFile } from '../../../entities/StoredFile.ts';

/** What `fileView` reads: the entity, or the same fields of a row read with a list. */
export type FileFields = Pick<
  StoredFile,
  'id' | 'originalName' | 'size' | 'sha256' | 'mime' | 'category' | 'createdAt'
> & {
  owner: { id: number };
  post?: { id: number } | null;
  comment?: { id: number } | null;
};

/** What a caller sees of a file; `url` downloads it. */
export function fileView(file: FileFields) {
  return {
    id: file.id,
    owner_id: file.owner.id,
    original_name: file.originalName,
    size: file.size,
    sha256: file.sha256,
    mime: file.mime,
    category: file.category,
    attached_to: file.post
      ? { type: 'post' as const, id: file.post.id }
      : file.comment
        ? { type: 'comment' as const, id: file.comment.id }
        : null,
    url: `/files/${file.id}`,
    created_at: file.createdAt.toISOString(),
  };
}

export type FileView = ReturnType<typeof fileView>;
