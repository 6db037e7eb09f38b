import type { PageEntry } from '../types.ts';
import { SignIn } from './SignIn.tsx';
import { SignUp } from './SignUp.tsx';
import { ForgotPassword, ResetPassword } from './PasswordReset.tsx';
import { Groups } from './Groups.tsx';
import { GroupChat } from './GroupChat.tsx';
import { Conversation, People } from './People.tsx';
import { BoardPosts, Boards, PostPage } from './Boards.tsx';
import { AiJobPage, AiJobs } from './AiJobs.tsx';
import { Notifications } from './Notifications.tsx';
import { Support } from './Support.tsx';
import { Profile } from './Profile.tsx';
import { unreadNotifications } from '../../notifications.ts';

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
  { path: '/console/groups/:id', component: GroupChat, title: 'Group chat' },
  {
    path: '/console/people',
    component: People,
    title: 'People',
    nav: { label: 'People', section: 'member', order: 20 },
  },
  { path: '/console/people/:id', component: Conversation, title: 'Direct messages' },
  {
    path: '/console/boards',
    component: Boards,
    title: 'Boards',
    nav: { label: 'Boards', section: 'member', order: 30 },
  },
  { path: '/console/boards/:id', component: BoardPosts, title: 'Board' },
  { path: '/console/posts/:id', component: PostPage, title: 'Post' },
  { path: '/console/ai', component: AiJobs, title: 'AI jobs', nav: { label: 'AI jobs', section: 'member', order: 40 } },
  { path: '/console/ai/:id', component: AiJobPage, title: 'AI job' },
  {
    path: '/console/notifications',
    component: Notifications,
    title: 'Notifications',
    nav: { label: 'Notifications', section: 'member', order: 50, badge: unreadNotifications },
  },
  {
    path: '/console/support',
    component: Support,
    title: 'Support',
    nav: { label: 'Support', section: 'member', order: 60 },
  },
  {
    path: '/console/profile',
    component: Profile,
    title: 'Profile',
    nav: { label: 'Profile', section: 'member', order: 70 },
  },
];
