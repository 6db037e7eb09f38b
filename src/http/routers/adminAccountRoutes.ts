import { z } from 'zod';
import type { AdminService } from '../../domain/admin/AdminService.ts';
import { USER_ROLES } from '../../../entities/User.ts';
import type { Api } from '../route.ts';
import { auditActor } from '../../domain/shared/actors.ts';
import { Email, Password, Username } from './authRoutes.ts';
import { AdminUserSchema, IdParam } from './schemas.ts';

/** Admins managing accounts: creating users with a role and changing roles. */
export function adminAccountRoutes(api: Api, admin: AdminService): void {
  api.route(
    {
      method: 'post',
      path: '/admin/users',
      operationId: 'createUser',
      tag: 'admin',
      access: 'admin',
      status: 201,
      summary: 'Create a user with a role',
      description: 'The address counts as verified (an admin entered it). Recorded in the audit log as `user.create`.',
      body: z.object({
        username: Username,
        email: Email,
        password: Password,
        role: z.enum(USER_ROLES).default('user'),
        nickname: z.string().trim().min(1).max(64).optional(),
      }),
      response: AdminUserSchema,
      errors: ['USERNAME_TAKEN', 'EMAIL_TAKEN', 'WEAK_PASSWORD'],
    },
    ({ principal, body }) => admin.createUser(auditActor(principal), body),
  );

  api.route(
    {
      method: 'put',
      path: '/admin/users/:id/role',
      operationId: 'setUserRole',
      tag: 'admin',
      access: 'admin',
      summary: "Change a user's role",
      description:
        'The user’s access tokens are revoked at once (they carry the role); their logins survive and refresh ' +
        'into the new role, and live connections below a room’s minimum role close. Recorded in the audit ' +
        'log as `user.role`. An admin cannot change their own role: the server CLI can (`promote`).',
      params: IdParam,
      body: z.object({ role: z.enum(USER_ROLES), reason: z.string().trim().max(500).optional() }),
      response: AdminUserSchema,
      errors: ['USER_NOT_FOUND', 'CANNOT_CHANGE_OWN_ROLE'],
    },
    ({ principal, params, body }) => admin.setRole(auditActor(principal), { id: params.id }, body.role, body.reason),
  );
}
