import { Migration } from '@mikro-orm/migrations';

export class Migration20261123191631_realtime extends Migration {
  override name = 'Migration20261123191631_realtime';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "chat_groups" ("id" serial primary key, "name" varchar(100) not null, "owner_id" int not null, "retain_messages" int null, "last_message_id" int null, "last_message_at" timestamptz null, "last_message_text" varchar(200) null, "last_message_from" varchar(32) null, "last_message_kind" varchar(16) null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "chat_groups_owner_id_index" on "chat_groups" ("owner_id");`);
    this.addSql(`create index "chat_groups_last_message_at_index" on "chat_groups" ("last_message_at");`);

    this.addSql(
      `create table "chat_members" ("id" serial primary key, "group_id" int not null, "user_id" int not null, "last_read_message_id" int not null default 0, "joined_at" timestamptz not null);`,
    );
    this.addSql(`create index "chat_members_group_id_index" on "chat_members" ("group_id");`);
    this.addSql(`create index "chat_members_user_id_index" on "chat_members" ("user_id");`);
    this.addSql(
      `alter table "chat_members" add constraint "chat_members_group_id_user_id_unique" unique ("group_id", "user_id");`,
    );

    this.addSql(
      `create table "chat_messages" ("id" serial primary key, "group_id" int not null, "kind" text not null, "author_id" int null, "author_name" varchar(32) null, "to_user_id" int null, "text" text not null, "edited_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "chat_messages_group_id_id_index" on "chat_messages" ("group_id", "id");`);

    this.addSql(
      `create table "direct_messages" ("id" serial primary key, "from_user_id" int not null, "to_user_id" int not null, "text" text not null, "delivered_at" timestamptz null, "read_at" timestamptz null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "direct_messages_to_user_id_delivered_at_index" on "direct_messages" ("to_user_id", "delivered_at");`,
    );
    this.addSql(
      `create index "direct_messages_from_user_id_to_user_id_id_index" on "direct_messages" ("from_user_id", "to_user_id", "id");`,
    );

    this.addSql(
      `create table "follows" ("id" serial primary key, "follower_id" int not null, "followee_id" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "follows_follower_id_index" on "follows" ("follower_id");`);
    this.addSql(`create index "follows_followee_id_index" on "follows" ("followee_id");`);
    this.addSql(
      `alter table "follows" add constraint "follows_follower_id_followee_id_unique" unique ("follower_id", "followee_id");`,
    );

    this.addSql(
      `create table "support_messages" ("id" serial primary key, "user_id" int not null, "author_id" int not null, "author_name" varchar(32) not null, "from_admin" boolean not null, "text" text not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "support_messages_user_id_id_index" on "support_messages" ("user_id", "id");`);

    this.addSql(
      `create table "user_blocks" ("id" serial primary key, "blocker_id" int not null, "blocked_id" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "user_blocks_blocker_id_index" on "user_blocks" ("blocker_id");`);
    this.addSql(`create index "user_blocks_blocked_id_index" on "user_blocks" ("blocked_id");`);
    this.addSql(
      `alter table "user_blocks" add constraint "user_blocks_blocker_id_blocked_id_unique" unique ("blocker_id", "blocked_id");`,
    );

    this.addSql(
      `alter table "chat_messages" add constraint "chat_messages_kind_check" check ("kind" in ('msg', 'system', 'room_dm'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "chat_groups" cascade;`);
    this.addSql(`drop table if exists "chat_members" cascade;`);
    this.addSql(`drop table if exists "chat_messages" cascade;`);
    this.addSql(`drop table if exists "direct_messages" cascade;`);
    this.addSql(`drop table if exists "follows" cascade;`);
    this.addSql(`drop table if exists "support_messages" cascade;`);
    this.addSql(`drop table if exists "user_blocks" cascade;`);
  }
}
