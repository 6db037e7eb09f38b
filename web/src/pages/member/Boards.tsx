import { useEffect, useState } from 'preact/hooks';
import { api, ok, rawFetch, type Schema } from '../../api.ts';
import { CONSOLE, navigate } from '../../router.ts';
import { Alert, Field, useAction } from '../../components/Form.tsx';
import { Attachments } from '../../components/FileImage.tsx';
import type { PageProps } from '../types.ts';

/** The boards I may read. */
export function Boards() {
  const [boards, setBoards] = useState<Schema<'Board'>[]>();
  const load = useAction(async () =>
    setBoards((await ok(api.GET('/boards', { params: { query: { limit: 100 } } }))).items),
  );
  useEffect(() => void load.run(), []);
  return (
    <section>
      <h1>Boards</h1>
      {load.error && <Alert>{load.error}</Alert>}
      {boards?.length === 0 && <p>No boards yet.</p>}
      <ul class="list" aria-label="Boards">
        {boards?.map((b) => (
          <li key={b.id}>
            <a href={`${CONSOLE}/boards/${b.id}`}>{b.name}</a> <span class="muted">{b.description}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One board: its posts (search, sort), and a new post with attachments. */
export function BoardPosts({ params }: PageProps) {
  const boardId = Number(params.id);
  const [board, setBoard] = useState<Schema<'Board'>>();
  const [posts, setPosts] = useState<Schema<'Post'>[]>();
  const [next, setNext] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const load = useAction(async (cursor?: string) => {
    const page = await ok(
      api.GET('/boards/{id}/posts', {
        params: { path: { id: boardId }, query: { limit: 20, q: q || undefined, cursor } },
      }),
    );
    setPosts((current) => (cursor ? [...(current ?? []), ...page.items] : page.items));
    setNext(page.next_cursor);
  });
  useEffect(() => {
    ok(api.GET('/boards/{id}', { params: { path: { id: boardId } } }))
      .then(setBoard)
      .catch(() => undefined);
    void load.run();
  }, [boardId]);
  return (
    <section>
      <h1>{board?.name ?? 'Board'}</h1>
      <form
        class="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void load.run();
        }}
      >
        <Field label="Search posts" name="q" type="search" value={q} onInput={setQ} />
        <button type="submit">Search</button>
      </form>
      {load.error && <Alert>{load.error}</Alert>}
      <ul class="list" aria-label="Posts">
        {posts?.map((p) => (
          <li key={p.id}>
            <a href={`${CONSOLE}/posts/${p.id}`}>{p.title}</a>{' '}
            <span class="muted">
              {p.author.nickname || p.author.username} · {p.like_count} likes · {p.comment_count} comments ·{' '}
              {p.view_count} views
            </span>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="secondary" onClick={() => void load.run(next)}>
          More posts
        </button>
      )}
      {board?.permissions.write && <NewPost boardId={boardId} />}
    </section>
  );
}

function NewPost({ boardId }: { boardId: number }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const create = useAction(async () => {
    const post = await ok(api.POST('/boards/{id}/posts', { params: { path: { id: boardId } }, body: { title, body } }));
    if (files?.length) {
      const form = new FormData();
      for (const file of Array.from(files)) form.append('files', file);
      await rawFetch(`/posts/${post.id}/attachments`, { method: 'POST', body: form });
    }
    navigate(`${CONSOLE}/posts/${post.id}`);
  });
  return (
    <>
      <h2>New post</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <Field label="Title" name="title" value={title} onInput={setTitle} required />
        <label class="field">
          <span>Text</span>
          <textarea name="body" rows={5} value={body} onInput={(e) => setBody(e.currentTarget.value)} required />
        </label>
        <label class="field">
          <span>Attachments</span>
          <input type="file" name="files" multiple onChange={(e) => setFiles(e.currentTarget.files)} />
        </label>
        {create.error && <Alert>{create.error}</Alert>}
        <button type="submit" disabled={create.busy}>
          Publish
        </button>
      </form>
    </>
  );
}

/** One post with its images, likes and comments. */
export function PostPage({ params }: PageProps) {
  const postId = Number(params.id);
  const [post, setPost] = useState<Schema<'Post'>>();
  const [comments, setComments] = useState<Schema<'Comment'>[]>([]);
  const [comment, setComment] = useState('');
  const load = useAction(async () => {
    setPost(await ok(api.GET('/posts/{id}', { params: { path: { id: postId } } })));
    setComments(
      (await ok(api.GET('/posts/{id}/comments', { params: { path: { id: postId }, query: { limit: 100 } } }))).items,
    );
  });
  useEffect(() => void load.run(), [postId]);
  const like = useAction(async () => {
    const state = await ok(
      post!.liked_by_me
        ? api.DELETE('/posts/{id}/like', { params: { path: { id: postId } } })
        : api.PUT('/posts/{id}/like', { params: { path: { id: postId } } }),
    );
    setPost((p) => p && { ...p, liked_by_me: state.liked, like_count: state.like_count });
  });
  const addComment = useAction(async () => {
    const created = await ok(
      api.POST('/posts/{id}/comments', { params: { path: { id: postId } }, body: { body: comment } }),
    );
    setComments((cs) => [...cs, created]);
    setComment('');
  });
  if (!post) return <section>{load.error ? <Alert>{load.error}</Alert> : <p>Loading…</p>}</section>;
  return (
    <article>
      <p>
        <a href={`${CONSOLE}/boards/${post.board_id}`}>Back to the board</a>
      </p>
      <h1>{post.title}</h1>
      <p class="muted">
        {post.author.nickname || post.author.username} · {new Date(post.created_at).toLocaleString()} ·{' '}
        {post.view_count} views
      </p>
      <div class="post-body">{post.body}</div>
      <Attachments files={post.attachments} />
      <p>
        <button type="button" class="secondary" aria-pressed={post.liked_by_me} onClick={() => void like.run()}>
          {post.liked_by_me ? 'Unlike' : 'Like'} ({post.like_count})
        </button>
      </p>
      {like.error && <Alert>{like.error}</Alert>}
      <h2>Comments</h2>
      <ul class="list" aria-label="Comments">
        {comments.map((c) => (
          <li key={c.id}>
            <strong>{c.author.nickname || c.author.username}</strong> {c.body}
            <Attachments files={c.attachments} />
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addComment.run();
        }}
      >
        <label class="field">
          <span>Your comment</span>
          <textarea
            name="comment"
            rows={3}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
            required
          />
        </label>
        {addComment.error && <Alert>{addComment.error}</Alert>}
        <button type="submit" disabled={addComment.busy}>
          Comment
        </button>
      </form>
    </article>
  );
}
