/**
 * The one catalogue of error codes. Five digits by area: 1xxxx general/auth/validation,
 * 2xxxx SSH, 3xxxx realtime, 4xxxx boards/files, 5xxxx business rules, 6xxxx AI jobs.
 * A code, once published, never changes meaning.
 */
export const ErrorCodes = {
  // 100xx general
  INTERNAL: { code: 10000, status: 500, message: 'Internal server error' },
  VALIDATION_FAILED: { code: 10001, status: 422, message: 'Request validation failed' },
  MALFORMED_JSON: { code: 10002, status: 400, message: 'Request body is not valid JSON' },
  PAYLOAD_TOO_LARGE: { code: 10003, status: 413, message: 'Request body is too large' },
  ROUTE_NOT_FOUND: { code: 10004, status: 404, message: 'No such route' },
  RATE_LIMITED: { code: 10005, status: 429, message: 'Too many requests, retry later' },
  SERVICE_UNAVAILABLE: { code: 10006, status: 503, message: 'A backing service is unavailable, retry later' },
  UNSUPPORTED_MEDIA_TYPE: { code: 10007, status: 415, message: 'Unsupported content type' },
  // 110xx authentication and authorisation
  UNAUTHENTICATED: { code: 11001, status: 401, message: 'Authentication required' },
  TOKEN_INVALID: { code: 11002, status: 401, message: 'Access token is invalid, expired or revoked' },
  INVALID_CREDENTIALS: { code: 11003, status: 401, message: 'Invalid login or password' },
  REFRESH_TOKEN_INVALID: { code: 11004, status: 401, message: 'Refresh token is invalid, expired or revoked' },
  REFRESH_TOKEN_REUSED: { code: 11005, status: 401, message: 'Refresh token was already used; the session has been revoked' },
  RESET_TOKEN_INVALID: { code: 11006, status: 400, message: 'Password reset token is invalid, expired or already used' },
  FORBIDDEN: { code: 11007, status: 403, message: 'You are not allowed to do this' },
  ACCOUNT_BANNED: { code: 11008, status: 403, message: 'This account is banned' },
  WRONG_PASSWORD: { code: 11009, status: 403, message: 'Current password is wrong' },
  // 120xx accounts
  USERNAME_TAKEN: { code: 12001, status: 409, message: 'Username is already taken' },
  EMAIL_TAKEN: { code: 12002, status: 409, message: 'E-mail is already registered' },
  WEAK_PASSWORD: { code: 12003, status: 422, message: 'Password does not meet the policy' },
  USER_NOT_FOUND: { code: 12004, status: 404, message: 'User not found' },
  ALREADY_BANNED: { code: 12005, status: 409, message: 'User is already banned' },
  NOT_BANNED: { code: 12006, status: 409, message: 'User is not banned' },
  CANNOT_MODERATE_SELF: { code: 12007, status: 409, message: 'Admins cannot ban themselves' },
  CONFLICT: { code: 12008, status: 409, message: 'The resource conflicts with an existing one' },
  // 3xxxx realtime (issue 4): chat groups, direct messages, presence, follows, rooms
  GROUP_NOT_FOUND: { code: 30001, status: 404, message: 'Chat group not found' },
  NOT_GROUP_MEMBER: { code: 30002, status: 403, message: 'You are not a member of this chat group' },
  ALREADY_GROUP_MEMBER: { code: 30003, status: 409, message: 'Already a member of this chat group' },
  MESSAGE_NOT_FOUND: { code: 30004, status: 404, message: 'Message not found' },
  NOT_MESSAGE_AUTHOR: { code: 30005, status: 403, message: 'Only the author may change this message' },
  RECIPIENT_BLOCKS_YOU: { code: 30006, status: 403, message: 'The recipient does not accept your messages' },
  CANNOT_TARGET_SELF: { code: 30007, status: 409, message: 'You cannot do this to yourself' },
  ROOM_MESSAGE_INVALID: { code: 30008, status: 422, message: 'Room message is malformed' },
  ROOM_MESSAGE_TOO_LARGE: { code: 30009, status: 413, message: 'Room message is too large' },
  RECIPIENT_NOT_IN_GROUP: { code: 30010, status: 404, message: 'The recipient is not a member of this chat group' },
  ROOM_RATE_LIMITED: { code: 30011, status: 429, message: 'Sending too fast, slow down and retry' },
  JOIN_OPTIONS_INVALID: { code: 30012, status: 422, message: 'Join options are malformed' },
  UNKNOWN_ROOM_MESSAGE: { code: 30013, status: 400, message: 'Unknown room message type' },
  MESSAGE_STORE_UNAVAILABLE: { code: 30014, status: 503, message: 'Message could not be stored, nothing was sent; retry later' },
  NOT_FOLLOWING: { code: 30015, status: 404, message: 'You do not follow this user' },
  NOT_BLOCKED: { code: 30016, status: 404, message: 'You have not blocked this user' },
} as const;

export type ErrorKey = keyof typeof ErrorCodes;
export type ErrorSpec = (typeof ErrorCodes)[ErrorKey];
