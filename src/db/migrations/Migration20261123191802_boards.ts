import { Migration } from '@mikro-orm/migrations';

export class Migration20261123191802_boards extends Migration {
  override name = 'Migration20261123191802_boards';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "boards" ("id" serial primary key, "name" varchar(128) not null, "description" varchar(512) not null default '', "visible" boolean not null default true, "available" boolean not null default true, "access" text not null default 'public', "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "boards" add constraint "boards_name_unique" unique ("name");`);

    this.addSql(
      `create table "post_views" ("post_id" int not null, "viewer" varchar(80) not null, "day" date not null, primary key ("post_id", "viewer", "day"));`,
    );
    this.addSql(`create index "post_views_day_index" on "post_views" ("day");`);

    this.addSql(
      `create table "posts" ("id" serial primary key, "board_id" int not null, "author_id" int not null, "title" varchar(200) not null, "body" text not null, "comment_count" int not null default 0, "like_count" int not null default 0, "view_count" int not null default 0, "deleted_at" timestamptz null, "search" tsvector generated always as (setweight(to_tsvector('simple', coalesce(title, '')), 'A') || setweight(to_tsvector('simple', coalesce(body, '')), 'B')) stored null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "posts_author_id_index" on "posts" ("author_id");`);
    this.addSql(`create index "posts_board_id_id_index" on "posts" ("board_id", "id");`);
    this.addSql(`create index "posts_board_id_like_count_id_index" on "posts" ("board_id", "like_count", "id");`);
    this.addSql(`create index "posts_board_id_view_count_id_index" on "posts" ("board_id", "view_count", "id");`);
    this.addSql(`create index "posts_search_index" on "public"."posts" using gin("search");`);

    this.addSql(
      `create table "post_likes" ("id" serial primary key, "post_id" int not null, "user_id" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "post_likes_user_id_index" on "post_likes" ("user_id");`);
    this.addSql(
      `alter table "post_likes" add constraint "post_likes_post_id_user_id_unique" unique ("post_id", "user_id");`,
    );

    this.addSql(
      `create table "comments" ("id" serial primary key, "post_id" int not null, "author_id" int not null, "body" text not null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "comments_author_id_index" on "comments" ("author_id");`);
    this.addSql(`create index "comments_post_id_id_index" on "comments" ("post_id", "id");`);

    this.addSql(
      `create table "files" ("id" serial primary key, "owner_id" int not null, "original_name" varchar(255) not null, "size" bigint not null, "sha256" varchar(64) not null, "mime" varchar(127) not null, "category" text not null, "storage_key" varchar(200) not null, "post_id" int null, "comment_id" int null, "created_at" timestamptz not null);`,
    );
    this.addSql(`alter table "files" add constraint "files_storage_key_unique" unique ("storage_key");`);
    this.addSql(`create index "files_post_id_index" on "files" ("post_id");`);
    this.addSql(`create index "files_comment_id_index" on "files" ("comment_id");`);
    this.addSql(`create index "files_owner_id_id_index" on "files" ("owner_id", "id");`);

    this.addSql(
      `create table "board_grants" ("id" serial primary key, "board_id" int not null, "user_id" int not null, "can_read" boolean not null default false, "can_write" boolean not null default false, "can_comment" boolean not null default false, "can_upload" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "board_grants_user_id_index" on "board_grants" ("user_id");`);
    this.addSql(
      `alter table "board_grants" add constraint "board_grants_board_id_user_id_unique" unique ("board_id", "user_id");`,
    );

    this.addSql(
      `alter table "boards" add constraint "boards_access_check" check ("access" in ('public', 'restricted', 'readonly'));`,
    );

    this.addSql(
      `alter table "posts" add constraint "posts_board_id_foreign" foreign key ("board_id") references "boards" ("id");`,
    );
    this.addSql(
      `alter table "posts" add constraint "posts_author_id_foreign" foreign key ("author_id") references "users" ("id");`,
    );

    this.addSql(
      `alter table "post_likes" add constraint "post_likes_post_id_foreign" foreign key ("post_id") references "posts" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "post_likes" add constraint "post_likes_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "comments" add constraint "comments_post_id_foreign" foreign key ("post_id") references "posts" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_author_id_foreign" foreign key ("author_id") references "users" ("id");`,
    );

    this.addSql(
      `alter table "files" add constraint "files_owner_id_foreign" foreign key ("owner_id") references "users" ("id");`,
    );
    this.addSql(
      `alter table "files" add constraint "files_post_id_foreign" foreign key ("post_id") references "posts" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "files" add constraint "files_comment_id_foreign" foreign key ("comment_id") references "comments" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "files" add constraint "files_category_check" check ("category" in ('images', 'documents', 'files'));`,
    );

    this.addSql(
      `alter table "board_grants" add constraint "board_grants_board_id_foreign" foreign key ("board_id") references "boards" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "board_grants" add constraint "board_grants_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "posts" drop constraint "posts_board_id_foreign";`);
    this.addSql(`alter table "board_grants" drop constraint "board_grants_board_id_foreign";`);
    this.addSql(`alter table "post_likes" drop constraint "post_likes_post_id_foreign";`);
    this.addSql(`alter table "comments" drop constraint "comments_post_id_foreign";`);
    this.addSql(`alter table "files" drop constraint "files_post_id_foreign";`);
    this.addSql(`alter table "files" drop constraint "files_comment_id_foreign";`);

    this.addSql(`drop table if exists "boards" cascade;`);
    this.addSql(`drop table if exists "post_views" cascade;`);
    this.addSql(`drop table if exists "posts" cascade;`);
    this.addSql(`drop table if exists "post_likes" cascade;`);
    this.addSql(`drop table if exists "comments" cascade;`);
    this.addSql(`drop table if exists "files" cascade;`);
    this.addSql(`drop table if exists "board_grants" cascade;`);
  }
}
