/** What every page gets from the shell. */
import type { RoleGrant } from '../access';
import type { Site, User } from '../api';
import type { Lang, Strings } from '../i18n';
import type { CommonStrings } from './common.strings';

export interface PageContext {
  lang: Lang;
  /** the shell's strings (i18n.ts) */
  t: Strings;
  c: CommonStrings;
  user: User;
  roles: readonly RoleGrant[];
  /** error → message, or null when the session ended */
  failed: (err: unknown) => string | null;
  onSessionEnded: () => void;
}

export interface SitePageContext extends PageContext {
  site: Site;
}
