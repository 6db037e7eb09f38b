import type { PageEntry } from '../types.ts';
import { SignIn } from './SignIn.tsx';
import { SignUp } from './SignUp.tsx';
import { ForgotPassword, ResetPassword } from './PasswordReset.tsx';
import { Groups } from './Groups.tsx';

/** Pages for every member, and the public ones (sign-in, sign-up, password reset). */
export const memberPages: PageEntry[] = [
  { path: '/console/signin', component: SignIn, title: 'Sign in', public: true },
  { path: '/console/signup', component: SignUp, title: 'Create an account', public: true },
  { path: '/console/forgot', component: ForgotPassword, title: 'Forgot password', public: true },
  // The password reset e-mail links here (AuthService's resetLink): keep the two in step.
  { path: '/console/reset', component: ResetPassword, title: 'Set a new password', public: true },
  {
    path: '/console/groups',
    component: Groups,
    title: 'My groups',
    nav: { label: 'Groups', section: 'member', order: 10 },
  },
];
