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
  // 130xx admin database console
  DB_CONSOLE_DISABLED: { code: 13001, status: 403, message: 'The database console is disabled (DB_CONSOLE_ENABLED)' },
  DB_QUERY_REFUSED: { code: 13002, status: 422, message: 'The console accepts one read-only statement' },
  DB_QUERY_FAILED: { code: 13003, status: 400, message: 'The database rejected the query' },
  // 6xxxx AI jobs (issue 6). 600xx requests, 601xx outcomes stored on a job's `error`.
  AI_MODEL_NOT_FOUND: { code: 60001, status: 404, message: 'No such AI model' },
  AI_MODEL_DISABLED: { code: 60002, status: 409, message: 'This AI model is disabled by an administrator' },
  AI_TASK_UNSUPPORTED: { code: 60003, status: 422, message: 'This AI model does not support that task' },
  AI_JOB_NOT_FOUND: { code: 60004, status: 404, message: 'No such AI job' },
  AI_TOO_MANY_JOBS: { code: 60005, status: 429, message: 'Too many queued or running AI jobs; wait for one to finish' },
  AI_INPUT_TOO_LARGE: { code: 60006, status: 413, message: 'AI job input is too large' },
  AI_JOB_FINISHED: { code: 60007, status: 409, message: 'The AI job has already finished' },
  AI_TRAINED_MODEL_NOT_FOUND: { code: 60008, status: 404, message: 'No such trained model for this AI model' },
  AI_INVALID_INPUT: { code: 60101, status: 422, message: 'The model refused the input' },
  AI_JOB_TIMED_OUT: { code: 60102, status: 504, message: 'The AI job exceeded its time limit and was stopped' },
  AI_JOB_OUT_OF_MEMORY: { code: 60103, status: 507, message: 'The AI job exceeded its memory limit and was stopped' },
  AI_JOB_CRASHED: { code: 60104, status: 500, message: 'The AI worker failed while running the job' },
  AI_JOB_INTERRUPTED: { code: 60105, status: 503, message: 'The AI job was interrupted by server restarts too many times' },
  AI_JOB_CANCELLED: { code: 60106, status: 409, message: 'The AI job was cancelled' },
  // 4xxxx boards and files (issue 3). 400xx boards, 410xx posts and comments, 420xx files.
  BOARD_NOT_FOUND: { code: 40001, status: 404, message: 'Board not found' },
  BOARD_NAME_TAKEN: { code: 40002, status: 409, message: 'A board with this name already exists' },
  BOARD_CLOSED: { code: 40003, status: 403, message: 'This board is closed: it can be read but takes no new content' },
  BOARD_WRITE_FORBIDDEN: { code: 40004, status: 403, message: 'You may not post on this board' },
  BOARD_COMMENT_FORBIDDEN: { code: 40005, status: 403, message: 'You may not comment on this board' },
  BOARD_UPLOAD_FORBIDDEN: { code: 40006, status: 403, message: 'You may not upload files to this board' },
  POST_NOT_FOUND: { code: 41001, status: 404, message: 'Post not found' },
  COMMENT_NOT_FOUND: { code: 41002, status: 404, message: 'Comment not found' },
  NOT_AUTHOR: { code: 41003, status: 403, message: 'Only the author or an admin may change this' },
  FILE_NOT_FOUND: { code: 42001, status: 404, message: 'File not found' },
  FILE_TOO_LARGE: { code: 42002, status: 413, message: 'File is larger than the upload limit' },
  FILE_TYPE_NOT_ALLOWED: { code: 42003, status: 415, message: 'This type of file is not accepted' },
  TOO_MANY_FILES: { code: 42004, status: 413, message: 'Too many files' },
  NO_FILE: { code: 42005, status: 422, message: 'The request carries no file' },
  UPLOAD_MALFORMED: { code: 42006, status: 400, message: 'The upload is malformed or was interrupted' },
  NOT_FILE_OWNER: { code: 42007, status: 403, message: 'Only the owner or an admin may delete this file' },
} as const;

export type ErrorKey = keyof typeof ErrorCodes;
export type ErrorSpec = (typeof ErrorCodes)[ErrorKey];
