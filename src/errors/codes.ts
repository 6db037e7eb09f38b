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
  // --- SSH control room (issue 5): 20xxx connect, 21xxx auth, 22xxx command, 24xxx transfer, 25xxx health
  SSH_CONNECT_FAILED: { code: 20001, status: 502, message: 'Could not connect to the SSH server' },
  SSH_CONNECT_TIMEOUT: { code: 20002, status: 504, message: 'The SSH server did not answer in time' },
  SSH_HOST_KEY_MISMATCH: { code: 20003, status: 502, message: 'The SSH server host key does not match the pinned fingerprint' },
  SSH_UNKNOWN_SERVER: { code: 20004, status: 404, message: 'No SSH server with this name is configured' },
  SSH_CONNECTION_LOST: { code: 20005, status: 502, message: 'The connection to the SSH server was lost' },
  SSH_AUTH_FAILED: { code: 21001, status: 502, message: 'The SSH server refused our credentials' },
  SSH_COMMAND_FAILED: { code: 22001, status: 502, message: 'The command could not be started' },
  SSH_COMMAND_BUSY: { code: 22002, status: 409, message: 'You already have a command or transfer running; cancel it or wait for it to complete' },
  SSH_NOTHING_RUNNING: { code: 22003, status: 409, message: 'You have no command or transfer running' },
  SSH_TRANSFER_UNKNOWN: { code: 24001, status: 404, message: 'No transfer with this name is configured' },
  SSH_TRANSFER_FAILED: { code: 24002, status: 502, message: 'The file transfer failed' },
  SSH_TRANSFER_CHECKSUM_MISMATCH: { code: 24003, status: 502, message: 'The copied file does not match the source checksum' },
  SSH_HEALTH_CHECK_FAILED: { code: 25001, status: 503, message: 'The SSH server failed its health check' },
  // --- business rules: the exclusive SSH session (seed 004's 5xxxx codes)
  SESSION_ALREADY_ACTIVE: { code: 50004, status: 409, message: 'Session already active' },
  NO_ACTIVE_SESSION: { code: 50005, status: 409, message: 'No active session' },
  NOT_SESSION_OWNER: { code: 50006, status: 403, message: 'You are not the session owner' },
  RESOURCE_LOCKED: { code: 50008, status: 423, message: 'Resource locked by another session' },
} as const;

export type ErrorKey = keyof typeof ErrorCodes;
export type ErrorSpec = (typeof ErrorCodes)[ErrorKey];
