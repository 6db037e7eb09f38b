import { z } from 'zod';
import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { IdParam, MessageBody, SupportMessageSchema } from './realtimeSchemas.ts';
import { PageQuery, pageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';

const SupportMessagePage = pageOf(SupportMessageSchema, 'SupportMessagePage');

/** Support chat with the admins: a user's one conversation, which every admin sees. */
export function supportRoutes(api: Api, support: Services['support']): void {
  api.route(
    {
      method: 'get',
      path: '/support/messages',
      operationId: 'listMySupportMessages',
      tag: 'support',
      access: 'user',
      summary: 'My support conversation, newest first',
      query: PageQuery,
      response: SupportMessagePage,
    },
    ({ principal, query }) => support.messages(principal.userId, query),
  );
  api.route(
    {
      method: 'post',
      path: '/support/messages',
      operationId: 'sendSupportMessage',
      tag: 'support',
      access: 'user',
      status: 201,
      summary: 'Write to the admins',
      description: 'A repeat with the same `client_msg_id` answers the message first stored and stores nothing.',
      body: MessageBody,
      response: SupportMessageSchema,
    },
    async ({ principal, body }) =>
      (await support.post(principal.userId, principal, body.text, body.client_msg_id)).view,
  );
  api.route(
    {
      method: 'get',
      path: '/admin/support/conversations',
      operationId: 'listSupportConversations',
      tag: 'support',
      access: 'admin',
      summary: 'Every support conversation, latest first',
      query: PageQuery,
      response: pageOf(
        z.object({
          user_id: z.number().int(),
          username: z.string(),
          count: z.number().int(),
          last_message: z.object({
            id: z.number().int(),
            from_admin: z.boolean(),
            text: z.string(),
            created_at: z.string(),
          }),
        }),
        'SupportConversationPage',
      ),
    },
    async ({ query }) => pageOfList(await support.conversations(), query, (c) => [c.last_message.id], 'desc'),
  );
  api.route(
    {
      method: 'get',
      path: '/admin/support/conversations/:id/messages',
      operationId: 'listSupportConversationMessages',
      tag: 'support',
      access: 'admin',
      summary: "One user's support conversation",
      params: IdParam,
      query: PageQuery,
      response: SupportMessagePage,
    },
    ({ params, query }) => support.messages(params.id, query),
  );
  api.route(
    {
      method: 'post',
      path: '/admin/support/conversations/:id/messages',
      operationId: 'replySupportConversation',
      tag: 'support',
      access: 'admin',
      status: 201,
      summary: 'Answer a user as an admin',
      params: IdParam,
      body: MessageBody,
      response: SupportMessageSchema,
      errors: ['USER_NOT_FOUND'],
    },
    async ({ principal, params, body }) =>
      (await support.post(params.id, principal, body.text, body.client_msg_id)).view,
  );
}
