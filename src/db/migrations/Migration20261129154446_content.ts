import { Migration } from '@mikro-orm/migrations';

export class Migration20261129154446_content extends Migration {
  override name = 'Migration20261129154446_content';

  override up(): void | Promise<void> {
    this.addSql(`alter table "boards" drop constraint "boards_name_unique";`);
    this.addSql(`alter table "boards" add "deleted_at" timestamptz null;`);
    // Names that differ only in case ("General", "general") existed before: the oldest keeps its name, every
    // later one gets the first free " (2)", " (3)"... suffix, and each rename is written to the admin audit log.
    this.addSql(`do $$
      declare
        r record;
        candidate text;
        k int;
      begin
        for r in select b.id, b.name from "boards" b
                 where exists (select 1 from "boards" o where lower(o.name) = lower(b.name) and o.id < b.id)
                 order by b.id loop
          k := 2;
          loop
            candidate := left(r.name, 120) || ' (' || k || ')';
            exit when not exists (select 1 from "boards" where lower(name) = lower(candidate));
            k := k + 1;
          end loop;
          update "boards" set name = candidate where id = r.id;
          insert into "admin_audit_log" (actor_id, actor_name, action, target_type, target_id, reason, detail, created_at)
          values (null, 'migration', 'board.rename', 'board', r.id::text, 'Board names became unique case-insensitively',
                  jsonb_build_object('from', r.name, 'to', candidate), now());
        end loop;
      end $$;`);
    this.addSql(`create unique index "boards_name_lower_unique" on "boards" (lower("name"));`);

    // An avatar is one of its user's own standalone raster images: anything else set before this rule is cleared.
    this.addSql(`update "users" u set avatar_file_id = null where avatar_file_id is not null and not exists (
      select 1 from "files" f where f.id = u.avatar_file_id and f.owner_id = u.id and f.post_id is null and f.comment_id is null
        and f.mime like 'image/%' and f.mime <> 'image/svg+xml');`);
    this.addSql(
      `alter table "users" add constraint "users_avatar_file_id_foreign" foreign key ("avatar_file_id") references "files" ("id") on delete set null;`,
    );

    // Trigram search (any part of a word); on PGlite the instance must load the extension (PGLITE_EXTENSIONS).
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`drop index "posts_search_index";`);
    this.addSql(`alter table "posts" drop column "search";`);
    this.addSql(
      `create index "posts_search_trgm_index" on "posts" using gin (("title" || ' ' || "body") gin_trgm_ops);`,
    );

    this.addSql(`create index "files_owner_id_category_id_index" on "files" ("owner_id", "category", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_avatar_file_id_foreign";`);

    this.addSql(`drop index "boards_name_lower_unique";`);
    this.addSql(`alter table "boards" drop column "deleted_at";`);
    this.addSql(`alter table "boards" add constraint "boards_name_unique" unique ("name");`);

    this.addSql(`drop index "files_owner_id_category_id_index";`);

    this.addSql(`drop index "posts_search_trgm_index";`);
    this.addSql(
      `alter table "posts" add "search" tsvector generated always as (setweight(to_tsvector('simple'::regconfig, (COALESCE(title, ''::character varying))::text), 'A'::"char") || setweight(to_tsvector('simple'::regconfig, COALESCE(body, ''::text)), 'B'::"char")) stored null;`,
    );
    this.addSql(`create index "posts_search_index" on "posts" using gin ("search");`);
  }
}
