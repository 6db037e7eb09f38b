export { AppError } from './AppError.ts';
export { ErrorCodes, type ErrorKey } from './codes.ts';
export { toAppError } from './translate.ts';
