import { Migration } from '@mikro-orm/migrations';

export class Migration20261129155727_realtime_delivery extends Migration {
  override name = 'Migration20261129155727_realtime_delivery';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "notifications" ("id" serial primary key, "user_id" int not null, "type" text not null, "text" text not null, "from_user_id" int null, "group_id" int null, "read_at" timestamptz null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "notifications_user_id_id_index" on "notifications" ("user_id", "id");`);

    this.addSql(
      `alter table "chat_groups" add "visibility" text not null default 'private', add "history_visible_to_new_members" boolean not null default true, add "last_seq" int not null default 0;`,
    );
    this.addSql(`create index "chat_groups_visibility_id_index" on "chat_groups" ("visibility", "id");`);
    this.addSql(
      `alter table "chat_groups" add constraint "chat_groups_visibility_check" check ("visibility" in ('private', 'open'));`,
    );

    this.addSql(`alter table "chat_members" add "visible_after_id" int not null default 0;`);

    this.addSql(`alter table "chat_messages" add "seq" int null, add "client_msg_id" uuid null;`);
    this.addSql(
      `alter table "chat_messages" add constraint "chat_messages_author_id_client_msg_id_unique" unique ("author_id", "client_msg_id");`,
    );

    this.addSql(`alter table "direct_messages" add "seq" int not null default 0, add "client_msg_id" uuid null;`);
    this.addSql(
      `alter table "direct_messages" add constraint "direct_messages_from_user_id_client_msg_id_unique" unique ("from_user_id", "client_msg_id");`,
    );

    this.addSql(`alter table "support_messages" add "client_msg_id" uuid null;`);
    this.addSql(
      `alter table "support_messages" add constraint "support_messages_author_id_client_msg_id_unique" unique ("author_id", "client_msg_id");`,
    );

    this.addSql(
      `alter table "notifications" add constraint "notifications_type_check" check ("type" in ('followed', 'group_invite', 'group_removed', 'notice'));`,
    );

    // Messages stored before this migration get their per-conversation seq, in id order.
    this.addSql(
      `update "chat_messages" m set "seq" = s.n from (select "id", row_number() over (partition by "group_id" order by "id") as n from "chat_messages" where "kind" <> 'room_dm') s where m."id" = s."id";`,
    );
    this.addSql(
      `update "chat_groups" g set "last_seq" = coalesce((select max(c."seq") from "chat_messages" c where c."group_id" = g."id"), 0);`,
    );
    this.addSql(
      `update "direct_messages" m set "seq" = s.n from (select "id", row_number() over (partition by least("from_user_id", "to_user_id"), greatest("from_user_id", "to_user_id") order by "id") as n from "direct_messages") s where m."id" = s."id";`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notifications" cascade;`);

    this.addSql(`drop index "chat_groups_visibility_id_index";`);
    this.addSql(`alter table "chat_groups" drop constraint "chat_groups_visibility_check";`);
    this.addSql(
      `alter table "chat_groups" drop column "visibility", drop column "history_visible_to_new_members", drop column "last_seq";`,
    );

    this.addSql(`alter table "chat_members" drop column "visible_after_id";`);

    this.addSql(`alter table "chat_messages" drop constraint "chat_messages_author_id_client_msg_id_unique";`);
    this.addSql(`alter table "chat_messages" drop column "seq", drop column "client_msg_id";`);

    this.addSql(`alter table "direct_messages" drop constraint "direct_messages_from_user_id_client_msg_id_unique";`);
    this.addSql(`alter table "direct_messages" drop column "seq", drop column "client_msg_id";`);

    this.addSql(`alter table "support_messages" drop constraint "support_messages_author_id_client_msg_id_unique";`);
    this.addSql(`alter table "support_messages" drop column "client_msg_id";`);
  }
}
